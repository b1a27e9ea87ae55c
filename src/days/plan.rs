//! What the day rules need to know about a company's employees over some dates, read in a few
//! queries: schedules, who works which (effective-dated; employee, then department, then the
//! company default), holidays, leave, and each employee's code, department and work status.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    company, employee, employee::WorkStatus, employee_period, holiday, leave, schedule_assignment,
    work_schedule,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::days::{self, DayRules, Plan, Shift};
use crate::error::ApiResult;

/// Which employees a planner knows.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    All,
    Only(&'a [Uuid]),
}

/// An employee's department and work status from a day on.
struct Period {
    from: NaiveDate,
    department_id: Option<Uuid>,
    status: WorkStatus,
}

/// An employee as the day rules see them.
pub struct Person {
    pub code_key: String,
    /// Department and work status over time, oldest first (`employee_periods`); the first
    /// also covers every earlier day.
    periods: Vec<Period>,
    /// What the employee is now: used when no period is stored.
    current: Period,
    /// The first day absences can count (see `since`).
    pub since: NaiveDate,
}

impl Person {
    /// What the employee was on `date`.
    fn on(&self, date: NaiveDate) -> &Period {
        self.periods
            .iter()
            .rev()
            .find(|p| p.from <= date)
            .or(self.periods.first())
            .unwrap_or(&self.current)
    }

    /// Whether days without check-ins are stored for this employee on `date`.
    pub fn expected_on(&self, date: NaiveDate) -> bool {
        self.on(date).status != WorkStatus::Resigned && date >= self.since
    }
}

struct Assignment {
    schedule_id: Uuid,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

impl Assignment {
    fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }
}

/// The day rules' view of a company, for a scope of employees and a range of dates.
pub struct Planner {
    pub rules: DayRules,
    shifts: HashMap<Uuid, Shift>,
    default: Option<Uuid>,
    /// Newest first.
    by_employee: HashMap<Uuid, Vec<Assignment>>,
    by_department: HashMap<Uuid, Vec<Assignment>>,
    holidays: HashSet<NaiveDate>,
    leaves: HashMap<Uuid, Vec<(NaiveDate, NaiveDate)>>,
    pub people: HashMap<Uuid, Person>,
}

