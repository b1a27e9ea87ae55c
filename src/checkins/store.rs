//! The one store of raw check-ins. Every source (webhook, pull, a check-in added by hand) lands
//! here through an [`Intake`], which also wakes the live feed when anything new was stored, so
//! a new intake path cannot forget it. Rows are de-duplicated by a natural key — capture time in milliseconds, place, device and person (Hanet person id, else
//! alias, else `-` for a stranger) — because a pulled row carries no event id. The webhook's
//! event id is kept too and is unique, so a replayed event id with changed fields is dropped.
//! Rows are inserted in batches inside one transaction; duplicates are skipped by the unique
//! index (`ON CONFLICT DO NOTHING`), and aliases are mapped to employees with one query per
//! batch.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{employee, hanet_connection};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Value,
    sea_query::ArrayType,
};
use uuid::Uuid;

use crate::days::rows::{self as day_rows, Touched};
use crate::{bulk, error::ApiResult, events::CheckinHub, state::AppState, vendor::VendorCheckin};

/// Where check-ins are stored (the database) and whom new ones wake (the live feeds, here and
/// on other processes).
#[derive(Clone, Copy)]
pub struct Intake<'a> {
    db: &'a DatabaseConnection,
    feed: &'a CheckinHub,
}

impl<'a> Intake<'a> {
    pub fn new(db: &'a DatabaseConnection, feed: &'a CheckinHub) -> Self {
        Self { db, feed }
    }

    /// The process's store and feed.
    pub fn of(app: &'a AppState) -> Self {
        Self::new(&app.db, &app.checkins)
    }

    /// The database, for an intake path that writes its rows in its own transaction.
    pub(super) fn db(self) -> &'a DatabaseConnection {
        self.db
    }

    /// `new` check-ins were stored (committed): wakes the feeds when there are any.
    pub(super) fn stored(self, new: u64) {
        if new > 0 {
            self.feed.notify();
        }
    }
}

/// Where a check-in came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Webhook,
    Pull,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "WEBHOOK",
            Self::Pull => "PULL",
        }
    }
}

pub fn dedupe_key(c: &VendorCheckin) -> String {
    let person = c
        .person_id
        .as_deref()
        .filter(|p| !p.is_empty())
        .or(c.alias.as_deref().filter(|a| !a.is_empty()))
        .unwrap_or("-");
    // Time first, zero-padded: check-ins arrive roughly in time order, so the unique index
    // grows at its end instead of splitting pages all over (measured: see BENCHMARKS.md).
    format!(
        "{:013}|{}|{}|{}",
        c.captured_at_ms, c.place_id, c.device_id, person
    )
}

/// What storing a company's check-ins needs to know: employee ids by lower-cased code, and the
/// selected place (only its check-ins count as attendance).
pub struct Mapping {
    employees: HashMap<String, Uuid>,
    place_id: Option<String>,
}

impl Mapping {
    async fn load(
        db: &impl ConnectionTrait,
        company_id: Uuid,
        aliases: Option<HashSet<String>>,
    ) -> ApiResult<Self> {
        let place_id = hanet_connection::Entity::find_by_id(company_id)
            .one(db)
            .await?
            .and_then(|c| c.place_id);
        let mut employees = employee::Entity::find()
            .select_only()
            .column(employee::Column::EmployeeCodeKey)
            .column(employee::Column::Id)
            .filter(employee::Column::CompanyId.eq(company_id));
        if let Some(aliases) = aliases {
            if aliases.is_empty() {
                return Ok(Self {
                    employees: HashMap::new(),
                    place_id,
                });
            }
            employees = employees.filter(employee::Column::EmployeeCodeKey.is_in(aliases));
        }
        Ok(Self {
            employees: employees
                .into_tuple::<(String, Uuid)>()
                .all(db)
                .await?
                .into_iter()
                .collect(),
            place_id,
        })
    }
}

/// The mapping for the aliases in `rows` (one query for the employees).
pub async fn employees_for(
    db: &DatabaseConnection,
    company_id: Uuid,
    rows: &[VendorCheckin],
) -> ApiResult<Mapping> {
    let aliases: HashSet<String> = rows
        .iter()
        .filter_map(|c| c.alias.as_deref())
        .filter(|a| !a.is_empty())
        .map(str::to_lowercase)
        .collect();
    Mapping::load(db, company_id, Some(aliases)).await
}

/// The mapping for every employee of the company (for a pull's many batches).
pub async fn all_employees(db: &DatabaseConnection, company_id: Uuid) -> ApiResult<Mapping> {
    Mapping::load(db, company_id, None).await
}

