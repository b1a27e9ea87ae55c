//! The GraphQL contract: `schema.graphql` must match what the server serves, and every type,
//! field, argument and enum value must be described.

use serde_json::Value;

#[test]
fn schema_graphql_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = timekeeping::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is stale. Regenerate it with:\n\n    cargo run -- schema > schema.graphql\n"
    );
}

#[tokio::test]
async fn every_type_field_and_argument_has_a_description() {
    let schema = timekeeping::graphql::schema_builder(Default::default()).finish();
    let query = "{ __schema { types { name kind description
        fields { name description args { name description } }
        inputFields { name description }
        enumValues { name description } } } }";
    let response = schema.execute(query).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data: Value = serde_json::to_value(&response.data).expect("JSON");
    let mut missing = Vec::new();
    let described = |v: &Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    for ty in data["__schema"]["types"].as_array().expect("types") {
        let name = ty["name"].as_str().unwrap_or("");
        if name.starts_with("__")
            || ty["kind"] == "SCALAR" && ["String", "Int", "Float", "Boolean", "ID"].contains(&name)
        {
            continue;
        }
        if !described(ty) && !["Query", "Mutation"].contains(&name) {
            missing.push(name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            if !described(field) {
                missing.push(format!("{name}.{}", field["name"]));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(arg) {
                    missing.push(format!("{name}.{}({})", field["name"], arg["name"]));
                }
            }
        }
        for list in ["inputFields", "enumValues"] {
            for item in ty[list].as_array().into_iter().flatten() {
                if !described(item) {
                    missing.push(format!("{name}.{}", item["name"]));
                }
            }
        }
    }
    assert!(missing.is_empty(), "add /// descriptions to: {missing:#?}");
}

/// Every operation in `examples/*.graphql` parses and validates against the schema (variables
/// aside: the examples leave them to the reader), so the examples never drift from it.
#[tokio::test]
async fn every_example_operation_fits_the_schema() {
    let schema = timekeeping::graphql::schema_builder(Default::default()).finish();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("examples")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
    {
        let text = std::fs::read_to_string(&path).expect("example");
        let document = async_graphql::parser::parse_query(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let names: Vec<Option<String>> = match &document.operations {
            async_graphql::parser::types::DocumentOperations::Single(_) => vec![None],
            async_graphql::parser::types::DocumentOperations::Multiple(ops) => {
                ops.keys().map(|n| Some(n.to_string())).collect()
            }
        };
        for name in names {
            let mut request = async_graphql::Request::new(text.clone());
            if let Some(name) = &name {
                request = request.operation_name(name);
            }
            // As a stream, so subscriptions are validated too (their first answer is an error:
            // no login).
            let response = futures_util::StreamExt::next(&mut schema.execute_stream(request))
                .await
                .expect("a response");
            let invalid: Vec<_> = response
                .errors
                .iter()
                .filter(|e| e.path.is_empty() && !e.message.contains("is not provided"))
                .collect();
            assert!(
                invalid.is_empty(),
                "{} {name:?}: {invalid:?}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 16, "only {checked} example operations found");
}
