//! Reading attendance: pages of raw check-ins and of stored attendance days, each a keyset
//! read on an index in the page's order, so a page costs the page — not the range, the page
//! depth or the company's size.

use async_graphql::ID;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{attendance_day, checkin, employee};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::types::CheckinFilter;
use crate::days::DayStatus;
use crate::{
    employees::service::ListQuery,
    error::{ApiError, ApiResult},
    ids, pagination,
};

/// A check-in list resolved against one company.
pub struct CheckinQuery {
    condition: Condition,
}

impl CheckinQuery {
    pub fn new(company_id: Uuid, filter: &CheckinFilter) -> ApiResult<Self> {
        crate::error::supported_moment("from", filter.from)?;
        crate::error::supported_moment("to", filter.to)?;
        let mut condition = Condition::all()
            .add(checkin::Column::CompanyId.eq(company_id))
            .add(checkin::Column::CapturedAt.gte(filter.from))
            .add(checkin::Column::CapturedAt.lt(filter.to));
        if let Some(ids) = &filter.employee_ids {
            let ids = ids
                .iter()
                .map(|id: &ID| ids::parse(id, "employee"))
                .collect::<ApiResult<Vec<_>>>()?;
            condition = condition.add(checkin::Column::EmployeeId.is_in(ids));
        }
        match filter.matched {
            Some(true) => condition = condition.add(checkin::Column::EmployeeId.is_not_null()),
            Some(false) => condition = condition.add(checkin::Column::EmployeeId.is_null()),
            None => {}
        }
        if let Some(devices) = &filter.device_ids {
            condition = condition.add(checkin::Column::DeviceId.is_in(devices.iter().cloned()));
        }
        Ok(Self { condition })
    }
}

#[async_trait::async_trait]
impl pagination::Countable for CheckinQuery {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        Ok(checkin::Entity::find()
            .filter(self.condition.clone())
            .count(db)
            .await?)
    }
}

/// Where a check-in page ends: capture time, then id.
pub type CheckinKey = (DateTime<Utc>, Uuid);

fn decode<T: serde::de::DeserializeOwned>(after: Option<&str>) -> ApiResult<Option<T>> {
    pagination::decode_after(after)?
        .map(|key| {
            serde_json::from_str(&key)
                .map_err(|_| ApiError::bad_input("after", "not a cursor this list handed out"))
        })
        .transpose()
}

fn encode<T: serde::Serialize>(key: &T) -> String {
    pagination::cursor(&serde_json::to_string(key).unwrap_or_default())
}

/// One page of check-ins by (capture time, id), after `after`; and whether more follow.
pub async fn checkin_page(
    db: &impl ConnectionTrait,
    query: &CheckinQuery,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<(String, checkin::Model)>, bool)> {
    let mut select = checkin::Entity::find().filter(query.condition.clone());
    if let Some((at, id)) = decode::<CheckinKey>(after)? {
        select = select.filter(checkin::Column::CapturedAt.gte(at)).filter(
            Condition::any()
                .add(checkin::Column::CapturedAt.gt(at))
                .add(checkin::Column::Id.gt(id)),
        );
    }
    let (rows, more) = crate::pagination::keyset_page(
        db,
        select
            .order_by_asc(checkin::Column::CapturedAt)
            .order_by_asc(checkin::Column::Id),
        first,
    )
    .await?;
    Ok((
        rows.into_iter()
            .map(|c| (encode(&(c.captured_at, c.id)), c))
            .collect(),
        more,
    ))
}

/// An attendance-day list: a company's stored days in a date range, of the employees a filter
/// selects.
pub struct DayQuery {
    pub company_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub employees: Option<ListQuery>,
    /// Only days with these statuses, as read at `complete_until`.
    pub statuses: Option<Condition>,
    /// The company's `attendanceCompleteUntil` when the query was made.
    pub complete_until: Option<DateTime<Utc>>,
}

impl DayQuery {
    pub fn new(
        company: &entity::company::Model,
        from: NaiveDate,
        to: NaiveDate,
        employees: Option<ListQuery>,
        statuses: Option<&[DayStatus]>,
    ) -> ApiResult<Self> {
        if from > to {
            return Err(ApiError::bad_input("to", "must not be before `from`"));
        }
        let complete_until = company.attendance_complete_until;
        Ok(Self {
            company_id: company.id,
            from,
            to,
            employees,
            statuses: statuses.map(|s| status_condition(s, complete_until)),
            complete_until,
        })
    }

    fn days(&self) -> sea_orm::Select<attendance_day::Entity> {
        let mut days = attendance_day::Entity::find()
            .filter(attendance_day::Column::CompanyId.eq(self.company_id))
            .filter(attendance_day::Column::Date.gte(self.from))
            .filter(attendance_day::Column::Date.lte(self.to));
        if let Some(statuses) = &self.statuses {
            days = days.filter(statuses.clone());
        }
        days
    }

    fn select(&self) -> sea_orm::SelectTwo<attendance_day::Entity, employee::Entity> {
        let mut select = self.days().find_also_related(employee::Entity);
        if let Some(employees) = &self.employees {
            select = select.filter(employees.condition());
        }
        select
    }
}