impl Planner {
    /// Reads what days `from..=to` (a day either side for windows that cross midnight) of the
    /// employees in `scope` depend on.
    pub async fn load(
        db: &impl ConnectionTrait,
        company: &company::Model,
        scope: Scope<'_>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> ApiResult<Self> {
        let rules = DayRules::of(company)?;
        let company_first = super::since::first_day(company, &rules);
        let (from, to) = (from - Duration::days(1), to + Duration::days(1));
        let mut employees =
            employee::Entity::find().filter(employee::Column::CompanyId.eq(company.id));
        if let Scope::Only(ids) = scope {
            employees = employees.filter(employee::Column::Id.is_in(ids.iter().copied()));
        }
        let mut people: HashMap<Uuid, Person> = employees
            .all(db)
            .await?
            .into_iter()
            .map(|e| {
                let person = Person {
                    code_key: e.employee_code_key,
                    periods: Vec::new(),
                    current: Period {
                        from: rules.local_date(e.created_at),
                        department_id: e.department_id,
                        status: e.work_status,
                    },
                    since: super::since::employee_since(
                        e.start_date,
                        rules.local_date(e.created_at),
                        company_first,
                    ),
                };
                (e.id, person)
            })
            .collect();
        let mut periods = employee_period::Entity::find()
            .filter(employee_period::Column::CompanyId.eq(company.id));
        if let Scope::Only(ids) = scope {
            periods =
                periods.filter(employee_period::Column::EmployeeId.is_in(ids.iter().copied()));
        }
        for p in periods
            .order_by_asc(employee_period::Column::FromDate)
            .all(db)
            .await?
        {
            if let Some(person) = people.get_mut(&p.employee_id) {
                person.periods.push(Period {
                    from: p.from_date,
                    department_id: p.department_id,
                    status: p.work_status,
                });
            }
        }
        let shifts: HashMap<Uuid, Shift> = work_schedule::Entity::find()
            .filter(work_schedule::Column::CompanyId.eq(company.id))
            .all(db)
            .await?
            .iter()
            .map(|s| (s.id, Shift::of(s)))
            .collect();
        let mut planner = Self {
            rules,
            default: company
                .default_schedule_id
                .filter(|id| shifts.contains_key(id)),
            shifts,
            by_employee: HashMap::new(),
            by_department: HashMap::new(),
            holidays: HashSet::new(),
            leaves: HashMap::new(),
            people,
        };
        if !planner.shifts.is_empty() {
            // Only what can apply: ranges that overlap, of the employees in scope and of the
            // departments they were ever in (an assignment's cost is the scope's, not the
            // company's history).
            let overlapping = || {
                schedule_assignment::Entity::find()
                    .filter(schedule_assignment::Column::CompanyId.eq(company.id))
                    .filter(schedule_assignment::Column::FromDate.lte(to))
                    .filter(
                        Condition::any()
                            .add(schedule_assignment::Column::ToDate.is_null())
                            .add(schedule_assignment::Column::ToDate.gte(from)),
                    )
            };
            let mut assignments = match scope {
                Scope::All => overlapping().all(db).await?,
                // One query per column, so each reads its own index (company, employee or
                // department, from): an OR of the two made SQLite scan every assignment of
                // the company on each check-in (the profile of `bench webhooks
                // --assignments 10000`: the time in sqlite3VdbeExec and B-tree walks).
                Scope::Only(ids) => {
                    let departments: HashSet<Uuid> = planner
                        .people
                        .values()
                        .flat_map(|p| p.periods.iter().chain([&p.current]))
                        .filter_map(|p| p.department_id)
                        .collect();
                    let mut found = Vec::new();
                    for chunk in ids.chunks(500) {
                        found.extend(
                            overlapping()
                                .filter(
                                    schedule_assignment::Column::EmployeeId
                                        .is_in(chunk.iter().copied()),
                                )
                                .all(db)
                                .await?,
                        );
                    }
                    let departments: Vec<Uuid> = departments.into_iter().collect();
                    for chunk in departments.chunks(500) {
                        found.extend(
                            overlapping()
                                .filter(
                                    schedule_assignment::Column::DepartmentId
                                        .is_in(chunk.iter().copied()),
                                )
                                .all(db)
                                .await?,
                        );
                    }
                    found
                }
            };
            // Newest first: the most recent assignment of a day wins.
            assignments.sort_by_key(|a| std::cmp::Reverse((a.created_at, a.id)));
            for a in assignments {
                let entry = Assignment {
                    schedule_id: a.schedule_id,
                    from: a.from_date,
                    to: a.to_date,
                };
                match (a.employee_id, a.department_id) {
                    (Some(e), _) => planner.by_employee.entry(e).or_default().push(entry),
                    (None, Some(d)) => planner.by_department.entry(d).or_default().push(entry),
                    (None, None) => {}
                }
            }
        }
        planner.holidays = holiday::Entity::find()
            .filter(holiday::Column::CompanyId.eq(company.id))
            .filter(holiday::Column::Date.gte(from))
            .filter(holiday::Column::Date.lte(to))
            .all(db)
            .await?
            .into_iter()
            .map(|h| h.date)
            .collect();
        let mut leaves = leave::Entity::find()
            .filter(leave::Column::CompanyId.eq(company.id))
            .filter(leave::Column::CancelledAt.is_null())
            .filter(leave::Column::FromDate.lte(to))
            .filter(leave::Column::ToDate.gte(from));
        if let Scope::Only(ids) = scope {
            leaves = leaves.filter(leave::Column::EmployeeId.is_in(ids.iter().copied()));
        }
        for l in leaves.all(db).await? {
            planner
                .leaves
                .entry(l.employee_id)
                .or_default()
                .push((l.from_date, l.to_date));
        }
        Ok(planner)
    }

    /// The schedule an employee works on `date`.
    fn shift(&self, person: &Person, employee_id: Uuid, date: NaiveDate) -> Option<&Shift> {
        let covering = |list: Option<&Vec<Assignment>>| {
            list.and_then(|l| l.iter().find(|a| a.covers(date)))
                .map(|a| a.schedule_id)
        };
        covering(self.by_employee.get(&employee_id))
            .or_else(|| {
                covering(
                    person
                        .on(date)
                        .department_id
                        .and_then(|d| self.by_department.get(&d)),
                )
            })
            .or(self.default)
            .and_then(|id| self.shifts.get(&id))
    }

    /// Employee `employee_id`'s day `date`; none for an employee the planner does not know.
    pub fn plan(&self, employee_id: Uuid, date: NaiveDate) -> Option<Plan> {
        let person = self.people.get(&employee_id)?;
        let on_leave = matches!(
            person.on(date).status,
            WorkStatus::UnpaidLeave | WorkStatus::MaternityLeave
        ) || self
            .leaves
            .get(&employee_id)
            .is_some_and(|l| l.iter().any(|(f, t)| *f <= date && date <= *t));
        Some(self.rules.plan(
            date,
            self.shift(person, employee_id, date),
            self.holidays.contains(&date),
            on_leave,
        ))
    }

    /// The day a check-in of `employee_id` at `at` belongs to, with its plan.
    pub fn locate(&self, employee_id: Uuid, at: DateTime<Utc>) -> Option<(NaiveDate, Plan)> {
        days::locate(&self.rules, at, |date| self.plan(employee_id, date))
    }
}
