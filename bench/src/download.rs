//! Downloading a file the server prepared (a timesheet export) with the bearer token, the body
//! streamed and counted, never held; a CSV's lines are counted on the way.

use std::time::Instant;

use futures_util::StreamExt;

/// What a download measured.
pub struct File {
    pub bytes: u64,
    pub first_byte_secs: f64,
    /// The first bytes (`PK` for an XLSX: a zip).
    pub head: Vec<u8>,
    /// The line counts, when the file was read as a CSV.
    pub csv: Option<CsvShape>,
}

/// The shape of a timesheet CSV: a header, data rows, a blank line, then the legend.
#[derive(Default)]
pub struct CsvShape {
    /// The first line starts with the byte-order mark and `Employee ID`.
    pub header_ok: bool,
    /// Lines between the header and the first blank line.
    pub data_rows: usize,
    /// Lines after the blank line (its own header included).
    pub legend_lines: usize,
    lines: usize,
    blank_seen: bool,
    /// The unfinished last line of what arrived so far.
    partial: Vec<u8>,
}

impl CsvShape {
    fn feed(&mut self, mut chunk: &[u8]) {
        while let Some(end) = chunk.iter().position(|b| *b == b'\n') {
            let (line, rest) = chunk.split_at(end);
            self.partial.extend_from_slice(line);
            self.line();
            chunk = rest.get(1..).unwrap_or_default();
        }
        self.partial.extend_from_slice(chunk);
    }

    fn line(&mut self) {
        let line = std::mem::take(&mut self.partial);
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        self.lines += 1;
        if self.lines == 1 {
            self.header_ok = line.starts_with("\u{feff}Employee ID,".as_bytes());
        } else if self.blank_seen {
            self.legend_lines += 1;
        } else if line.is_empty() {
            self.blank_seen = true;
        } else {
            self.data_rows += 1;
        }
    }

    fn finish(&mut self) {
        if !self.partial.is_empty() {
            self.line();
        }
    }
}

/// GETs `url` with `Authorization: Bearer token`; a non-200 answer is an error.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    as_csv: bool,
) -> anyhow::Result<File> {
    let started = Instant::now();
    let response = client.get(url).bearer_auth(token).send().await?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        anyhow::bail!("GET {url}: HTTP {status}: {text:.500}");
    }
    let mut body = response.bytes_stream();
    let mut csv = as_csv.then(CsvShape::default);
    let mut bytes = 0u64;
    let mut first_byte_secs = None;
    let mut head = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        first_byte_secs.get_or_insert_with(|| started.elapsed().as_secs_f64());
        bytes += chunk.len() as u64;
        if head.len() < 4 {
            head.extend(chunk.iter().take(4 - head.len()));
        }
        if let Some(csv) = &mut csv {
            csv.feed(&chunk);
        }
    }
    if let Some(csv) = &mut csv {
        csv.finish();
    }
    Ok(File {
        bytes,
        first_byte_secs: first_byte_secs.unwrap_or(f64::NAN),
        head,
        csv,
    })
}
