//! The XLSX form of a timesheet: a summary sheet with everyone, a sheet per department, and
//! the legend at the end. Worksheets are constant-memory (rows go to a temporary file per
//! sheet, not to memory), so the number of department sheets is capped: a company with more
//! departments gets the summary sheet only, with a note row saying so. The writer does
//! blocking file I/O: it runs on a blocking thread, fed page by page through a channel.

use std::collections::{HashMap, HashSet};

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use unicase::UniCase;

use super::export::{Cell, legend};

/// The most department sheets one workbook gets (each holds a temporary file while written).
pub const MAX_DEPARTMENT_SHEETS: usize = 250;
/// Excel's longest sheet name, in UTF-16 units.
const SHEET_NAME_MAX: usize = 31;
/// Names Excel keeps for itself or that this workbook already uses.
const RESERVED: [&str; 3] = ["Summary", "Legend", "History"];

/// An Excel sheet name for a department: at most 31 UTF-16 units, none of `[]:*?/\` or
/// control characters, not starting or ending with `'`, and distinct from every name in
/// `taken` under full Unicode case folding (Excel's rule: `Kế toán` and `KẾ TOÁN` clash). A
/// clash gets a suffix (" 2", " 3", …) that always fits, however many departments share a
/// prefix.
pub fn sheet_name(name: &str, taken: &mut HashSet<UniCase<String>>) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if "[]:*?/\\".contains(c) || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let trim = |s: &str| {
        s.trim_matches(|c: char| c == '\'' || c.is_whitespace())
            .to_owned()
    };
    let clean = trim(&clean);
    let base = if clean.is_empty() {
        "Department".to_owned()
    } else {
        clean
    };
    let mut n: u32 = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" {n}")
        };
        let head = trim(&truncate_utf16(&base, SHEET_NAME_MAX - suffix.len()));
        let head = if head.is_empty() { "Department" } else { &head };
        let candidate = format!("{head}{suffix}");
        if taken.insert(UniCase::unicode(candidate.clone())) {
            return candidate;
        }
        n += 1;
    }
}

/// The longest prefix of `s` that fits in `max` UTF-16 units.
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect()
}

/// A workbook being written.
pub struct Xlsx {
    book: Workbook,
    header: Vec<String>,
    /// Sheet index and next row, by department name ("" for none); none when capped.
    sheets: Option<HashMap<String, (usize, u32)>>,
    /// The company's departments, when there are more than the cap.
    capped: Option<usize>,
    summary_row: u32,
    names: HashSet<UniCase<String>>,
}

impl Xlsx {
    /// A workbook for a company with `departments` departments.
    pub fn new(header: Vec<String>, departments: usize) -> Result<Self, XlsxError> {
        let mut book = Workbook::new();
        let summary = book.add_worksheet_with_constant_memory();
        summary.set_name("Summary")?;
        write_row(summary, 0, header.iter().map(|h| Cell::Text(h.clone())))?;
        let capped = departments > MAX_DEPARTMENT_SHEETS;
        Ok(Self {
            book,
            header,
            sheets: (!capped).then(HashMap::new),
            capped: capped.then_some(departments),
            summary_row: 1,
            names: RESERVED
                .iter()
                .map(|n| UniCase::unicode((*n).to_owned()))
                .collect(),
        })
    }

    /// Adds one employee's row to the summary and to their department's sheet.
    pub fn add(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        let summary = self.book.worksheet_from_index(0)?;
        write_row(summary, self.summary_row, cells.iter().cloned())?;
        self.summary_row += 1;
        let Some(sheets) = self.sheets.as_mut() else {
            return Ok(());
        };
        let department = cells.get(2).map(Cell::text).unwrap_or_default();
        let (index, next) = match sheets.get(&department) {
            Some(at) => *at,
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
                (sheets.len() + 1, 1)
            }
        };
        let sheet = self.book.worksheet_from_index(index)?;
        write_row(sheet, next, cells.iter().cloned())?;
        sheets.insert(department, (index, next + 1));
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        if let Some(departments) = self.capped {
            let note = format!(
                "Note: the company has {departments} departments, more than the \
                 {MAX_DEPARTMENT_SHEETS} sheets one export holds, so this workbook has no \
                 sheet per department; every employee is on this sheet with their department."
            );
            let summary = self.book.worksheet_from_index(0)?;
            write_row(
                summary,
                self.summary_row + 1,
                [Cell::Text(note)].into_iter(),
            )?;
        }
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
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                [Cell::Text(code), Cell::Text(meaning)].into_iter(),
            )?;
        }
        self.book.save_to_buffer()
    }
}

/// Builds a workbook on the calling (blocking) thread from the pages of rows sent to `pages`,
/// until the sender is dropped.
pub fn build(
    header: Vec<String>,
    departments: usize,
    mut pages: tokio::sync::mpsc::Receiver<Vec<Vec<Cell>>>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Xlsx::new(header, departments)?;
    while let Some(page) = pages.blocking_recv() {
        for cells in &page {
            book.add(cells)?;
        }
    }
    book.finish()
}

fn write_row(
    sheet: &mut Worksheet,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_distinct_under_case_folding() {
        let mut taken = RESERVED
            .iter()
            .map(|n| UniCase::unicode((*n).to_owned()))
            .collect();
        let long = "Phòng Kế toán và Tài chính Khu vực Miền Nam";
        let mut names: Vec<String> = [
            "'Kho",
            "Kế toán",
            "KẾ TOÁN",
            "[]:*?/\\",
            "summary",
            "Straße",
        ]
        .iter()
        .chain(["STRASSE"].iter())
        .map(|n| sheet_name(n, &mut taken))
        .collect();
        names.extend((0..120).map(|_| sheet_name(long, &mut taken)));
        assert_eq!(names[0], "Kho");
        assert_eq!(names[1], "Kế toán");
        assert_eq!(names[2], "KẾ TOÁN 2");
        assert_eq!(names[3], "Department");
        assert_eq!(names[4], "summary 2");
        assert_eq!(names[6], "STRASSE 2", "ß folds to ss");
        for name in &names {
            assert!(name.encode_utf16().count() <= SHEET_NAME_MAX, "{name}");
            assert!(!name.starts_with('\'') && !name.ends_with('\''), "{name}");
        }
        let folded: HashSet<UniCase<String>> =
            names.iter().map(|n| UniCase::unicode(n.clone())).collect();
        assert_eq!(folded.len(), names.len());
    }
}
