//! Multi-row inserts, one statement per batch: `VALUES (…), (…)` on SQLite, and on PostgreSQL
//! `SELECT … FROM UNNEST($1::type[], …)` with one array per column — a statement whose text does
//! not grow with the rows, so PostgreSQL parses and plans it once and binds a few large
//! parameters instead of thousands of small ones.
//!
//! PostgreSQL arrays are bound without NULL elements, so a nullable column travels with a
//! stand-in (an empty string, the nil UUID) that `NULLIF` turns back into NULL.

use sea_orm::{DbBackend, Statement, Value, sea_query::ArrayType};

/// Rows per bulk statement: SQLite binds every value (a parameter cap), PostgreSQL binds one
/// array per column whatever the rows.
pub fn rows_per_statement(backend: DbBackend, columns: usize) -> usize {
    match backend {
        DbBackend::Postgres => 5000,
        _ => (10_000 / columns.max(1)).max(1),
    }
}

/// A column of a bulk insert.
pub struct Column {
    pub name: &'static str,
    pub array: ArrayType,
    pub pg_type: &'static str,
    /// The stand-in for NULL, for nullable columns.
    pub null_as: Option<&'static str>,
}

impl Column {
    pub const fn new(name: &'static str, array: ArrayType, pg_type: &'static str) -> Self {
        Self {
            name,
            array,
            pg_type,
            null_as: None,
        }
    }

    /// A nullable text column (NULL travels as `''`).
    pub const fn text_null(name: &'static str) -> Self {
        Self {
            name,
            array: ArrayType::String,
            pg_type: "text",
            null_as: Some("''"),
        }
    }

    /// A nullable timestamp column (NULL travels as the Unix epoch).
    pub const fn time_null(name: &'static str) -> Self {
        Self {
            name,
            array: ArrayType::ChronoDateTimeUtc,
            pg_type: "timestamptz",
            null_as: Some("'epoch'::timestamptz"),
        }
    }

    /// A nullable UUID column (NULL travels as the nil UUID).
    pub const fn uuid_null(name: &'static str) -> Self {
        Self {
            name,
            array: ArrayType::Uuid,
            pg_type: "uuid",
            null_as: Some("'00000000-0000-0000-0000-000000000000'::uuid"),
        }
    }
}

/// `INSERT INTO table (columns) <rows> <tail>`, where `columns[i]` holds one value per row and
/// `tail` is the `ON CONFLICT … RETURNING …` part. Values of nullable columns must already be
/// their stand-in when NULL on PostgreSQL: use [`text_or_empty`], [`time_or_epoch`] and
/// [`uuid_or_nil`].
pub fn insert(
    backend: DbBackend,
    table: &str,
    spec: &[Column],
    columns: Vec<Vec<Value>>,
    tail: &str,
) -> Statement {
    let names = spec.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    let rows = columns.first().map_or(0, Vec::len);
    if backend == DbBackend::Postgres {
        let arrays = spec
            .iter()
            .enumerate()
            .map(|(i, c)| format!("${}::{}[]", i + 1, c.pg_type))
            .collect::<Vec<_>>()
            .join(", ");
        let select = spec
            .iter()
            .map(|c| match c.null_as {
                Some(stand_in) => format!("NULLIF(u.{0}, {stand_in})", c.name),
                None => format!("u.{}", c.name),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let values = columns
            .into_iter()
            .zip(spec)
            .map(|(values, c)| Value::Array(c.array.clone(), Some(Box::new(values))));
        let sql = format!(
            "INSERT INTO {table} ({names}) SELECT {select} FROM UNNEST({arrays}) AS u({names}) {tail}"
        );
        return Statement::from_sql_and_values(backend, sql, values);
    }
    let tuple = format!("({})", vec!["?"; spec.len()].join(", "));
    let sql = format!(
        "INSERT INTO {table} ({names}) VALUES {} {tail}",
        vec![tuple.as_str(); rows].join(", ")
    );
    let mut values = Vec::with_capacity(rows * spec.len());
    let mut columns: Vec<_> = columns.into_iter().map(Vec::into_iter).collect();
    for _ in 0..rows {
        for column in &mut columns {
            values.extend(column.next());
        }
    }
    Statement::from_sql_and_values(backend, sql, values)
}

/// A nullable text value as a bulk insert on `backend` takes it.
pub fn text_or_empty(backend: DbBackend, value: Option<String>) -> Value {
    match (backend, value) {
        (DbBackend::Postgres, None) => Value::from(String::new()),
        (_, value) => Value::from(value),
    }
}

/// A nullable timestamp as a bulk insert on `backend` takes it.
pub fn time_or_epoch(backend: DbBackend, value: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    match (backend, value) {
        (DbBackend::Postgres, None) => Value::from(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH),
        (_, value) => Value::from(value),
    }
}

/// A nullable UUID value as a bulk insert on `backend` takes it.
pub fn uuid_or_nil(backend: DbBackend, value: Option<uuid::Uuid>) -> Value {
    match (backend, value) {
        (DbBackend::Postgres, None) => Value::from(uuid::Uuid::nil()),
        (_, value) => Value::from(value),
    }
}
