//! The one store of raw check-ins. Both sources (webhook, pull) land here, de-duplicated by a
//! natural key — capture time in milliseconds, place, device and person (Hanet person id, else
//! alias, else `-` for a stranger) — because a pulled row carries no event id. The webhook's
//! event id is kept too and is unique, so a replayed event id with changed fields is dropped.
//! Rows are inserted in batches inside one transaction; duplicates are skipped by the unique
//! index (`ON CONFLICT DO NOTHING`), and aliases are mapped to employees with one query per
//! batch.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{checkin, employee};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
    sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{error::ApiResult, vendor::VendorCheckin};

/// Rows per INSERT statement (19 columns: well under SQLite's and PostgreSQL's parameter caps).
const BATCH: usize = 500;

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

/// Employee ids by lower-cased code, for the aliases in `rows` (one query).
pub async fn employees_for(
    db: &DatabaseConnection,
    company_id: Uuid,
    rows: &[VendorCheckin],
) -> ApiResult<HashMap<String, Uuid>> {
    let aliases: HashSet<String> = rows
        .iter()
        .filter_map(|c| c.alias.as_deref())
        .filter(|a| !a.is_empty())
        .map(str::to_lowercase)
        .collect();
    if aliases.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(employee::Entity::find()
        .select_only()
        .column(employee::Column::EmployeeCodeKey)
        .column(employee::Column::Id)
        .filter(employee::Column::CompanyId.eq(company_id))
        .filter(employee::Column::EmployeeCodeKey.is_in(aliases))
        .into_tuple::<(String, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Every employee id of the company by lower-cased code (for a pull's many batches).
pub async fn all_employees(
    db: &DatabaseConnection,
    company_id: Uuid,
) -> ApiResult<HashMap<String, Uuid>> {
    Ok(employee::Entity::find()
        .select_only()
        .column(employee::Column::EmployeeCodeKey)
        .column(employee::Column::Id)
        .filter(employee::Column::CompanyId.eq(company_id))
        .into_tuple::<(String, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Stores check-ins of one company; returns how many were new.
pub async fn store(
    db: &DatabaseConnection,
    company_id: Uuid,
    source: Source,
    rows: Vec<VendorCheckin>,
) -> ApiResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let employees = employees_for(db, company_id, &rows).await?;
    store_mapped(db, company_id, source, rows, &employees).await
}

/// Stores check-ins, mapping aliases with `employees` (lower-cased code → id).
pub async fn store_mapped(
    db: &DatabaseConnection,
    company_id: Uuid,
    source: Source,
    rows: Vec<VendorCheckin>,
    employees: &HashMap<String, Uuid>,
) -> ApiResult<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let models: Vec<checkin::ActiveModel> = rows
        .into_iter()
        .filter_map(|c| {
            let captured_at = DateTime::from_timestamp_millis(c.captured_at_ms)?;
            let employee_id = c
                .alias
                .as_deref()
                .and_then(|a| employees.get(&a.to_lowercase()).copied());
            Some(checkin::ActiveModel {
                id: Set(Uuid::now_v7()),
                company_id: Set(company_id),
                dedupe_key: Set(dedupe_key(&c)),
                source: Set(source.as_str().to_owned()),
                event_id: Set(c.event_id),
                place_id: Set(c.place_id),
                place_name: Set(c.place_name),
                device_id: Set(c.device_id),
                device_name: Set(c.device_name),
                person_type: Set(c.person_type),
                hanet_person_id: Set(c.person_id.filter(|p| !p.is_empty())),
                alias_id: Set(c.alias.filter(|a| !a.is_empty())),
                person_name: Set(c.person_name),
                person_title: Set(c.person_title),
                snapshot_url: Set(c.snapshot_url),
                captured_at: Set(captured_at),
                employee_id: Set(employee_id),
                received_at: Set(now),
            })
        })
        .collect();
    let txn = db.begin().await?;
    let mut inserted = 0;
    for chunk in models.chunks(BATCH) {
        inserted += checkin::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    crate::metrics::METRICS
        .checkins_ingested
        .with_label_values(&[source.as_str()])
        .inc_by(inserted);
    Ok(inserted)
}
