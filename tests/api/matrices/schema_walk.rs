//! Reads the schema the server serves (introspection) and builds a call of any root field with
//! arguments that parse, so the matrices cover every operation without naming them.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{helpers::TestApp, images};

const INTROSPECTION: &str = "query {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name
      fields { name args { name defaultValue type { ...T } } type { ...T } }
      inputFields { name defaultValue type { ...T } }
      enumValues { name }
    }
  }
}
fragment T on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
}";

/// Query or mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    Query,
    Mutation,
}

pub struct Schema {
    types: HashMap<String, Value>,
    roots: [(Root, String); 2],
}

/// How to fill in a call.
pub struct Fill<'a> {
    /// The value of the n-th `ID` met while generating (n counts from 0).
    pub id: &'a dyn Fn(usize) -> String,
    /// Also fill optional arguments and input fields that hold an `ID` somewhere.
    pub optional_ids: bool,
    /// Which value each enum takes (index modulo the number of values).
    pub enum_choice: usize,
    /// How deep to select the result: 0 selects `__typename` only.
    pub depth: usize,
}

/// A generated operation.
pub struct Call {
    pub name: String,
    pub document: String,
    pub variables: Value,
    /// Variable paths of `Upload` values (sent as files, multipart).
    pub uploads: Vec<String>,
    /// How many `ID` values the call holds.
    pub id_slots: usize,
    /// The most values any enum met has (callers try each `enum_choice` below it).
    pub enum_values: usize,
}

impl Schema {
    pub async fn fetch(app: &TestApp, token: &str) -> Self {
        let data = app.graphql_ok(token, INTROSPECTION, json!({})).await;
        let schema = &data["__schema"];
        let types = schema["types"]
            .as_array()
            .expect("types")
            .iter()
            .map(|t| (t["name"].as_str().unwrap_or_default().to_owned(), t.clone()))
            .collect();
        let root = |key: &str| schema[key]["name"].as_str().expect("root type").to_owned();
        Self {
            types,
            roots: [
                (Root::Query, root("queryType")),
                (Root::Mutation, root("mutationType")),
            ],
        }
    }

    /// The fields of a root type, by name.
    pub fn fields(&self, root: Root) -> Vec<Value> {
        let name = &self.roots.iter().find(|(r, _)| *r == root).expect("root").1;
        self.types[name]["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn call(&self, root: Root, field: &Value, fill: &Fill) -> Call {
        let name = field["name"].as_str().expect("field name").to_owned();
        let mut state = State::default();
        let (mut defs, mut args, mut variables) = (Vec::new(), Vec::new(), Map::new());
        for arg in field["args"].as_array().into_iter().flatten() {
            if !self.wanted(arg, fill) {
                continue;
            }
            let arg_name = arg["name"].as_str().expect("arg name");
            let path = format!("variables.{arg_name}");
            let value = self.value(&arg["type"], arg_name, &path, fill, &mut state);
            defs.push(format!("${arg_name}: {}", type_string(&arg["type"])));
            args.push(format!("{arg_name}: ${arg_name}"));
            variables.insert(arg_name.to_owned(), value);
        }
        let keyword = match root {
            Root::Query => "query",
            Root::Mutation => "mutation",
        };
        let wrap = |items: &[String]| {
            if items.is_empty() {
                String::new()
            } else {
                format!("({})", items.join(", "))
            }
        };
        let selection = self.selection(&field["type"], fill.depth);
        Call {
            document: format!(
                "{keyword}{} {{ {name}{} {selection} }}",
                wrap(&defs),
                wrap(&args)
            ),
            name,
            variables: Value::Object(variables),
            uploads: state.uploads,
            id_slots: state.ids,
            enum_values: state.enum_values.max(1),
        }
    }

    /// Required, or (when asked) optional but holding an `ID`.
    fn wanted(&self, item: &Value, fill: &Fill) -> bool {
        let required = item["type"]["kind"] == "NON_NULL" && item["defaultValue"].is_null();
        required || fill.optional_ids && self.holds_id(&item["type"], &mut HashSet::new())
    }

    fn holds_id(&self, ty: &Value, seen: &mut HashSet<String>) -> bool {
        let name = named(ty);
        if name == "ID" {
            return true;
        }
        let input = &self.types[name];
        input["kind"] == "INPUT_OBJECT"
            && seen.insert(name.to_owned())
            && input["inputFields"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| self.holds_id(&f["type"], seen))
    }

    fn value(&self, ty: &Value, name: &str, path: &str, fill: &Fill, state: &mut State) -> Value {
        match ty["kind"].as_str().unwrap_or_default() {
            "NON_NULL" => self.value(&ty["ofType"], name, path, fill, state),
            "LIST" => json!([self.value(&ty["ofType"], name, &format!("{path}.0"), fill, state)]),
            "ENUM" => {
                let values = self.types[named(ty)]["enumValues"]
                    .as_array()
                    .expect("enum");
                state.enum_values = state.enum_values.max(values.len());
                values[fill.enum_choice % values.len()]["name"].clone()
            }
            "INPUT_OBJECT" => {
                let mut object = Map::new();
                for f in self.types[named(ty)]["inputFields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    if self.wanted(f, fill) {
                        let field = f["name"].as_str().expect("input field");
                        let path = format!("{path}.{field}");
                        let value = self.value(&f["type"], field, &path, fill, state);
                        object.insert(field.to_owned(), value);
                    }
                }
                Value::Object(object)
            }
            _ => match named(ty) {
                "ID" => {
                    state.ids += 1;
                    json!((fill.id)(state.ids - 1))
                }
                "Upload" => {
                    state.uploads.push(path.to_owned());
                    Value::Null
                }
                "Int" => json!(1),
                "Float" => json!(1.0),
                "Boolean" => json!(true),
                // A range's end after its start, so ranges are valid.
                "Date" if name == "to" => json!("2026-01-31"),
                "Date" => json!("2026-01-01"),
                "DateTime" if name == "to" => json!("2026-01-02T00:00:00Z"),
                "DateTime" => json!("2026-01-01T00:00:00Z"),
                // Strings that pass format checks, so the check under test is what answers.
                _ if name.contains("email") => json!(format!("m-{}@example.test", short())),
                _ if name.contains("password") => json!("long enough password"),
                _ => json!(format!("x{}", short())),
            },
        }
    }

