//! What an operation is, read from its parsed document before it runs: the metric label it is
//! counted under (bounded: the schema's own root field names, never a client-chosen string) and
//! the shape checks that refuse it before any resolver runs (at most one `login`).

use std::collections::HashSet;

use async_graphql::{
    ServerError,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
        SelectionSet,
    },
};

/// Field selections one document may hold (every level, fragments included). A real screen's
/// query holds a few hundred; thousands of aliases are an attack on the executor.
pub const MAX_SELECTIONS: usize = 1000;

/// Names (identifiers) a query text may hold: checked on the text before it is parsed, since
/// parsing thousands of aliases already costs more than the operation is worth.
pub const MAX_NAMES: usize = 4 * MAX_SELECTIONS;

/// Root fields one mutation may carry (aliases included): each is a write with its own audit
/// line and recompute, so a document of hundreds is an attack, not a screen.
pub const MAX_MUTATION_FIELDS: usize = 20;

/// Label of operations whose root field is not in the schema (they fail validation).
pub const OTHER: &str = "other";

/// The schema's root field names, read once from its SDL.
pub struct RootFields(HashSet<String>);

impl RootFields {
    pub fn from_sdl(sdl: &str) -> Self {
        use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
        let mut names = HashSet::new();
        if let Ok(doc) = async_graphql::parser::parse_schema(sdl) {
            for definition in doc.definitions {
                let TypeSystemDefinition::Type(ty) = definition else {
                    continue;
                };
                let prefix = match ty.node.name.node.as_str() {
                    "QueryRoot" | "Query" => "query",
                    "MutationRoot" | "Mutation" => "mutation",
                    "SubscriptionRoot" | "Subscription" => "subscription",
                    _ => continue,
                };
                if let TypeKind::Object(object) = &ty.node.kind {
                    for field in &object.fields {
                        names.insert(format!("{prefix}.{}", field.node.name.node));
                    }
                }
            }
        }
        Self(names)
    }

    /// `query.attendanceDays`, `mutation.login`, …: the operation's first root field, when the
    /// schema has it; else [`OTHER`].
    pub fn label(&self, document: &ExecutableDocument, name: Option<&str>) -> String {
        let Some(operation) = operation(document, name) else {
            return OTHER.to_owned();
        };
        let prefix = match operation.ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        let mut fields = Vec::new();
        root_fields(document, &operation.selection_set.node, &mut fields, 0);
        fields
            .into_iter()
            .map(|field| format!("{prefix}.{field}"))
            .find(|label| self.0.contains(label))
            .unwrap_or_else(|| OTHER.to_owned())
    }
}

/// A linear scan of the query text, before parsing: more than [`MAX_NAMES`] names (outside
/// strings and comments), or a `mutation` with more than [`MAX_MUTATION_FIELDS`] root fields
/// written out (aliases included), is refused; parsing either costs more than it is worth.
/// (Root fields reached through fragments are counted after parsing, in [`check_shape`].)
pub fn precheck(query: &str) -> Result<(), ServerError> {
    let mut names = 0usize;
    let mut in_name = false;
    let mut name_start = 0usize;
    // Brace and parenthesis depth, whether the operation being read is a mutation, and its
    // root fields so far.
    let (mut braces, mut parens) = (0usize, 0usize);
    let (mut mutation, mut root_fields) = (false, 0usize);
    let text = query.as_bytes();
    let mut i = 0usize;
    let mut end_name = |start: usize, end: usize, braces: usize, parens: usize| {
        let name = text.get(start..end).unwrap_or_default();
        if braces == 0 {
            mutation = name == b"mutation";
            root_fields = 0;
        } else if braces == 1 && parens == 0 && mutation {
            let next = text
                .get(end..)
                .unwrap_or_default()
                .iter()
                .find(|b| !b.is_ascii_whitespace() && **b != b',');
            if next != Some(&b':') {
                root_fields += 1;
            }
        }
        root_fields
    };
    while let Some(&byte) = text.get(i) {
        let name_byte =
            matches!(byte, b'_' | b'a'..=b'z' | b'A'..=b'Z') || (in_name && byte.is_ascii_digit());
        if in_name && !name_byte {
            in_name = false;
            if end_name(name_start, i, braces, parens) > MAX_MUTATION_FIELDS {
                return Err(ServerError::new(
                    format!("at most {MAX_MUTATION_FIELDS} mutation fields per operation"),
                    None,
                ));
            }
        }
        match byte {
            b'#' => {
                while text.get(i).is_some_and(|b| *b != b'\n' && *b != b'\r') {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                let mut escaped = false;
                i += 1;
                while let Some(&b) = text.get(i) {
                    match (escaped, b) {
                        (false, b'\\') => escaped = true,
                        (false, b'"') => break,
                        _ => escaped = false,
                    }
                    i += 1;
                }
            }
            b'{' => braces += 1,
            b'}' => braces = braces.saturating_sub(1),
            b'(' => parens += 1,
            b')' => parens = parens.saturating_sub(1),
            _ if name_byte && !in_name => {
                names += 1;
                in_name = true;
                name_start = i;
            }
            _ => {}
        }
        i += 1;
    }
    if names > MAX_NAMES {
        return Err(ServerError::new(
            format!("more than {MAX_NAMES} names in one document"),
            None,
        ));
    }
    Ok(())
}

/// Refuses an operation whose shape is abusive whatever its arguments: more than
/// [`MAX_SELECTIONS`] field selections, more than one `login` (each is a deliberately slow
/// password hash), or more than [`MAX_MUTATION_FIELDS`] writes.
pub fn check_shape(document: &ExecutableDocument, name: Option<&str>) -> Result<(), ServerError> {
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| selections(&f.node.selection_set.node))
        .sum();
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| selections(&op.node.selection_set.node))
        .sum();
    if fragments.saturating_add(operations) > MAX_SELECTIONS {
        return Err(ServerError::new(
            format!("more than {MAX_SELECTIONS} field selections in one document"),
            None,
        ));
    }
    let Some(operation) = operation(document, name) else {
        return Ok(());
    };
    if operation.ty != OperationType::Mutation {
        return Ok(());
    }
    let mut fields = Vec::new();
    root_fields(document, &operation.selection_set.node, &mut fields, 0);
    if fields.iter().filter(|f| *f == "login").count() > 1 {
        return Err(ServerError::new("at most one `login` per operation", None));
    }
    if fields.len() > MAX_MUTATION_FIELDS {
        return Err(ServerError::new(
            format!("at most {MAX_MUTATION_FIELDS} mutation fields per operation"),
            None,
        ));
    }
    Ok(())
}

fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

/// The names of the root fields, through fragments (bounded depth: fragments can nest, and
/// cycles are a validation error caught later).
fn root_fields(
    document: &ExecutableDocument,
    set: &SelectionSet,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => out.push(field.node.name.node.to_string()),
            Selection::InlineFragment(fragment) => {
                root_fields(document, &fragment.node.selection_set.node, out, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    root_fields(document, &fragment.node.selection_set.node, out, depth + 1);
                }
            }
        }
    }
}

/// Field selections in a set, at every level below it (fragment spreads count once, where the
/// fragment is defined).
fn selections(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => 1 + selections(&field.node.selection_set.node),
            Selection::InlineFragment(fragment) => selections(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 1,
        })
        .sum()
}
