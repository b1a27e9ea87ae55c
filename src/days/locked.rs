//! Locked attendance: a company may lock its days up to a date (a payroll period it has
//! closed). Locked days keep what they were: no change recomputes them, and a check-in that
//! arrives for one is stored (and listed) without changing it. Corrections, holidays and leave
//! that would change a locked day are refused; `unlockAttendance` reopens days and recomputes
//! them from what is stored then.

use chrono::NaiveDate;
use entity::company;
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The company's locked-through date as stored now (read under the days lock, so a lock that
/// committed while the caller waited for it counts).
pub async fn through(db: &impl ConnectionTrait, company_id: Uuid) -> ApiResult<Option<NaiveDate>> {
    let locked: Option<Option<NaiveDate>> = company::Entity::find_by_id(company_id)
        .select_only()
        .column(company::Column::AttendanceLockedThrough)
        .into_tuple()
        .one(db)
        .await?;
    Ok(locked.flatten())
}

/// The first day a change may touch: `from`, or the day after the lock.
pub fn first_open(locked: Option<NaiveDate>, from: NaiveDate) -> NaiveDate {
    match locked.and_then(|l| l.succ_opt()) {
        Some(open) => from.max(open),
        None => from,
    }
}

/// Refuses a change to `date` when it is locked: `CONFLICT`, naming what and the lock.
pub fn refuse(locked: Option<NaiveDate>, date: NaiveDate, what: &str) -> ApiResult<()> {
    match locked {
        Some(through) if date <= through => Err(ApiError::Conflict(format!(
            "{what} {date} is in locked attendance (locked through {through}); \
             an admin can reopen it with unlockAttendance"
        ))),
        _ => Ok(()),
    }
}
