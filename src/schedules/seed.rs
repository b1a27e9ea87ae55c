//! The demo's schedules: an office schedule as the default, holidays and leave, so the demo's
//! timesheet shows every status.

use super::*;

/// The demo company's calendar: an office schedule as the default, a night shift for the
/// Operations department from `from`, a holiday and a two-day leave after `from`.
#[cfg(feature = "demo")]
pub async fn seed_demo(
    app: &crate::state::AppState,
    scope: &crate::auth::Scope,
    from: chrono::NaiveDate,
) -> crate::error::ApiResult<()> {
    use chrono::{Datelike, Duration, Weekday};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    use crate::scalars::Date;
    use types::{DayOfWeek, HolidayInput, LeaveKind, RecordLeaveInput, WorkScheduleInput};

    let days = |n: usize| -> Vec<DayOfWeek> { DayOfWeek::ALL.into_iter().take(n).collect() };
    let office = WorkScheduleInput {
        name: "Văn phòng 08:00–17:00".to_owned(),
        start_time: "08:00".to_owned(),
        end_time: "17:00".to_owned(),
        break_start: Some("12:00".to_owned()),
        break_end: Some("13:00".to_owned()),
        late_grace_minutes: Some(5),
        early_leave_grace_minutes: Some(5),
        work_days: days(5),
        check_in_opens_minutes_before: None,
        check_out_closes_minutes_after: None,
    };
    let night = WorkScheduleInput {
        name: "Ca đêm 22:00–06:00".to_owned(),
        start_time: "22:00".to_owned(),
        end_time: "06:00".to_owned(),
        break_start: None,
        break_end: None,
        late_grace_minutes: Some(5),
        early_leave_grace_minutes: Some(5),
        work_days: days(6),
        check_in_opens_minutes_before: Some(60),
        check_out_closes_minutes_after: Some(240),
    };
    let db = &app.db;
    let office = service::create(db, scope, &office).await?;
    let night = service::create(db, scope, &night).await?;
    let (_, recomputed) = service::set_default(db, scope, office.id).await?;
    if recomputed.job.is_some() {
        app.jobs.queued();
    }
    let operations = entity::department::Entity::find()
        .filter(entity::department::Column::CompanyId.eq(scope.company_id))
        .filter(entity::department::Column::Name.eq("Operations"))
        .one(db)
        .await?;
    if let Some(operations) = operations {
        let input = types::AssignWorkScheduleInput {
            schedule_id: crate::ids::to_id(night.id),
            employee_ids: None,
            department_ids: Some(vec![crate::ids::to_id(operations.id)]),
            from: Date(from),
            to: None,
        };
        let (_, recomputed) = assign::assign(db, scope, &input).await?;
        if recomputed.job.is_some() {
            app.jobs.queued();
        }
    }
    let mut wednesday = from + Duration::days(7);
    while wednesday.weekday() != Weekday::Wed {
        wednesday += Duration::days(1);
    }
    // A holiday last month, and one this month when its first Wednesday has passed.
    let today =
        crate::days::DayRules::of(&crate::companies::service::get(db, scope.company_id).await?)?
            .today();
    let mut this_month = today.with_day(1).unwrap_or(today);
    while this_month.weekday() != Weekday::Wed {
        this_month += Duration::days(1);
    }
    for date in [Some(wednesday), Some(this_month).filter(|d| *d < today)]
        .into_iter()
        .flatten()
    {
        calendar::create_holiday(
            db,
            scope,
            &HolidayInput {
                date: Date(date),
                name: "Ngày hội công ty".to_owned(),
            },
        )
        .await?;
    }
    let someone = entity::employee::Entity::find()
        .filter(entity::employee::Column::CompanyId.eq(scope.company_id))
        .filter(entity::employee::Column::EmployeeCode.eq("NV002"))
        .one(db)
        .await?;
    if let Some(someone) = someone {
        let monday = wednesday + Duration::days(5);
        calendar::record_leave(
            db,
            scope,
            &RecordLeaveInput {
                employee_id: crate::ids::to_id(someone.id),
                from: Date(monday),
                to: Date(monday + Duration::days(1)),
                kind: LeaveKind::Paid,
                note: Some("Việc gia đình".to_owned()),
            },
        )
        .await?;
    }
    Ok(())
}