/// Stores check-ins of one company; returns how many were new.
pub async fn store(
    intake: Intake<'_>,
    company_id: Uuid,
    source: Source,
    rows: Vec<VendorCheckin>,
) -> ApiResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mapping = employees_for(intake.db, company_id, &rows).await?;
    store_mapped(intake, company_id, source, rows, &mapping).await
}

const COLUMNS: [bulk::Column; 20] = [
    bulk::Column::new("id", ArrayType::Uuid, "uuid"),
    bulk::Column::new("company_id", ArrayType::Uuid, "uuid"),
    bulk::Column::new("dedupe_key", ArrayType::String, "text"),
    bulk::Column::new("source", ArrayType::String, "text"),
    bulk::Column::text_null("event_id"),
    bulk::Column::new("place_id", ArrayType::String, "text"),
    bulk::Column::text_null("place_name"),
    bulk::Column::new("device_id", ArrayType::String, "text"),
    bulk::Column::text_null("device_name"),
    bulk::Column::new("person_type", ArrayType::Int, "int4"),
    bulk::Column::text_null("hanet_person_id"),
    bulk::Column::text_null("alias_id"),
    bulk::Column::text_null("person_name"),
    bulk::Column::text_null("person_title"),
    bulk::Column::text_null("snapshot_url"),
    bulk::Column::new("captured_at", ArrayType::ChronoDateTimeUtc, "timestamptz"),
    bulk::Column::uuid_null("employee_id"),
    bulk::Column::new("received_at", ArrayType::ChronoDateTimeUtc, "timestamptz"),
    bulk::Column::text_null("alias_key"),
    bulk::Column::new("counts_for_attendance", ArrayType::Bool, "bool"),
];

/// Stores check-ins with `mapping`, and adds the new ones to their stored attendance days in
/// the same transaction; returns how many were new (and wakes the feeds when any were).
pub async fn store_mapped(
    intake: Intake<'_>,
    company_id: Uuid,
    source: Source,
    rows: Vec<VendorCheckin>,
    mapping: &Mapping,
) -> ApiResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let db = intake.db;
    let backend = db.get_database_backend();
    let now = Utc::now();
    let text = |v: Option<String>| bulk::text_or_empty(backend, v);
    let mut columns: Vec<Vec<Value>> = vec![Vec::with_capacity(rows.len()); COLUMNS.len()];
    for c in rows {
        let Some(captured_at) = DateTime::from_timestamp_millis(c.captured_at_ms) else {
            continue;
        };
        let alias_key = c
            .alias
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(str::to_lowercase);
        let employee_id = alias_key
            .as_deref()
            .and_then(|a| mapping.employees.get(a).copied());
        let counts = mapping.place_id.as_deref() == Some(c.place_id.as_str());
        let row: [Value; 20] = [
            Uuid::now_v7().into(),
            company_id.into(),
            dedupe_key(&c).into(),
            source.as_str().into(),
            text(c.event_id),
            c.place_id.into(),
            text(c.place_name),
            c.device_id.into(),
            text(c.device_name),
            c.person_type.into(),
            text(c.person_id.filter(|p| !p.is_empty())),
            text(c.alias.filter(|a| !a.is_empty())),
            text(c.person_name),
            text(c.person_title),
            text(c.snapshot_url),
            captured_at.into(),
            bulk::uuid_or_nil(backend, employee_id),
            now.into(),
            text(alias_key),
            counts.into(),
        ];
        for (column, value) in columns.iter_mut().zip(row) {
            column.push(value);
        }
    }
    let txn = crate::db::begin_write(db).await?;
    let mut inserted = 0;
    let mut touched = Touched::default();
    let total = columns.first().map_or(0, Vec::len);
    let batch = bulk::rows_per_statement(backend, COLUMNS.len());
    let mut rest = columns;
    for _ in 0..total.div_ceil(batch) {
        let chunk: Vec<Vec<Value>> = rest
            .iter_mut()
            .map(|c| c.drain(..batch.min(c.len())).collect())
            .collect();
        let stored = txn
            .query_all_raw(bulk::insert(
                backend,
                "checkins",
                &COLUMNS,
                chunk,
                "ON CONFLICT DO NOTHING RETURNING employee_id, captured_at, counts_for_attendance",
            ))
            .await?;
        inserted += stored.len() as u64;
        for row in stored {
            let employee_id: Option<Uuid> = row.try_get("", "employee_id")?;
            let counts: bool = row.try_get("", "counts_for_attendance")?;
            if let (Some(employee_id), true) = (employee_id, counts) {
                touched.add(employee_id, row.try_get("", "captured_at")?);
            }
        }
    }
    day_rows::add(&txn, company_id, touched).await?;
    txn.commit().await?;
    crate::metrics::METRICS
        .checkins_ingested
        .with_label_values(&[source.as_str()])
        .inc_by(inserted);
    intake.stored(inserted);
    Ok(inserted)
}
