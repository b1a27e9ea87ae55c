//! Writing a timesheet: the columns (employee ID, name, department, one short status code per
//! day, then the totals), the code legend, and the two formats. CSV is written page by page
//! as it downloads; XLSX is built from the same pages with constant-memory worksheets (rows go
//! to temporary files, not to memory) and sent when complete.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Workbook, XlsxError};
use uuid::Uuid;

use super::service::Sheet;
use crate::attendance::days::DayStatus;

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

/// An Excel sheet name: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect::<String>()
        .trim()
        .chars()
        .take(28)
        .collect();
    let base = if clean.is_empty() {
        "Department".to_owned()
    } else {
        clean
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        candidate = format!("{base} {n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// An XLSX workbook being written: a summary sheet with everyone, a sheet per department, and
/// the legend at the end.
pub struct Xlsx {
    book: Workbook,
    header: Vec<String>,
    /// Sheet index and next row, by department name ("" for none).
    sheets: HashMap<String, (usize, u32)>,
    summary_row: u32,
    names: Vec<String>,
}

impl Xlsx {
    pub fn new(header: Vec<String>) -> Result<Self, XlsxError> {
        let mut book = Workbook::new();
        let names = vec!["Summary".to_owned(), "Legend".to_owned()];
        let summary = book.add_worksheet_with_constant_memory();
        summary.set_name("Summary")?;
        write_row(summary, 0, header.iter().map(|h| Cell::Text(h.clone())))?;
        Ok(Self {
            book,
            header,
            sheets: HashMap::new(),
            summary_row: 1,
            names,
        })
    }

    /// Adds one employee's row to the summary and to their department's sheet.
    pub fn add(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        let copy = || {
            cells.iter().map(|c| match c {
                Cell::Text(t) => Cell::Text(t.clone()),
                Cell::Number(n) => Cell::Number(*n),
            })
        };
        let summary = self.book.worksheet_from_index(0)?;
        write_row(summary, self.summary_row, copy())?;
        self.summary_row += 1;
        let department = cells.get(2).map(Cell::text).unwrap_or_default();
        let index = match self.sheets.get(&department) {
            Some((index, _)) => *index,
            None => {
                let label = if department.is_empty() {
                    "No department"
                } else {
                    &department
                };
                let name = sheet_name(label, &mut self.names);
                let sheet = self.book.add_worksheet_with_constant_memory();
                sheet.set_name(name)?;
                write_row(sheet, 0, self.header.iter().map(|h| Cell::Text(h.clone())))?;
                let index = self.sheets.len() + 1;
                self.sheets.insert(department.clone(), (index, 1));
                index
            }
        };
        if let Some((_, next)) = self.sheets.get_mut(&department) {
            let sheet = self.book.worksheet_from_index(index)?;
            write_row(sheet, *next, copy())?;
            *next += 1;
        }
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let sheet = self.book.add_worksheet_with_constant_memory();
        sheet.set_name("Legend")?;
        write_row(
            sheet,
            0,
            [Cell::Text("Code".into()), Cell::Text("Meaning".into())].into_iter(),
        )?;
        for (i, [code, meaning]) in legend().into_iter().enumerate() {
            write_row(
                sheet,
                i as u32 + 1,
                [Cell::Text(code), Cell::Text(meaning)].into_iter(),
            )?;
        }
        self.book.save_to_buffer()
    }
}

fn write_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    cells: impl Iterator<Item = Cell>,
) -> Result<(), XlsxError> {
    for (col, cell) in cells.enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        match cell {
            Cell::Text(t) => sheet.write_string(row, col, t)?,
            Cell::Number(n) => sheet.write_number(row, col, n as f64)?,
        };
    }
    Ok(())
}