/// The days whose status reads as one of `statuses` at `complete_until` (the SQL of
/// [`days::resolve`]): a holiday, leave or day off is what it is; any other stored status
/// reads as itself once the window closed before `complete_until`, else as `PENDING`.
pub fn status_condition(
    statuses: &[DayStatus],
    complete_until: Option<DateTime<Utc>>,
) -> Condition {
    let settled = [DayStatus::Holiday, DayStatus::OnLeave, DayStatus::DayOff];
    let mut any = Condition::any();
    for status in statuses {
        any = match (status, complete_until) {
            (s, _) if settled.contains(s) => any.add(attendance_day::Column::Status.eq(s.as_str())),
            (DayStatus::Pending, until) => {
                let mut open = Condition::all().add(
                    attendance_day::Column::Status.is_not_in(settled.iter().map(|s| s.as_str())),
                );
                if let Some(until) = until {
                    open = open.add(attendance_day::Column::WindowEnd.gt(until));
                }
                any.add(open)
            }
            (_, None) => any,
            (s, Some(until)) => any.add(
                Condition::all()
                    .add(attendance_day::Column::Status.eq(s.as_str()))
                    .add(attendance_day::Column::WindowEnd.lte(until)),
            ),
        };
    }
    // No status given, or none that can match: nothing.
    any.add(sea_orm::sea_query::Expr::cust("1 = 0"))
}

#[async_trait::async_trait]
impl pagination::Countable for DayQuery {
    async fn count(&self, db: &sea_orm::DatabaseConnection) -> ApiResult<u64> {
        let days = self.days();
        Ok(match &self.employees {
            // Only the (company, date) index: no join when every employee counts.
            None => days.count(db).await?,
            Some(employees) => {
                days.inner_join(employee::Entity)
                    .filter(employees.condition())
                    .count(db)
                    .await?
            }
        })
    }
}

/// Where a day page ends: employee code key, date, employee id.
type DayKey = (String, NaiveDate, Uuid);

/// A stored day with its employee.
pub type DayRow = (attendance_day::Model, employee::Model);

/// One page of days in (employee ID, date) order after `after`; and whether more follow.
pub async fn day_page(
    db: &impl ConnectionTrait,
    query: &DayQuery,
    first: u64,
    after: Option<&str>,
) -> ApiResult<(Vec<(String, DayRow)>, bool)> {
    let mut select = query.select();
    let after = decode::<DayKey>(after)?;
    if after.is_none() {
        // Always true (codes are not empty), and it makes the first page use the page index
        // like every later page: SQLite otherwise picks the (company, date) index and sorts the
        // whole range.
        select = select.filter(attendance_day::Column::EmployeeCodeKey.gte(""));
    }
    if let Some((code, date, id)) = after {
        // `code >= c` first, so the index range starts at the cursor.
        select = select
            .filter(attendance_day::Column::EmployeeCodeKey.gte(code.as_str()))
            .filter(
                Condition::any()
                    .add(attendance_day::Column::EmployeeCodeKey.gt(code.as_str()))
                    .add(attendance_day::Column::Date.gt(date))
                    .add(
                        Condition::all()
                            .add(attendance_day::Column::Date.eq(date))
                            .add(attendance_day::Column::EmployeeId.gt(id)),
                    ),
            );
    }
    let rows = select
        .order_by_asc(attendance_day::Column::EmployeeCodeKey)
        .order_by_asc(attendance_day::Column::Date)
        .order_by_asc(attendance_day::Column::EmployeeId)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > first;
    Ok((
        rows.into_iter()
            .take(first as usize)
            .filter_map(|(day, employee)| Some((day, employee?)))
            .map(|(day, employee)| {
                let key = (day.employee_code_key.clone(), day.date, day.employee_id);
                (encode(&key), (day, employee))
            })
            .collect(),
        more,
    ))
}

/// The company and employee of a login linked to an employee (`EMPLOYEE` users): what
/// `myAttendanceDays` and `myTimesheet` read. `FORBIDDEN` for a login without an employee.
pub async fn own_employee(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> ApiResult<(entity::company::Model, employee::Model)> {
    let user = crate::auth::service::find_user(db, user_id).await?;
    let (Some(company_id), Some(employee_id)) = (user.company_id, user.employee_id) else {
        return Err(ApiError::Forbidden(
            "this login is not linked to an employee".to_owned(),
        ));
    };
    let company = crate::linking::service::camera_company(db, company_id).await?;
    let employee = crate::employees::service::get(db, company_id, employee_id).await?;
    Ok((company, employee))
}

/// The longest range `myAttendanceDays` answers at once (it is not paged).
const MAX_OWN_DAYS: i64 = 366;

/// One employee's stored days in a date range, oldest first.
pub async fn employee_days(
    db: &impl ConnectionTrait,
    employee: &employee::Model,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<attendance_day::Model>> {
    if from > to {
        return Err(ApiError::bad_input("to", "must not be before `from`"));
    }
    if (to - from).num_days() >= MAX_OWN_DAYS {
        return Err(ApiError::bad_input(
            "from",
            format!("at most {MAX_OWN_DAYS} days at once"),
        ));
    }
    Ok(attendance_day::Entity::find()
        .filter(attendance_day::Column::EmployeeId.eq(employee.id))
        .filter(attendance_day::Column::Date.gte(from))
        .filter(attendance_day::Column::Date.lte(to))
        .order_by_asc(attendance_day::Column::Date)
        .all(db)
        .await?)
}
