//! The demo company's schedules and a month of history, so its timesheet shows every status:
//! an office schedule as the default, a night shift for Operations, a holiday, a leave, and
//! check-ins since the start of last month (on time, late, leaving early, both, a single
//! check-in, absences, a worked Saturday). Seeded once, when the company has no schedule.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use entity::{company, employee};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::{
    auth::Scope, checkins::store as ingest, days::DayRules, state::AppState, vendor::VendorCheckin,
};

pub async fn seed(app: &AppState, scope: &Scope) -> anyhow::Result<()> {
    let db = &app.db;
    if !crate::schedules::service_list(db, scope.company_id)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?
        .is_empty()
    {
        return Ok(());
    }
    eprintln!("seeding schedules, a holiday, a leave and a month of check-ins…");
    let company = crate::companies::service::get(db, scope.company_id)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?;
    let rules = DayRules::of(&company).map_err(crate::error::ApiError::into_anyhow)?;
    let today = rules.today();
    let start = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
        .unwrap_or(today);
    // History first (as a backfill would bring it), then the calendar recomputes it.
    let staff = employee::Entity::find()
        .filter(employee::Column::CompanyId.eq(scope.company_id))
        .all(db)
        .await?;
    let mut rows = Vec::new();
    let mut date = start;
    while date < today {
        for (i, e) in staff.iter().enumerate() {
            rows.extend(day_of(&rules, e, i, date));
        }
        date = date.succ_opt().unwrap_or(today);
    }
    ingest::store(
        ingest::Intake::of(app),
        scope.company_id,
        ingest::Source::Pull,
        rows,
    )
    .await
    .map_err(crate::error::ApiError::into_anyhow)?;
    // The history is all there is: attendance is known complete up to the start of today.
    company::Entity::update_many()
        .col_expr(
            company::Column::AttendanceCompleteUntil,
            Expr::value(rules.day_start(today)),
        )
        .filter(company::Column::Id.eq(scope.company_id))
        .exec(db)
        .await?;
    crate::schedules::seed_demo(app, scope, start)
        .await
        .map_err(crate::error::ApiError::into_anyhow)?;
    Ok(())
}

/// The check-ins of employee `i` on `date`: a pattern by day and person.
fn day_of(rules: &DayRules, e: &employee::Model, i: usize, date: NaiveDate) -> Vec<VendorCheckin> {
    let night = e.department_id.is_some() && i % 4 == 2;
    let weekday = date.weekday();
    let pattern = (i + date.day() as usize) % 11;
    let at = |minute: i32| rules.at(date, minute);
    let times: Vec<i32> = if night {
        if weekday == Weekday::Sun || pattern == 3 {
            vec![]
        } else {
            vec![21 * 60 + 55, 30 * 60 + 5]
        }
    } else if weekday == Weekday::Sat {
        if pattern == 0 {
            vec![9 * 60, 11 * 60 + 30]
        } else {
            vec![]
        }
    } else if weekday == Weekday::Sun {
        vec![]
    } else {
        match pattern {
            1 => vec![8 * 60 + 25, 17 * 60 + 5],
            2 => vec![7 * 60 + 50, 16 * 60 + 20],
            3 => vec![8 * 60 + 40, 16 * 60 + 10],
            4 => vec![7 * 60 + 58],
            5 => vec![],
            _ => vec![7 * 60 + 50, 17 * 60 + 10],
        }
    };
    times
        .into_iter()
        .map(|minute| {
            let moment = at(minute) + Duration::seconds((i % 50) as i64);
            VendorCheckin {
                event_id: None,
                place_id: super::PLACE.to_owned(),
                place_name: Some("Demo office".to_owned()),
                device_id: "C20371B106".to_owned(),
                device_name: Some("Front door".to_owned()),
                person_type: 0,
                person_id: e.hanet_person_id.clone(),
                alias: Some(e.employee_code.clone()),
                person_name: Some(e.full_name.clone()),
                person_title: e.title.clone(),
                snapshot_url: None,
                captured_at_ms: moment.timestamp_millis(),
            }
        })
        .filter(|c| c.captured_at_ms < Utc::now().timestamp_millis())
        .collect()
}
