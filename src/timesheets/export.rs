//! Writing a timesheet: the columns (employee ID, name, department, one short status code per
//! day, then the totals) and the code legend. CSV is one table written page by page as it
//! downloads (see `download`); XLSX is built from the same rows in [`super::xlsx`].

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::service::Sheet;
use crate::days::DayStatus;

/// The header row.
pub fn header((from, to): (NaiveDate, NaiveDate)) -> Vec<String> {
    let mut header = vec![
        "Employee ID".to_owned(),
        "Name".to_owned(),
        "Department".to_owned(),
    ];
    header.extend(
        from.iter_days()
            .take_while(|d| *d <= to)
            .map(|d| format!("{:02}", d.day())),
    );
    header.extend(
        [
            "Worked minutes",
            "Overtime minutes",
            "Days present",
            "Days late",
            "Late minutes",
            "Days early leave",
            "Early leave minutes",
            "Days absent",
            "Days on leave",
            "Days incomplete",
            "Holidays",
            "Days pending",
        ]
        .map(str::to_owned),
    );
    header
}

/// A cell of a row: text or a number.
#[derive(Clone)]
pub enum Cell {
    Text(String),
    Number(i64),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Self::Text(t) => t.clone(),
            Self::Number(n) => n.to_string(),
        }
    }

    /// The cell as a CSV field. A text that a spreadsheet would read as a formula (it starts
    /// with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's list) gets a leading `'`,
    /// so a name such as `=HYPERLINK(…)` shows as text when HR opens the file. Numbers are
    /// written as they are.
    pub fn csv_field(&self) -> String {
        match self {
            Self::Text(t) if t.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{t}"),
            other => other.text(),
        }
    }
}

/// One employee's row.
pub fn row(
    sheet: &Sheet,
    (from, to): (NaiveDate, NaiveDate),
    departments: &HashMap<Uuid, String>,
) -> Vec<Cell> {
    let e = &sheet.employee;
    let mut cells = vec![
        Cell::Text(e.employee_code.clone()),
        Cell::Text(e.full_name.clone()),
        Cell::Text(
            e.department_id
                .and_then(|d| departments.get(&d).cloned())
                .unwrap_or_default(),
        ),
    ];
    let by_date: HashMap<NaiveDate, DayStatus> = sheet
        .days
        .iter()
        .map(|d| (d.day.date, d.read_status()))
        .collect();
    cells.extend(from.iter_days().take_while(|d| *d <= to).map(|d| {
        Cell::Text(
            by_date
                .get(&d)
                .map_or_else(String::new, |s| s.code().to_owned()),
        )
    }));
    let t = &sheet.totals;
    cells.extend(
        [
            t.worked_minutes,
            t.overtime_minutes,
            i64::from(t.days_present),
            i64::from(t.days_late),
            t.late_minutes,
            i64::from(t.days_early_leave),
            t.early_leave_minutes,
            i64::from(t.days_absent),
            i64::from(t.days_on_leave),
            i64::from(t.days_incomplete),
            i64::from(t.holidays),
            i64::from(t.days_pending),
        ]
        .map(Cell::Number),
    );
    cells
}

/// The legend: code, meaning. An empty cell is a day without a stored row (a day off or a
/// day without a schedule or check-in).
pub fn legend() -> Vec<[String; 2]> {
    DayStatus::ALL
        .into_iter()
        .map(|s| [s.code().to_owned(), s.meaning().to_owned()])
        .chain([[
            "".to_owned(),
            "no stored day (day off, no schedule)".to_owned(),
        ]])
        .collect()
}
