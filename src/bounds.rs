//! Every list and string a client sends is bounded, whatever field it is for: checked on the
//! parsed operation (inline values and the variables they use) before any resolver runs, so no
//! input reaches the database as an oversized `IN (…)` or `LIKE` pattern and turns into an
//! `INTERNAL` error. Fields with tighter rules (names, notes, `search`) check their own.

use async_graphql::{
    ServerError, Value, Variables,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// Items one list argument may hold (at every depth).
pub const MAX_LIST_ITEMS: usize = 1000;

/// Characters one string argument may hold.
pub const MAX_STRING_CHARS: usize = 4096;

/// Refuses a document whose arguments hold a list or string over the bounds, naming the field
/// (`assignWorkSchedule.input.employeeIds`) and the limit.
pub fn check(document: &ExecutableDocument, variables: &Variables) -> Result<(), ServerError> {
    for (_, operation) in document.operations.iter() {
        set(&operation.node.selection_set.node, variables, 0)?;
    }
    for fragment in document.fragments.values() {
        set(&fragment.node.selection_set.node, variables, 0)?;
    }
    Ok(())
}

fn set(selections: &SelectionSet, variables: &Variables, depth: usize) -> Result<(), ServerError> {
    // Fragments are walked where they are defined; nesting deeper than this fails validation.
    if depth > 64 {
        return Ok(());
    }
    for selection in &selections.items {
        match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                for (name, value) in &field.arguments {
                    let path = format!("{}.{}", field.name.node, name.node);
                    // The value as the resolver will see it, with its variables filled in.
                    let value = value.node.clone().into_const_with(|variable| {
                        Ok::<_, std::convert::Infallible>(
                            variables.get(&variable).cloned().unwrap_or(Value::Null),
                        )
                    });
                    let Ok(value) = value;
                    constant(&value, &path)?;
                }
                set(&field.selection_set.node, variables, depth + 1)?;
            }
            Selection::InlineFragment(fragment) => {
                set(&fragment.node.selection_set.node, variables, depth + 1)?;
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn constant(value: &Value, path: &str) -> Result<(), ServerError> {
    match value {
        Value::String(s) => string(s, path),
        Value::List(items) => {
            list(items.len(), path)?;
            items.iter().try_for_each(|item| constant(item, path))
        }
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(name, item)| constant(item, &format!("{path}.{name}"))),
        _ => Ok(()),
    }
}

fn list(len: usize, path: &str) -> Result<(), ServerError> {
    if len > MAX_LIST_ITEMS {
        return Err(refused(path, MAX_LIST_ITEMS, "items"));
    }
    Ok(())
}

fn string(s: &str, path: &str) -> Result<(), ServerError> {
    // Bytes first: a string of at most this many bytes has at most this many characters.
    if s.len() > MAX_STRING_CHARS && s.chars().count() > MAX_STRING_CHARS {
        return Err(refused(path, MAX_STRING_CHARS, "characters"));
    }
    Ok(())
}

fn refused(path: &str, limit: usize, what: &str) -> ServerError {
    let mut error = ServerError::new(format!("`{path}`: at most {limit} {what}"), None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("field", path);
    extensions.set("limit", limit as u64);
    error.extensions = Some(extensions);
    error
}