    /// `{ __typename … }` for objects, with leaf fields and nested objects to `depth`; leaves
    /// select nothing. Fields taking arguments are left out.
    fn selection(&self, ty: &Value, depth: usize) -> String {
        let object = &self.types[named(ty)];
        if !matches!(
            object["kind"].as_str(),
            Some("OBJECT" | "INTERFACE" | "UNION")
        ) {
            return String::new();
        }
        let mut parts = vec!["__typename".to_owned()];
        for field in object["fields"].as_array().into_iter().flatten() {
            let has_args = field["args"].as_array().is_some_and(|a| !a.is_empty());
            if depth > 0 && !has_args {
                let inner = self.selection(&field["type"], depth - 1);
                parts.push(format!(
                    "{} {inner}",
                    field["name"].as_str().unwrap_or_default()
                ));
            }
        }
        format!("{{ {} }}", parts.join(" "))
    }
}

#[derive(Default)]
struct State {
    ids: usize,
    uploads: Vec<String>,
    enum_values: usize,
}

/// The named type under `NON_NULL` and `LIST` wrappers.
pub fn named(ty: &Value) -> &str {
    match ty["name"].as_str() {
        Some(name) => name,
        None if ty.is_null() => "",
        None => named(&ty["ofType"]),
    }
}

fn type_string(ty: &Value) -> String {
    match ty["kind"].as_str().unwrap_or_default() {
        "NON_NULL" => format!("{}!", type_string(&ty["ofType"])),
        "LIST" => format!("[{}]", type_string(&ty["ofType"])),
        _ => named(ty).to_owned(),
    }
}

fn short() -> String {
    Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// Sends a call (multipart when it has uploads, each a small JPEG) and returns the JSON body.
pub async fn send(app: &TestApp, token: &str, call: &Call) -> Value {
    if call.uploads.is_empty() {
        return app
            .graphql(Some(token), &call.document, call.variables.clone())
            .await;
    }
    let files = call
        .uploads
        .iter()
        .map(|path| (path.as_str(), "x.jpg", images::jpeg(400, 400, 1)))
        .collect();
    let response = app
        .upload(token, &call.document, call.variables.clone(), files)
        .await;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|_| json!({ "http": status.as_u16(), "body": text }))
}

/// The first error's code, if the answer is an error.
pub fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// A short form of an answer for failure lists.
pub fn summary(body: &Value) -> String {
    match code(body) {
        Some(code) => code.to_owned(),
        None if body.get("errors").is_some() => format!("error without code: {}", body["errors"]),
        None => format!("data {}", body.get("data").unwrap_or(body)),
    }
}
