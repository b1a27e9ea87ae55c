//! Days without check-ins reach the store as the calendar does: every few minutes, each company
//! with a work schedule gets the rows of today (and of any days since the last pass) for its
//! scheduled employees — absences, leave, holidays — inserted where missing, so an absence is a
//! row HR can list and filter. Today is inserted again on every pass, which is how employees
//! created during the day get theirs (without a per-employee write on every create or import). Stored days are never overwritten here, so a pass racing an
//! ingest (or another process's pass) changes nothing it should not.

use std::time::Duration;

use chrono::Duration as Days;
use entity::{company, schedule_assignment};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};

use super::{DayRules, plan::Scope};
use crate::{
    error::ApiResult,
    periodic::{Start, Task},
    state::AppState,
};

const INTERVAL: Duration = Duration::from_secs(300);

/// Stores expected days at start and every few minutes (one process per interval).
pub fn spawn(app: AppState) {
    let task = Task {
        name: "days",
        interval: INTERVAL,
        start: Start::Now,
    };
    crate::periodic::spawn(app, task, |app| async move { pass(&app).await });
}

/// One pass over every company with a schedule; returns how many days it considered.
pub async fn pass(app: &AppState) -> ApiResult<usize> {
    let assigned: Vec<uuid::Uuid> = schedule_assignment::Entity::find()
        .select_only()
        .column(schedule_assignment::Column::CompanyId)
        .distinct()
        .into_tuple()
        .all(&app.db)
        .await?;
    let companies = company::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(company::Column::DefaultScheduleId.is_not_null())
                .add(company::Column::Id.is_in(assigned)),
        )
        .all(&app.db)
        .await?;
    let mut considered = 0;
    for company in companies {
        let today = DayRules::of(&company)?.today();
        let from = company
            .days_materialized_until
            .map_or(today, |until| (until + Days::days(1)).min(today));
        let txn = crate::db::begin_write(&app.db).await?;
        considered += super::rebuild::materialize(&txn, &company, Scope::All, from, today).await?;
        company::Entity::update_many()
            .col_expr(company::Column::DaysMaterializedUntil, Expr::value(today))
            .filter(company::Column::Id.eq(company.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok(considered)
}
