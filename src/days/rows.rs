//! Stored attendance days: adding a batch of new check-ins to the days it touches (in the
//! transaction that stores the check-ins), and writing rows (recomputing is in `rebuild`).
//!
//! Adding is a merge (earliest first, latest last, counts summed) done by the database in one
//! upsert, so two processes adding to the same day at once both count: the upsert locks the
//! row, and the values [`days::day`] derives are then written from what the upsert returned. A
//! stored day carries its plan (shift, break, grace, window end), so this needs no other read.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::attendance_day;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
    Value,
    sea_query::{ArrayType, Expr},
};
use uuid::Uuid;

use super::plan::{Planner, Scope};
use crate::days::{self, Checkins, Day, DayKind, Plan};
use crate::{bulk, companies, error::ApiResult};

/// The check-ins a batch adds: employee and capture time.
#[derive(Default)]
pub struct Touched(Vec<(Uuid, DateTime<Utc>)>);

impl Touched {
    pub fn add(&mut self, employee_id: Uuid, at: DateTime<Utc>) {
        self.0.push((employee_id, at));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One stored day to write.
pub(super) struct Row {
    pub employee_id: Uuid,
    pub date: NaiveDate,
    pub code_key: String,
    pub plan: Plan,
    pub day: Day,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Add the check-ins to a stored day (the first write of a batch); a new day is inserted.
    Merge,
    /// Replace what is stored.
    Replace,
    /// Insert days that are not stored yet; leave stored ones alone.
    Missing,
}

/// Name space of the stored-days locks ("days").
const DAYS_LOCK_SPACE: i32 = 0x6461_7973;

/// Serialises writers of a company's stored days on PostgreSQL (SQLite serialises every
/// writer already). Adding check-ins, storing missing days and renaming take it shared, before
/// their first read: they only add to what is stored. Recomputing takes it alone, before its
/// first read, so it reads every check-in whose transaction added to the days it replaces
/// (without it, a check-in inserting a new day while a recompute read could be overwritten
/// by the recompute's row for that day), and an adder that waited reads what it wrote. Every
/// transaction takes it before it locks a stored day's row, and one that writes other rows
/// first takes it at its start ([`begin`]), alone if it may recompute, so writers never wait
/// on each other in a circle. Companies whose ids fold to the same key only wait longer.
pub(crate) async fn lock(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    how: crate::db::Lock,
) -> ApiResult<()> {
    let (high, low) = company_id.as_u64_pair();
    let folded = (high ^ low) as u32 ^ ((high ^ low) >> 32) as u32;
    crate::db::advisory_xact_lock(db, DAYS_LOCK_SPACE, folded as i32, how).await?;
    Ok(())
}

/// Begins a write transaction that holds the company's stored-days lock (`how`) from its start.
/// A change that writes other rows (a schedule, a company, an employee) and then adds to or
/// recomputes days begins this way: taking the lock after those writes could wait in a circle
/// with a day writer that waits for one of those rows.
pub async fn begin(
    db: &sea_orm::DatabaseConnection,
    company_id: Uuid,
    how: crate::db::Lock,
) -> ApiResult<sea_orm::DatabaseTransaction> {
    let txn = crate::db::begin_write(db).await?;
    lock(&txn, company_id, how).await?;
    Ok(txn)
}

/// Adds `touched` to the company's stored days.
pub async fn add(db: &impl ConnectionTrait, company_id: Uuid, touched: Touched) -> ApiResult<()> {
    let Some((first, last)) = touched.0.iter().map(|(_, at)| *at).fold(
        None,
        |span: Option<(DateTime<Utc>, DateTime<Utc>)>, at| {
            Some(span.map_or((at, at), |(f, l)| (f.min(at), l.max(at))))
        },
    ) else {
        return Ok(());
    };
    lock(db, company_id, crate::db::Lock::Shared).await?;
    let company = companies::service::get(db, company_id).await?;
    // A check-in before the company's known start of attendance moves it back.
    if company.attendance_started_at.is_none_or(|s| first < s) {
        super::since::extend_back(db, company_id, first).await?;
    }
    let mut ids: Vec<Uuid> = touched.0.iter().map(|(e, _)| *e).collect();
    ids.sort_unstable();
    ids.dedup();
    let rules = days::DayRules::of(&company)?;
    let planner = Planner::load(
        db,
        &company,
        Scope::Only(&ids),
        rules.local_date(first),
        rules.local_date(last),
    )
    .await?;
    let mut rows = group(&planner, touched.0.into_iter());
    // A check-in for a locked day is stored and listed; the day keeps what it was.
    if let Some(locked) = company.attendance_locked_through {
        rows.retain(|r| r.date > locked);
    }
    let chunk_rows = bulk::rows_per_statement(db.get_database_backend(), COLUMNS.len());
    for chunk in rows.chunks(chunk_rows) {
        let merged = db
            .query_all_raw(upsert(db, company_id, chunk, Mode::Merge))
            .await?;
        // A day that was stored before now has more check-ins: derive its values again.
        let mut changed = Vec::new();
        for row in merged {
            let stored = attendance_day::Model::from_query_result(&row, "")?;
            let (plan, checkins) = stored_plan(&stored);
            let day = days::day(&plan, checkins);
            if derived(&day) != stored_derived(&stored) {
                changed.push(Row {
                    employee_id: stored.employee_id,
                    date: stored.date,
                    code_key: stored.employee_code_key,
                    plan,
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

/// Check-ins grouped into the days they belong to, as rows.
pub(super) fn group(
    planner: &Planner,
    checkins: impl Iterator<Item = (Uuid, DateTime<Utc>)>,
) -> Vec<Row> {
    let mut days: HashMap<(Uuid, NaiveDate), (Plan, Checkins)> = HashMap::new();
    for (employee_id, at) in checkins {
        if let Some((date, plan)) = planner.locate(employee_id, at) {
            days.entry((employee_id, date))
                .and_modify(|(_, c)| *c = c.merge(Checkins::one(at)))
                .or_insert((plan, Checkins::one(at)));
        }
    }
    days.into_iter()
        .filter_map(|((employee_id, date), (plan, checkins))| {
            Some(Row {
                employee_id,
                date,
                code_key: planner.people.get(&employee_id)?.code_key.clone(),
                plan,
                day: days::day(&plan, Some(checkins)),
            })
        })
        .collect()
}

/// A stored day's plan and check-ins, as written. (The window's start is not stored: the day
/// rules do not read it.)
fn stored_plan(m: &attendance_day::Model) -> (Plan, Option<Checkins>) {
    let plan = Plan {
        kind: DayKind::parse(&m.kind),
        schedule_id: m.schedule_id,
        shift: m.shift_start.zip(m.shift_end),
        pause: m.break_start.zip(m.break_end),
        late_grace: m.late_grace_minutes,
        early_grace: m.early_leave_grace_minutes,
        window: (m.window_end, m.window_end),
    };
    let checkins = m
        .first_check_in
        .zip(m.last_check_in)
        .map(|(first, last)| Checkins {
            first,
            last,
            count: m.checkin_count,
        });
    (plan, checkins)
}

type Derived = (i32, i32, i32, i32, &'static str);

fn derived(d: &Day) -> Derived {
    (
        d.worked_minutes,
        d.late_minutes,
        d.early_leave_minutes,
        d.overtime_minutes,
        d.status.as_str(),
    )
}

fn stored_derived(m: &attendance_day::Model) -> Derived {
    (
        m.worked_minutes,
        m.late_minutes,
        m.early_leave_minutes,
        m.overtime_minutes,
        days::DayStatus::parse(&m.status).as_str(),
    )
}

const COLUMNS: [bulk::Column; 22] = [
    bulk::Column::new("employee_id", ArrayType::Uuid, "uuid"),
    bulk::Column::new("date", ArrayType::ChronoDate, "date"),
    bulk::Column::new("company_id", ArrayType::Uuid, "uuid"),
    bulk::Column::new("employee_code_key", ArrayType::String, "text"),
    bulk::Column::time_null("first_check_in"),
    bulk::Column::time_null("last_check_in"),
    bulk::Column::new("checkin_count", ArrayType::Int, "int4"),
    bulk::Column::new("worked_minutes", ArrayType::Int, "int4"),
    bulk::Column::new("late_minutes", ArrayType::Int, "int4"),
    bulk::Column::new("early_leave_minutes", ArrayType::Int, "int4"),
    bulk::Column::new("overtime_minutes", ArrayType::Int, "int4"),
    bulk::Column::new("status", ArrayType::String, "text"),
    bulk::Column::new("kind", ArrayType::String, "text"),
    bulk::Column::uuid_null("schedule_id"),
    bulk::Column::time_null("shift_start"),
    bulk::Column::time_null("shift_end"),
    bulk::Column::time_null("break_start"),
    bulk::Column::time_null("break_end"),
    bulk::Column::new("late_grace_minutes", ArrayType::Int, "int4"),
    bulk::Column::new("early_leave_grace_minutes", ArrayType::Int, "int4"),
    bulk::Column::new("window_end", ArrayType::ChronoDateTimeUtc, "timestamptz"),
    bulk::Column::new("updated_at", ArrayType::ChronoDateTimeUtc, "timestamptz"),
];

/// The columns a replace writes: all but the key and the company.
const REPLACED: [&str; 19] = [
    "employee_code_key",
    "first_check_in",
    "last_check_in",
    "checkin_count",
    "worked_minutes",
    "late_minutes",
    "early_leave_minutes",
    "overtime_minutes",
    "status",
    "kind",
    "schedule_id",
    "shift_start",
    "shift_end",
    "break_start",
    "break_end",
    "late_grace_minutes",
    "early_leave_grace_minutes",
    "window_end",
    "updated_at",
];

/// One multi-row upsert of stored days.
fn upsert(db: &impl ConnectionTrait, company_id: Uuid, rows: &[Row], mode: Mode) -> Statement {
    let backend = db.get_database_backend();
    let (least, greatest) = match backend {
        DbBackend::Postgres => ("LEAST", "GREATEST"),
        _ => ("min", "max"),
    };
    let on_conflict = match mode {
        // COALESCE: a stored absence has no check-ins (SQLite's min() of a NULL is NULL).
        Mode::Merge => format!(
            "ON CONFLICT (employee_id, date) DO UPDATE SET \
             first_check_in = COALESCE({least}(attendance_days.first_check_in, excluded.first_check_in), excluded.first_check_in), \
             last_check_in = COALESCE({greatest}(attendance_days.last_check_in, excluded.last_check_in), excluded.last_check_in), \
             checkin_count = attendance_days.checkin_count + excluded.checkin_count, \
             employee_code_key = excluded.employee_code_key, updated_at = excluded.updated_at \
             RETURNING *"
        ),
        Mode::Replace => format!(
            "ON CONFLICT (employee_id, date) DO UPDATE SET {}",
            REPLACED
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Mode::Missing => "ON CONFLICT (employee_id, date) DO NOTHING".to_owned(),
    };
    let now = Utc::now();
    let time = |v: Option<DateTime<Utc>>| bulk::time_or_epoch(backend, v);
    let columns: Vec<Vec<Value>> = vec![
        rows.iter().map(|r| r.employee_id.into()).collect(),
        rows.iter().map(|r| r.date.into()).collect(),
        rows.iter().map(|_| company_id.into()).collect(),
        rows.iter().map(|r| r.code_key.clone().into()).collect(),
        rows.iter()
            .map(|r| time(r.day.checkins.map(|c| c.first)))
            .collect(),
        rows.iter()
            .map(|r| time(r.day.checkins.map(|c| c.last)))
            .collect(),
        rows.iter()
            .map(|r| r.day.checkins.map_or(0, |c| c.count).into())
            .collect(),
        rows.iter().map(|r| r.day.worked_minutes.into()).collect(),
        rows.iter().map(|r| r.day.late_minutes.into()).collect(),
        rows.iter()
            .map(|r| r.day.early_leave_minutes.into())
            .collect(),
        rows.iter().map(|r| r.day.overtime_minutes.into()).collect(),
        rows.iter().map(|r| r.day.status.as_str().into()).collect(),
        rows.iter().map(|r| r.plan.kind.as_str().into()).collect(),
        rows.iter()
            .map(|r| bulk::uuid_or_nil(backend, r.plan.schedule_id))
            .collect(),
        rows.iter()
            .map(|r| time(r.plan.shift.map(|s| s.0)))
            .collect(),
        rows.iter()
            .map(|r| time(r.plan.shift.map(|s| s.1)))
            .collect(),
        rows.iter()
            .map(|r| time(r.plan.pause.map(|s| s.0)))
            .collect(),
        rows.iter()
            .map(|r| time(r.plan.pause.map(|s| s.1)))
            .collect(),
        rows.iter().map(|r| r.plan.late_grace.into()).collect(),
        rows.iter().map(|r| r.plan.early_grace.into()).collect(),
        rows.iter().map(|r| r.plan.window.1.into()).collect(),
        rows.iter().map(|_| now.into()).collect(),
    ];
    bulk::insert(backend, "attendance_days", &COLUMNS, columns, &on_conflict)
}

pub(super) async fn write(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    rows: &[Row],
    mode: Mode,
) -> ApiResult<()> {
    let chunk_rows = bulk::rows_per_statement(db.get_database_backend(), COLUMNS.len());
    for chunk in rows.chunks(chunk_rows) {
        db.execute_raw(upsert(db, company_id, chunk, mode)).await?;
    }
    Ok(())
}

/// Keeps the code copied into an employee's days in step with the employee's code.
pub async fn rename(
    db: &impl ConnectionTrait,
    company_id: Uuid,
    employee_id: Uuid,
    code_key: &str,
) -> ApiResult<()> {
    lock(db, company_id, crate::db::Lock::Shared).await?;
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
