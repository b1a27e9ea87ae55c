//! Stored attendance days: adding a batch of new check-ins to the days it touches (in the
//! transaction that stores the check-ins), and recomputing a company's days over a date range.
//!
//! Adding is a merge (earliest first, latest last, counts summed) done by the database in one
//! upsert, so two processes adding to the same day at once both count: the upsert locks the
//! row, and the values [`days::day`] derives are then written from what the upsert returned.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{attendance_day, checkin, employee};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, Statement, Value,
    sea_query::{ArrayType, Expr},
};
use uuid::Uuid;

use super::days::{self, Checkins, Day, DayInputs, DayRules};
use crate::{bulk, error::ApiResult};

/// The check-ins a batch adds, by (employee, working day), with the employee's code key.
#[derive(Default)]
pub struct Touched(HashMap<(Uuid, NaiveDate), (String, Checkins)>);

impl Touched {
    pub fn add(&mut self, employee_id: Uuid, code_key: &str, date: NaiveDate, at: DateTime<Utc>) {
        self.0
            .entry((employee_id, date))
            .and_modify(|(_, c)| *c = c.merge(Checkins::one(at)))
            .or_insert_with(|| (code_key.to_owned(), Checkins::one(at)));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The days these check-ins alone make.
    fn into_rows(self) -> Vec<Row> {
        self.0
            .into_iter()
            .map(|((employee_id, date), (code_key, checkins))| Row {
                employee_id,
                date,
                code_key,
                day: days::day(&DayInputs { checkins }),
            })
            .collect()
    }
}

/// One stored day to write.
struct Row {
    employee_id: Uuid,
    date: NaiveDate,
    code_key: String,
    day: Day,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Add to a stored day (the first write of a batch).
    Merge,
    /// Replace what is stored.
    Replace,
}

/// Adds `touched` to the company's stored days.
pub async fn add(db: &impl ConnectionTrait, company_id: Uuid, touched: Touched) -> ApiResult<()> {
    let rows = touched.into_rows();
    let chunk_rows = bulk::rows_per_statement(db.get_database_backend(), COLUMNS.len());
    for chunk in rows.chunks(chunk_rows) {
        let merged = db
            .query_all_raw(upsert(db, company_id, chunk, Mode::Merge))
            .await?;
        // A day that was stored before now has more check-ins: derive its values again.
        let mut changed = Vec::new();
        for row in merged {
            let stored = Stored::read(&row)?;
            let day = days::day(&DayInputs {
                checkins: stored.checkins,
            });
            if day.worked_minutes != stored.worked_minutes {
                changed.push(Row {
                    employee_id: stored.employee_id,
                    date: stored.date,
                    code_key: stored.code_key,
                    day,
                });
            }
        }
        if !changed.is_empty() {
            db.execute_raw(upsert(db, company_id, &changed, Mode::Replace))
                .await?;
        }
    }
    Ok(())
}

/// A day as the merge returned it.
struct Stored {
    employee_id: Uuid,
    date: NaiveDate,
    code_key: String,
    checkins: Checkins,
    worked_minutes: i32,
}

impl Stored {
    fn read(row: &QueryResult) -> ApiResult<Self> {
        Ok(Self {
            employee_id: row.try_get("", "employee_id")?,
            date: row.try_get("", "date")?,
            code_key: row.try_get("", "employee_code_key")?,
            checkins: Checkins {
                first: row.try_get("", "first_check_in")?,
                last: row.try_get("", "last_check_in")?,
                count: row.try_get("", "checkin_count")?,
            },
            worked_minutes: row.try_get("", "worked_minutes")?,
        })
    }
}

const COLUMNS: [bulk::Column; 9] = [
    bulk::Column::new("employee_id", ArrayType::Uuid, "uuid"),
    bulk::Column::new("date", ArrayType::ChronoDate, "date"),
    bulk::Column::new("company_id", ArrayType::Uuid, "uuid"),
    bulk::Column::new("employee_code_key", ArrayType::String, "text"),
    bulk::Column::new(
        "first_check_in",
        ArrayType::ChronoDateTimeUtc,
        "timestamptz",
    ),
    bulk::Column::new("last_check_in", ArrayType::ChronoDateTimeUtc, "timestamptz"),
    bulk::Column::new("checkin_count", ArrayType::Int, "int4"),
    bulk::Column::new("worked_minutes", ArrayType::Int, "int4"),
    bulk::Column::new("updated_at", ArrayType::ChronoDateTimeUtc, "timestamptz"),
];

/// One multi-row upsert of stored days.
fn upsert(db: &impl ConnectionTrait, company_id: Uuid, rows: &[Row], mode: Mode) -> Statement {
    let backend = db.get_database_backend();
    let (least, greatest) = match backend {
        DbBackend::Postgres => ("LEAST", "GREATEST"),
        _ => ("min", "max"),
    };
    let on_conflict = match mode {
        Mode::Merge => format!(
            "ON CONFLICT (employee_id, date) DO UPDATE SET \
             first_check_in = {least}(attendance_days.first_check_in, excluded.first_check_in), \
             last_check_in = {greatest}(attendance_days.last_check_in, excluded.last_check_in), \
             checkin_count = attendance_days.checkin_count + excluded.checkin_count, \
             employee_code_key = excluded.employee_code_key, updated_at = excluded.updated_at \
             RETURNING employee_id, date, employee_code_key, first_check_in, last_check_in, \
             checkin_count, worked_minutes"
        ),
        Mode::Replace => "ON CONFLICT (employee_id, date) DO UPDATE SET \
             first_check_in = excluded.first_check_in, last_check_in = excluded.last_check_in, \
             checkin_count = excluded.checkin_count, worked_minutes = excluded.worked_minutes, \
             employee_code_key = excluded.employee_code_key, updated_at = excluded.updated_at"
            .to_owned(),
    };
    let now = Utc::now();
    let columns: Vec<Vec<Value>> = vec![
        rows.iter().map(|r| r.employee_id.into()).collect(),
        rows.iter().map(|r| r.date.into()).collect(),
        rows.iter().map(|_| company_id.into()).collect(),
        rows.iter().map(|r| r.code_key.clone().into()).collect(),
        rows.iter().map(|r| r.day.first_check_in.into()).collect(),
        rows.iter().map(|r| r.day.last_check_in.into()).collect(),
        rows.iter().map(|r| r.day.checkin_count.into()).collect(),
        rows.iter().map(|r| r.day.worked_minutes.into()).collect(),
        rows.iter().map(|_| now.into()).collect(),
    ];
    bulk::insert(backend, "attendance_days", &COLUMNS, columns, &on_conflict)
}

/// Recomputes the company's stored days from `from` to `to` (inclusive) from its check-ins:
/// what is stored for those dates is replaced. Returns how many days are stored now.
pub async fn recompute(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    rules: DayRules,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<usize> {
    // The delete comes first: on SQLite it takes the write lock before anything is read, and
    // on PostgreSQL a check-in committed after the read below adds itself to the new rows.
    attendance_day::Entity::delete_many()
        .filter(attendance_day::Column::CompanyId.eq(company_id))
        .filter(attendance_day::Column::Date.gte(from))
        .filter(attendance_day::Column::Date.lte(to))
        .exec(db)
        .await?;
    let codes: HashMap<Uuid, String> = employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .column(employee::Column::EmployeeCodeKey)
        .filter(employee::Column::CompanyId.eq(company_id))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let start = rules.day_start(from);
    let end = rules.day_start(to.succ_opt().unwrap_or(to));
    let checkins: Vec<(Uuid, DateTime<Utc>)> = checkin::Entity::find()
        .select_only()
        .column(checkin::Column::EmployeeId)
        .column(checkin::Column::CapturedAt)
        .filter(checkin::Column::CompanyId.eq(company_id))
        .filter(checkin::Column::EmployeeId.is_not_null())
        .filter(checkin::Column::CountsForAttendance.eq(true))
        .filter(checkin::Column::CapturedAt.gte(start))
        .filter(checkin::Column::CapturedAt.lt(end))
        .order_by_asc(checkin::Column::CapturedAt)
        .into_tuple()
        .all(db)
        .await?;
    let mut touched = Touched::default();
    for (employee_id, at) in checkins {
        if let Some(code_key) = codes.get(&employee_id) {
            touched.add(employee_id, code_key, rules.day_of(at), at);
        }
    }
    let rows = touched.into_rows();
    let stored = rows.len();
    let chunk_rows = bulk::rows_per_statement(db.get_database_backend(), COLUMNS.len());
    for chunk in rows.chunks(chunk_rows) {
        db.execute_raw(upsert(db, company_id, chunk, Mode::Replace))
            .await?;
    }
    Ok(stored)
}

/// Keeps the code copied into an employee's days in step with the employee's code.
pub async fn rename(db: &impl ConnectionTrait, employee_id: Uuid, code_key: &str) -> ApiResult<()> {
    attendance_day::Entity::update_many()
        .col_expr(
            attendance_day::Column::EmployeeCodeKey,
            Expr::value(code_key.to_owned()),
        )
        .filter(attendance_day::Column::EmployeeId.eq(employee_id))
        .exec(db)
        .await?;
    Ok(())
}
