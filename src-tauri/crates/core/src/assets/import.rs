//! Reading an import file of assets from another source (SPEC §4): Level, Intune and Entra
//! assets reach Fleetward only this way, so dedup can weigh them against NinjaOne's.
//!
//! The file is a CSV with a header row or a JSON array of objects. This module turns its bytes
//! into typed rows without I/O and without judging companies: a bad row becomes a
//! [`RowError`] with its line in the file (the CSV header is line 1; a JSON element counts
//! from the line it starts on), and the good rows are kept (SPEC §11). Only a file that cannot
//! be read as a whole is refused with a [`FileError`].

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::ids::CompanyId;

/// Larger files are refused before parsing, so an import never holds more than this in memory.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// More data rows than this are refused; the header does not count.
pub const MAX_ROWS: usize = 1_000_000;
/// Longer text values make their row an error: no real name, serial or model is this long,
/// and the store and screens need a bound.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// The company a row belongs to, as the file names it; the caller resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompanyRef {
    /// The value was all digits.
    Id(CompanyId),
    /// Anything else: a company's exact name.
    Name(String),
}

/// One good row: trimmed values, `None` for empty optional ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Where the row starts in the file (1-based; the CSV header is line 1).
    pub line: usize,
    /// The asset's id in its source.
    pub external_id: String,
    pub company: CompanyRef,
    pub name: Option<String>,
    pub serial_number: Option<String>,
    pub mac_address: Option<String>,
    pub os: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub last_seen: Option<DateTime<Utc>>,
}

/// One problem with one row. A row with several problems has one error for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Where the row starts in the file (1-based; the CSV header is line 1).
    pub line: usize,
    /// What is wrong and what to do, without the line (`Display` puts `line N: ` in front).
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What a readable file held: its good rows in file order and its bad rows' errors by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<RowError>,
}

/// A file that cannot be imported at all. Nothing of it is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(
        "the file is empty; an import needs a CSV file with a header row or a JSON array of assets"
    )]
    Empty,
    #[error(
        "the file is {bytes} bytes, over the import limit of {} MiB; split it into smaller \
         files and import each",
        .limit_bytes / (1024 * 1024)
    )]
    TooLarge { bytes: usize, limit_bytes: usize },
    #[error(
        "the file has more than {limit} rows; split it into files of at most {limit} rows and \
         import each"
    )]
    TooManyRows { limit: usize },
    #[error(
        "the file is not UTF-8 text (the first invalid byte is on line {line}); save it as \
         UTF-8 (in Excel: \"CSV UTF-8\"; a workbook must be saved as CSV first) and import again"
    )]
    NotUtf8 { line: usize },
    #[error(
        "the file is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\") and import again"
    )]
    Utf16,
    #[error(
        "the JSON file holds a single object, not an array; list the assets in a top-level \
         array: [{{\"externalId\": …, \"company\": …}}, …]"
    )]
    JsonNotArray,
    #[error(
        "the JSON is malformed at line {line}, column {column} ({detail}); fix it there and \
         import again"
    )]
    MalformedJson {
        line: usize,
        column: usize,
        detail: String,
    },
    #[error(
        "the header row has no column for {}; add {} (the header must name externalId and company)",
        .missing.join(" or "),
        if .missing.len() == 1 { "it" } else { "them" }
    )]
    MissingColumns { missing: Vec<String> },
    #[error("the header row names {field} twice (columns {first} and {second}); keep one of them")]
    DuplicateColumn {
        field: String,
        first: usize,
        second: usize,
    },
    #[error("the CSV cannot be read at line {line} ({detail}); fix it there and import again")]
    UnreadableCsv { line: usize, detail: String },
}

/// Reads an import file: a JSON array when its first non-blank character is `[`, otherwise a
/// CSV with a header row (comma-, semicolon- or tab-separated, guessed from the header).
pub fn parse(bytes: &[u8]) -> Result<Parsed, FileError> {
    collect(
        bytes,
        Limits {
            file_bytes: MAX_FILE_BYTES,
            rows: MAX_ROWS,
        },
    )
}

/// Every row of a file at once; [`Rows`] reads them a chunk at a time.
fn collect(bytes: &[u8], limits: Limits) -> Result<Parsed, FileError> {
    let mut reader = Rows::within(bytes, limits)?;
    let mut rows = Vec::new();
    while let Some(chunk) = reader.next_chunk(usize::MAX)? {
        rows.extend(chunk);
    }
    Ok(Parsed {
        rows,
        errors: reader.into_errors(),
    })
}

#[derive(Debug, Clone, Copy)]
struct Limits {
    file_bytes: usize,
    rows: usize,
}

/// The rows of an import file, read a chunk at a time so that an import holds one chunk of
/// rows (and the file) rather than every row of it. The file is checked as a whole (size,
/// encoding, header) when the reader is made; a file error met later (malformed JSON, too
/// many rows) ends the reading, and the caller drops what it did with the earlier chunks.
pub struct Rows<'a> {
    text: &'a str,
    limits: Limits,
    format: Format<'a>,
    builder: RowBuilder,
    lines: LineCounter<'a>,
    /// Data rows read so far, blank ones aside.
    count: usize,
    done: bool,
}

enum Format<'a> {
    Csv {
        reader: csv::Reader<&'a [u8]>,
        columns: Vec<Option<Field>>,
    },
    /// The byte after the last element read (or after the opening `[`).
    Json { pos: usize },
}

impl<'a> Rows<'a> {
    /// A reader of an import file, within the import's limits.
    pub fn new(bytes: &'a [u8]) -> Result<Rows<'a>, FileError> {
        Rows::within(
            bytes,
            Limits {
                file_bytes: MAX_FILE_BYTES,
                rows: MAX_ROWS,
            },
        )
    }

    fn within(bytes: &'a [u8], limits: Limits) -> Result<Rows<'a>, FileError> {
        if bytes.len() > limits.file_bytes {
            return Err(FileError::TooLarge {
                bytes: bytes.len(),
                limit_bytes: limits.file_bytes,
            });
        }
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(FileError::Utf16);
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| FileError::NotUtf8 {
            line: line_of(bytes, e.valid_up_to()),
        })?;
        let format = match text.trim_start().as_bytes().first() {
            None => return Err(FileError::Empty),
            Some(b'[') => Format::Json {
                pos: skip_blank(text.as_bytes(), skip_blank(text.as_bytes(), 0) + 1),
            },
            Some(b'{') => return Err(FileError::JsonNotArray),
            Some(_) => csv_format(text)?,
        };
        Ok(Rows {
            text,
            limits,
            format,
            builder: RowBuilder::default(),
            lines: LineCounter::new(text.as_bytes()),
            count: 0,
            done: false,
        })
    }

    /// The next good rows, at least one and at most about `max` (every row of the records
    /// read is kept), or `None` once the file is read.
    pub fn next_chunk(&mut self, max: usize) -> Result<Option<Vec<ImportRow>>, FileError> {
        while !self.done && self.builder.parsed.rows.len() < max {
            let more = match self.format {
                Format::Csv { .. } => self.next_csv_record()?,
                Format::Json { .. } => self.next_json_element()?,
            };
            self.done = !more;
        }
        let rows = std::mem::take(&mut self.builder.parsed.rows);
        Ok((!rows.is_empty()).then_some(rows))
    }

    /// The bad rows' errors, by line order of the file, once every chunk is read.
    pub fn into_errors(self) -> Vec<RowError> {
        self.builder.parsed.errors
    }

    fn counted(&mut self) -> Result<(), FileError> {
        self.count += 1;
        if self.count > self.limits.rows {
            return Err(FileError::TooManyRows {
                limit: self.limits.rows,
            });
        }
        Ok(())
    }
}

/// The 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count()
}

/// Lines of increasing byte offsets, counting each newline once however long the file.
struct LineCounter<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            bytes,
            counted_to: 0,
            line: 1,
        }
    }

    /// The line of `offset`, which must not be before the previous offset asked about.
    fn line_at(&mut self, offset: usize) -> usize {
        self.line += self.bytes[self.counted_to..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted_to = offset;
        self.line
    }
}

/// The fields of an import, in the order errors about one row are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ExternalId,
    Company,
    Name,
    SerialNumber,
    MacAddress,
    Os,
    Manufacturer,
    Model,
    LastSeen,
}

const FIELD_COUNT: usize = 9;

impl Field {
    const ALL: [Field; FIELD_COUNT] = [
        Field::ExternalId,
        Field::Company,
        Field::Name,
        Field::SerialNumber,
        Field::MacAddress,
        Field::Os,
        Field::Manufacturer,
        Field::Model,
        Field::LastSeen,
    ];

    /// The name SPEC §4 gives the field, used in every message.
    fn name(self) -> &'static str {
        match self {
            Field::ExternalId => "externalId",
            Field::Company => "company",
            Field::Name => "name",
            Field::SerialNumber => "serialNumber",
            Field::MacAddress => "macAddress",
            Field::Os => "os",
            Field::Manufacturer => "manufacturer",
            Field::Model => "model",
            Field::LastSeen => "lastSeen",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The field a CSV header or JSON key names, ignoring case, spaces, `_`, `-` and `.`, so
    /// `externalId`, `external_id` and `External ID` are one field. Unknown names are `None`.
    fn from_label(label: &str) -> Option<Field> {
        let folded: String = label
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '_' | '-' | '.')))
            .flat_map(char::to_lowercase)
            .collect();
        Field::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(&folded))
    }
}

/// A value as the file holds it, before trimming and checks; `None` when the field is absent.
type RawValues = [Option<String>; FIELD_COUNT];

/// Builds typed rows from raw values, checking each value and externalId uniqueness.
#[derive(Default)]
struct RowBuilder {
    parsed: Parsed,
    /// Every externalId seen so far, with the line of its first row (good or bad).
    first_line_of: HashMap<String, usize>,
}

impl RowBuilder {
    fn error(&mut self, line: usize, message: String) {
        self.parsed.errors.push(RowError { line, message });
    }

    /// Adds one row, or its errors. `problems` are errors already found while reading it.
    fn add(&mut self, line: usize, raw: RawValues, problems: Vec<String>) {
        let mut errors = problems;
        let mut text = |field: Field| -> Option<String> {
            let value = raw[field.index()].as_deref()?.trim();
            if let Some(c) = value.chars().find(|c| c.is_control()) {
                errors.push(format!(
                    "{} contains a control character (U+{:04X}); remove it (tabs and line breaks \
                     included) and import again",
                    field.name(),
                    u32::from(c)
                ));
                return None;
            }
            let chars = value.chars().count();
            if chars > MAX_TEXT_CHARS {
                errors.push(format!(
                    "{} is {chars} characters long; the limit is {MAX_TEXT_CHARS}, so shorten it",
                    field.name()
                ));
                return None;
            }
            (!value.is_empty()).then(|| value.to_string())
        };

        let external_id = text(Field::ExternalId);
        let company = text(Field::Company);
        let name = text(Field::Name);
        let serial_number = text(Field::SerialNumber);
        let mac_address = text(Field::MacAddress);
        let os = text(Field::Os);
        let manufacturer = text(Field::Manufacturer);
        let model = text(Field::Model);
        let last_seen = text(Field::LastSeen);

        let absent = |field: Field| {
            if raw[field.index()].is_none() {
                "is missing"
            } else {
                "is empty"
            }
        };
        if external_id.is_none() && !errors.iter().any(|e| e.starts_with("externalId ")) {
            errors.push(format!(
                "externalId {}; every row needs the asset's id in its source",
                absent(Field::ExternalId)
            ));
        }
        let company = match company {
            Some(company) => match company_ref(&company) {
                Ok(company) => Some(company),
                Err(message) => {
                    errors.push(message);
                    None
                }
            },
            None => {
                if !errors.iter().any(|e| e.starts_with("company ")) {
                    errors.push(format!(
                        "company {}; give the company's id or its exact name",
                        absent(Field::Company)
                    ));
                }
                None
            }
        };
        let last_seen = match last_seen.as_deref().map(parse_last_seen) {
            Some(Ok(at)) => Some(at),
            Some(Err(message)) => {
                errors.push(message);
                None
            }
            None => None,
        };
        if let Some(id) = &external_id {
            if let Some(first) = self.first_line_of.get(id) {
                errors.push(format!(
                    "externalId \"{id}\" already appears on line {first}; each asset may appear \
                     once per file, so remove or merge this row"
                ));
            } else {
                self.first_line_of.insert(id.clone(), line);
            }
        }

        match (external_id, company) {
            (Some(external_id), Some(company)) if errors.is_empty() => {
                self.parsed.rows.push(ImportRow {
                    line,
                    external_id,
                    company,
                    name,
                    serial_number,
                    mac_address,
                    os,
                    manufacturer,
                    model,
                    last_seen,
                });
            }
            _ => {
                for message in errors {
                    self.error(line, message);
                }
            }
        }
    }
}

/// All digits is a company id (SPEC §4); anything else is a company's exact name.
fn company_ref(value: &str) -> Result<CompanyRef, String> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(CompanyRef::Name(value.to_string()));
    }
    value
        .parse::<i64>()
        .map(|id| CompanyRef::Id(CompanyId(id)))
        .map_err(|_| {
            format!(
                "company \"{value}\" is too large to be a company id; give the company's id or \
                 its exact name"
            )
        })
}

/// RFC 3339 (any offset, stored as UTC) or a plain `YYYY-MM-DD`, read as midnight UTC.
fn parse_last_seen(value: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(format!(
        "lastSeen \"{value}\" is not a date; write it as RFC 3339 (2024-05-01T09:30:00Z) or as \
         YYYY-MM-DD"
    ))
}

/// A CSV's reader, past its header row, and the field of each column.
fn csv_format(text: &str) -> Result<Format<'_>, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(guess_delimiter(text))
        .from_reader(text.as_bytes());
    let mut header = csv::StringRecord::new();
    if !reader.read_record(&mut header).map_err(unreadable_csv)? {
        return Err(FileError::Empty);
    }
    let mut columns: Vec<Option<Field>> = Vec::with_capacity(header.len());
    let mut column_of: [Option<usize>; FIELD_COUNT] = [None; FIELD_COUNT];
    for (i, label) in header.iter().enumerate() {
        let field = Field::from_label(label);
        if let Some(field) = field {
            if let Some(first) = column_of[field.index()] {
                return Err(FileError::DuplicateColumn {
                    field: field.name().to_string(),
                    first: first + 1,
                    second: i + 1,
                });
            }
            column_of[field.index()] = Some(i);
        }
        columns.push(field);
    }
    let missing: Vec<String> = [Field::ExternalId, Field::Company]
        .into_iter()
        .filter(|f| column_of[f.index()].is_none())
        .map(|f| f.name().to_string())
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns { missing });
    }
    Ok(Format::Csv { reader, columns })
}

fn unreadable_csv(e: csv::Error) -> FileError {
    FileError::UnreadableCsv {
        line: e.position().map_or(1, |p| p.line() as usize),
        detail: e.to_string(),
    }
}

impl Rows<'_> {
    /// Reads one CSV record into the builder; `false` at the end of the file.
    fn next_csv_record(&mut self) -> Result<bool, FileError> {
        let Format::Csv { reader, columns } = &mut self.format else {
            unreachable!("called for CSV files only");
        };
        let mut record = csv::StringRecord::new();
        if !reader.read_record(&mut record).map_err(unreadable_csv)? {
            return Ok(false);
        }
        // An Excel sheet often ends in rows of bare separators; they hold nothing to import.
        if record.iter().all(|v| v.trim().is_empty()) {
            return Ok(true);
        }
        let width = columns.len();
        let mut raw: RawValues = Default::default();
        for (value, field) in record.iter().zip(columns.iter()) {
            if let Some(field) = field {
                raw[field.index()] = Some(value.to_string());
            }
        }
        self.counted()?;
        // The csv crate's own line count is wrong after `\r\n` and blank lines, and its byte
        // offset may point at the line break before the record, so skip those breaks and count.
        let text = self.text.as_bytes();
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line = self.lines.line_at(start);
        let mut problems = Vec::new();
        if record.len() != width {
            // A shifted row would put values under the wrong fields, so none of it is trusted.
            problems.push(format!(
                "the row has {} values but the header has {} columns; quote values that contain \
                 the separator, or add the missing ones",
                record.len(),
                width
            ));
        }
        self.builder.add(line, raw, problems);
        Ok(true)
    }
}

/// Comma, or semicolon or tab when the header row holds more of them: Excel writes `;` where
/// the decimal separator is a comma, and "Text (Tab delimited)" writes tabs.
fn guess_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |d: char| header.chars().filter(|&c| c == d).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas && tabs > semicolons {
        b'\t'
    } else {
        b','
    }
}

fn skip_blank(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

impl Rows<'_> {
    /// Reads one element of a JSON array into the builder; `false` after the closing `]`.
    fn next_json_element(&mut self) -> Result<bool, FileError> {
        let Format::Json { pos } = self.format else {
            unreachable!("called for JSON files only");
        };
        let (text, bytes) = (self.text, self.text.as_bytes());
        let at_end = |pos: usize| {
            if skip_blank(bytes, pos) == bytes.len() {
                Ok(false)
            } else {
                Err(malformed_json(text))
            }
        };
        if bytes.get(pos) == Some(&b']') {
            return at_end(pos + 1);
        }
        let start = pos;
        let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
        let element = match stream.next() {
            Some(Ok(element)) => element,
            _ => return Err(malformed_json(text)),
        };
        let mut pos = skip_blank(bytes, start + stream.byte_offset());
        self.counted()?;
        let line = self.lines.line_at(start);
        match json_values(element) {
            Ok((raw, problems)) => self.builder.add(line, raw, problems),
            Err(message) => self.builder.error(line, message),
        }
        match bytes.get(pos) {
            Some(b',') if bytes.get(skip_blank(bytes, pos + 1)) != Some(&b']') => {
                pos = skip_blank(bytes, pos + 1);
            }
            Some(b']') => return at_end(pos + 1).map(|_| false),
            _ => return Err(malformed_json(text)),
        }
        self.format = Format::Json { pos };
        Ok(true)
    }
}

/// The error serde_json reports for the whole document, with its line and column. Called only
/// once the element-by-element reading has failed, so the document is known to be bad.
fn malformed_json(text: &str) -> FileError {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(e) => {
            let detail = e.to_string();
            // serde_json ends its message with " at line L column C", which the message repeats.
            let detail = match detail.rfind(" at line ") {
                Some(at) => detail[..at].to_string(),
                None => detail,
            };
            FileError::MalformedJson {
                line: e.line(),
                column: e.column(),
                detail,
            }
        }
        Ok(_) => FileError::MalformedJson {
            line: line_of(text.as_bytes(), text.len()),
            column: 1,
            detail: "the array is not well formed".to_string(),
        },
    }
}

/// The raw values of one JSON element and what is wrong with some of them, or why the
/// element is not a row at all.
fn json_values(element: Value) -> Result<(RawValues, Vec<String>), String> {
    let Value::Object(object) = element else {
        return Err(format!(
            "the element is {}, not an object; write each asset as {{\"externalId\": …, \
             \"company\": …}}",
            json_kind(&element)
        ));
    };
    let mut raw: RawValues = Default::default();
    let mut problems = Vec::new();
    let mut key_of: [Option<String>; FIELD_COUNT] = Default::default();
    for (key, value) in object {
        let Some(field) = Field::from_label(&key) else {
            continue;
        };
        if let Some(first) = &key_of[field.index()] {
            problems.push(format!(
                "keys \"{first}\" and \"{key}\" both give {}; keep one of them",
                field.name()
            ));
            continue;
        }
        raw[field.index()] = match value {
            Value::Null => None,
            Value::String(text) => Some(text),
            Value::Number(number) => Some(number.to_string()),
            other => {
                problems.push(format!(
                    "{} is {}; write it as text",
                    field.name(),
                    json_kind(&other)
                ));
                // Present, so the row is not also reported as missing this field.
                Some(String::new())
            }
        };
        key_of[field.index()] = Some(key);
    }
    Ok((raw, problems))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ok(input: &str) -> Parsed {
        parse(input.as_bytes()).expect("file should be readable")
    }

    fn messages(parsed: &Parsed) -> Vec<String> {
        parsed.errors.iter().map(ToString::to_string).collect()
    }

    fn lines(parsed: &Parsed) -> Vec<usize> {
        parsed.rows.iter().map(|r| r.line).collect()
    }

    #[test]
    fn csv_rows_are_read_with_every_field_and_their_line() {
        let parsed = ok(concat!(
            "externalId,company,name,serialNumber,macAddress,os,manufacturer,model,lastSeen\n",
            "dev-1,Acme Ltd,PC-001,SN123,00:1c:42:ab:cd:ef,Windows 11,Dell,Latitude 5440,",
            "2024-05-01T09:30:00+02:00\n",
            "dev-2,42,,,,,,,2024-05-02\n",
        ));
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(
            parsed.rows,
            vec![
                ImportRow {
                    line: 2,
                    external_id: "dev-1".into(),
                    company: CompanyRef::Name("Acme Ltd".into()),
                    name: Some("PC-001".into()),
                    serial_number: Some("SN123".into()),
                    mac_address: Some("00:1c:42:ab:cd:ef".into()),
                    os: Some("Windows 11".into()),
                    manufacturer: Some("Dell".into()),
                    model: Some("Latitude 5440".into()),
                    last_seen: Some(Utc.with_ymd_and_hms(2024, 5, 1, 7, 30, 0).unwrap()),
                },
                ImportRow {
                    line: 3,
                    external_id: "dev-2".into(),
                    company: CompanyRef::Id(CompanyId(42)),
                    name: None,
                    serial_number: None,
                    mac_address: None,
                    os: None,
                    manufacturer: None,
                    model: None,
                    last_seen: Some(Utc.with_ymd_and_hms(2024, 5, 2, 0, 0, 0).unwrap()),
                },
            ]
        );
    }

    #[test]
    fn csv_header_names_match_in_any_case_and_snake_or_spaced_forms() {
        let parsed = ok(
            "EXTERNAL_ID, Company ,Serial Number,mac-address,Last Seen,Notes\n\
             a,Acme,SN1,aa:bb:cc:dd:ee:ff,2024-01-02,ignored column\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let row = &parsed.rows[0];
        assert_eq!(row.external_id, "a");
        assert_eq!(row.serial_number.as_deref(), Some("SN1"));
        assert_eq!(row.mac_address.as_deref(), Some("aa:bb:cc:dd:ee:ff"));
        assert!(row.last_seen.is_some());
    }

    #[test]
    fn csv_values_are_trimmed_and_empty_optional_values_are_none() {
        let parsed = ok("externalId,company,name,os\n  a  ,  Acme  ,   ,\n");
        let row = &parsed.rows[0];
        assert_eq!(row.external_id, "a");
        assert_eq!(row.company, CompanyRef::Name("Acme".into()));
        assert_eq!((row.name.clone(), row.os.clone()), (None, None));
    }

    #[test]
    fn csv_with_a_byte_order_mark_reads_its_first_column() {
        let parsed = parse(b"\xEF\xBB\xBFexternalId,company\na,Acme\n").unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].external_id, "a");
    }

    #[test]
    fn quoted_csv_fields_with_commas_and_line_breaks_keep_later_line_numbers_right() {
        let parsed = ok("externalId,company,name\n\
             a,\"Acme, Inc.\",PC-1\n\
             b,\"Multi\nLine\nCo\",PC-2\n\
             c,Acme,\"say \"\"hi\"\"\"\n\
             ,Acme,PC-4\n");
        assert_eq!(lines(&parsed), vec![2, 6]);
        assert_eq!(
            parsed.rows[0].company,
            CompanyRef::Name("Acme, Inc.".into())
        );
        assert_eq!(parsed.rows[1].name.as_deref(), Some("say \"hi\""));
        assert_eq!(
            messages(&parsed),
            vec![
                "line 3: company contains a control character (U+000A); remove it (tabs and line \
                 breaks included) and import again",
                "line 7: externalId is empty; every row needs the asset's id in its source",
            ]
        );
    }

    #[test]
    fn csv_with_windows_line_endings_and_blank_lines_numbers_lines_by_the_file() {
        let parsed =
            ok("externalId,company\r\na,Acme\r\n,Acme\r\n\r\nc,\"Ac\r\nme\"\r\nd,Acme\r\n");
        assert_eq!(lines(&parsed), vec![2, 7]);
        assert_eq!(
            parsed.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![3, 5]
        );
    }

    #[test]
    fn semicolon_and_tab_separated_csv_is_read() {
        let parsed = ok("externalId;company;name\na;Acme, Inc.;PC-1\n");
        assert_eq!(
            parsed.rows[0].company,
            CompanyRef::Name("Acme, Inc.".into())
        );
        let parsed = ok("externalId\tcompany\na\tAcme\n");
        assert_eq!(parsed.rows[0].company, CompanyRef::Name("Acme".into()));
    }

    #[test]
    fn csv_without_required_header_columns_is_refused_naming_them() {
        let err = parse(b"id,name\n1,PC\n").unwrap_err();
        assert_eq!(
            err,
            FileError::MissingColumns {
                missing: vec!["externalId".into(), "company".into()]
            }
        );
        assert_eq!(
            err.to_string(),
            "the header row has no column for externalId or company; add them (the header must \
             name externalId and company)"
        );
        let err = parse(b"external id,name\n1,PC\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the header row has no column for company; add it (the header must name externalId \
             and company)"
        );
    }

    #[test]
    fn csv_header_naming_a_field_twice_is_refused() {
        let err = parse(b"externalId,company,Serial Number,serial_number\n").unwrap_err();
        assert_eq!(
            err,
            FileError::DuplicateColumn {
                field: "serialNumber".into(),
                first: 3,
                second: 4
            }
        );
    }

    #[test]
    fn csv_row_with_a_different_number_of_values_is_an_error() {
        let parsed = ok("externalId,company,name\na,Acme,PC,extra\nb,Acme\nc,Acme,PC\n");
        assert_eq!(lines(&parsed), vec![4]);
        assert_eq!(
            messages(&parsed),
            vec![
                "line 2: the row has 4 values but the header has 3 columns; quote values that \
                 contain the separator, or add the missing ones",
                "line 3: the row has 2 values but the header has 3 columns; quote values that \
                 contain the separator, or add the missing ones",
            ]
        );
    }

    #[test]
    fn csv_blank_and_separator_only_rows_are_skipped() {
        let parsed = ok("externalId,company\n\na,Acme\n,\n , \nb,Acme\n");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(lines(&parsed), vec![3, 6]);
    }

    #[test]
    fn csv_with_only_a_header_has_nothing_to_import() {
        assert_eq!(ok("externalId,company\n"), Parsed::default());
    }

    #[test]
    fn json_rows_carry_the_line_their_element_starts_on() {
        let parsed = ok(r#"
[
  {"externalId": "a", "company": "Acme", "serialNumber": "SN1",
   "lastSeen": "2024-05-01T09:30:00Z"},
  {
    "externalId": "b",
    "company": 7
  }, {"externalId": "", "company": "Acme"}
]
"#);
        assert_eq!(lines(&parsed), vec![3, 5]);
        assert_eq!(parsed.rows[0].serial_number.as_deref(), Some("SN1"));
        assert_eq!(parsed.rows[1].company, CompanyRef::Id(CompanyId(7)));
        assert_eq!(
            messages(&parsed),
            vec!["line 8: externalId is empty; every row needs the asset's id in its source"]
        );
    }

    #[test]
    fn json_keys_match_like_csv_headers_and_unknown_keys_are_ignored() {
        let parsed = ok(
            r#"[{"external_id": 12, "Company": "Acme", "Serial Number": 998877,
            "os": null, "extra": [1, 2]}]"#,
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let row = &parsed.rows[0];
        assert_eq!(row.external_id, "12");
        assert_eq!(row.serial_number.as_deref(), Some("998877"));
        assert_eq!(row.os, None);
    }

    #[test]
    fn json_values_of_the_wrong_shape_are_row_errors() {
        let parsed = ok(r#"[
  {"company": "Acme"},
  {"externalId": "b", "company": "Acme", "name": ["x"]},
  "c",
  {"externalId": "d", "external_id": "d2", "company": "Acme"},
  {"externalId": "e", "company": "Acme"}
]"#);
        assert_eq!(lines(&parsed), vec![6]);
        assert_eq!(
            messages(&parsed),
            vec![
                "line 2: externalId is missing; every row needs the asset's id in its source",
                "line 3: name is a list; write it as text",
                "line 4: the element is text, not an object; write each asset as \
                 {\"externalId\": …, \"company\": …}",
                "line 5: keys \"externalId\" and \"external_id\" both give externalId; keep one \
                 of them",
            ]
        );
    }

    #[test]
    fn json_with_a_byte_order_mark_and_an_empty_array_has_nothing_to_import() {
        assert_eq!(parse(b"\xEF\xBB\xBF  [ ]\n").unwrap(), Parsed::default());
    }

    #[test]
    fn json_object_instead_of_an_array_is_refused() {
        let err = parse(br#"{"externalId": "a", "company": "Acme"}"#).unwrap_err();
        assert_eq!(err, FileError::JsonNotArray);
        assert!(err.to_string().contains("top-level array"), "{err}");
    }

    #[test]
    fn malformed_json_is_refused_with_its_line() {
        let cases: [(&str, usize); 4] = [
            (
                "[\n{\"externalId\": \"a\", \"company\": \"Acme\"},\n{\"externalId\": \"b\" 1}]",
                3,
            ),
            ("[\n{\"externalId\": \"a\", \"company\": \"Acme\"},\n]", 3),
            ("[\n{\"externalId\": \"a\", \"company\": \"Acme\"}\n", 3),
            ("[\n{\"externalId\": \"a\", \"company\": \"Acme\"}\n]\n]", 4),
        ];
        for (input, want_line) in cases {
            match parse(input.as_bytes()) {
                Err(FileError::MalformedJson { line, .. }) => {
                    assert_eq!(line, want_line, "{input:?}")
                }
                other => panic!("{input:?} gave {other:?}"),
            }
        }
        let err = parse(b"[\n{\"externalId\": \"a\",,}]").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the JSON is malformed at line 2, column 20 (key must be a string); fix it there and \
             import again"
        );
    }

    #[test]
    fn last_seen_accepts_rfc3339_and_plain_dates_and_names_the_formats_otherwise() {
        let parsed = ok("externalId,company,lastSeen\n\
             a,Acme,2024-05-01T09:30:00Z\n\
             b,Acme,2024-05-01t09:30:00.5-05:00\n\
             c,Acme,2024-05-01\n\
             d,Acme,01/05/2024\n\
             e,Acme,2024-02-30\n");
        let seen: Vec<_> = parsed.rows.iter().map(|r| r.last_seen.unwrap()).collect();
        assert_eq!(
            seen,
            vec![
                Utc.with_ymd_and_hms(2024, 5, 1, 9, 30, 0).unwrap(),
                Utc.with_ymd_and_hms(2024, 5, 1, 14, 30, 0).unwrap()
                    + chrono::Duration::milliseconds(500),
                Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
            ]
        );
        assert_eq!(
            messages(&parsed),
            vec![
                "line 5: lastSeen \"01/05/2024\" is not a date; write it as RFC 3339 \
                 (2024-05-01T09:30:00Z) or as YYYY-MM-DD",
                "line 6: lastSeen \"2024-02-30\" is not a date; write it as RFC 3339 \
                 (2024-05-01T09:30:00Z) or as YYYY-MM-DD",
            ]
        );
    }

    #[test]
    fn company_of_only_digits_is_an_id_and_anything_else_a_name() {
        let parsed = ok("externalId,company\n\
             a,0042\n\
             b,Acme 42\n\
             c,-42\n\
             d,99999999999999999999\n\
             e,\n");
        let companies: Vec<_> = parsed.rows.iter().map(|r| r.company.clone()).collect();
        assert_eq!(
            companies,
            vec![
                CompanyRef::Id(CompanyId(42)),
                CompanyRef::Name("Acme 42".into()),
                CompanyRef::Name("-42".into()),
            ]
        );
        assert_eq!(
            messages(&parsed),
            vec![
                "line 5: company \"99999999999999999999\" is too large to be a company id; give \
                 the company's id or its exact name",
                "line 6: company is empty; give the company's id or its exact name",
            ]
        );
    }

    #[test]
    fn a_repeated_external_id_makes_the_later_row_an_error() {
        let parsed = ok("externalId,company\na,Acme\nb,Acme\nc,Acme\n a ,Other\nb,Acme\n");
        assert_eq!(lines(&parsed), vec![2, 3, 4]);
        assert_eq!(
            messages(&parsed),
            vec![
                "line 5: externalId \"a\" already appears on line 2; each asset may appear once \
                 per file, so remove or merge this row",
                "line 6: externalId \"b\" already appears on line 3; each asset may appear once \
                 per file, so remove or merge this row",
            ]
        );
    }

    #[test]
    fn a_repeat_of_a_bad_rows_external_id_still_points_at_the_first() {
        let parsed = ok("externalId,company,lastSeen\na,Acme,yesterday\na,Acme,\n");
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.errors[1].line, 3);
        assert!(parsed.errors[1]
            .message
            .contains("already appears on line 2"));
    }

    #[test]
    fn control_characters_make_the_row_an_error_naming_the_field() {
        let parsed = ok("externalId,company,name,model\na,Acme,PC\u{7}1,M\u{0}\nb,Acme,PC\t2,\n");
        assert!(parsed.rows.is_empty());
        assert_eq!(
            messages(&parsed),
            vec![
                "line 2: name contains a control character (U+0007); remove it (tabs and line \
                 breaks included) and import again",
                "line 2: model contains a control character (U+0000); remove it (tabs and line \
                 breaks included) and import again",
                "line 3: name contains a control character (U+0009); remove it (tabs and line \
                 breaks included) and import again",
            ]
        );
    }

    #[test]
    fn text_longer_than_the_limit_is_an_error_and_text_at_the_limit_is_kept() {
        let at_limit = "é".repeat(MAX_TEXT_CHARS);
        let over = "x".repeat(MAX_TEXT_CHARS + 1);
        let parsed = ok(&format!(
            "externalId,company,name\na,Acme,{at_limit}\nb,Acme,{over}\n"
        ));
        assert_eq!(lines(&parsed), vec![2]);
        assert_eq!(
            messages(&parsed),
            vec!["line 3: name is 1001 characters long; the limit is 1000, so shorten it"]
        );
    }

    #[test]
    fn a_control_character_in_a_required_field_is_reported_once() {
        let parsed = ok("externalId,company\n\"a\u{1b}\",\"Ac\u{1b}me\"\n");
        assert_eq!(
            parsed
                .errors
                .iter()
                .map(|e| e.message.split(' ').next().unwrap())
                .collect::<Vec<_>>(),
            vec!["externalId", "company"]
        );
    }

    #[test]
    fn good_rows_are_kept_around_bad_ones() {
        let parsed =
            ok("externalId,company,lastSeen\na,Acme,\nb,,\nc,Acme,nope\nd,Acme,2024-01-01\n");
        assert_eq!(lines(&parsed), vec![2, 5]);
        assert_eq!(
            parsed.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![3, 4]
        );
    }

    #[test]
    fn an_empty_or_blank_file_is_refused() {
        assert_eq!(parse(b""), Err(FileError::Empty));
        assert_eq!(parse(b" \r\n\t\n"), Err(FileError::Empty));
        assert_eq!(parse(b"\xEF\xBB\xBF"), Err(FileError::Empty));
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_with_the_line_of_the_first_bad_byte() {
        let err = parse(b"externalId,company\na,Acme\nb,Caf\xE9\n").unwrap_err();
        assert_eq!(err, FileError::NotUtf8 { line: 3 });
        assert!(err.to_string().contains("save it as UTF-8"), "{err}");
        assert_eq!(
            parse(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5"),
            Err(FileError::NotUtf8 { line: 1 })
        );
    }

    #[test]
    fn a_utf16_file_is_refused_with_how_to_save_it() {
        assert_eq!(parse(b"\xFF\xFEe\x00x\x00"), Err(FileError::Utf16));
        assert_eq!(parse(b"\xFE\xFF\x00e\x00x"), Err(FileError::Utf16));
    }

    #[test]
    fn a_file_over_the_size_limit_is_refused_before_reading() {
        let limits = Limits {
            file_bytes: 20,
            rows: MAX_ROWS,
        };
        let input = b"externalId,company\na,Acme\n";
        assert_eq!(
            collect(input, limits),
            Err(FileError::TooLarge {
                bytes: input.len(),
                limit_bytes: 20
            })
        );
        assert_eq!(
            FileError::TooLarge {
                bytes: MAX_FILE_BYTES + 1,
                limit_bytes: MAX_FILE_BYTES
            }
            .to_string(),
            "the file is 52428801 bytes, over the import limit of 50 MiB; split it into smaller \
             files and import each"
        );
    }

    #[test]
    fn more_rows_than_the_limit_are_refused_and_exactly_the_limit_is_read() {
        let limits = Limits {
            file_bytes: MAX_FILE_BYTES,
            rows: 2,
        };
        let csv = "externalId,company\na,Acme\nb,Acme\n";
        assert_eq!(collect(csv.as_bytes(), limits).unwrap().rows.len(), 2);
        let csv = format!("{csv}c,Acme\n");
        assert_eq!(
            collect(csv.as_bytes(), limits),
            Err(FileError::TooManyRows { limit: 2 })
        );
        let json = r#"[{"externalId":"a","company":1},{"externalId":"b","company":1},
            {"externalId":"c","company":1}]"#;
        assert_eq!(
            collect(json.as_bytes(), limits),
            Err(FileError::TooManyRows { limit: 2 })
        );
    }

    #[test]
    fn rows_come_a_chunk_at_a_time_with_the_same_rows_and_errors_as_the_whole_file() {
        let mut csv = String::from("externalId,company\n");
        let mut json = String::from("[\n");
        for i in 0..25 {
            // Every fifth row lacks its company.
            let company = if i % 5 == 4 { "" } else { "Acme" };
            csv.push_str(&format!("dev-{i},{company}\n"));
            json.push_str(&format!(
                "{}{{\"externalId\": \"dev-{i}\", \"company\": \"{company}\"}}\n",
                if i == 0 { "" } else { "," }
            ));
        }
        json.push(']');
        for file in [csv, json] {
            let whole = ok(&file);
            assert_eq!((whole.rows.len(), whole.errors.len()), (20, 5));
            let mut rows = Rows::new(file.as_bytes()).unwrap();
            let mut chunks = Vec::new();
            while let Some(chunk) = rows.next_chunk(6).unwrap() {
                chunks.push(chunk);
            }
            assert!(
                chunks.iter().all(|c| !c.is_empty() && c.len() <= 6),
                "{chunks:?}"
            );
            assert_eq!(chunks.len(), 4);
            assert_eq!(chunks.concat(), whole.rows);
            assert_eq!(rows.into_errors(), whole.errors);
        }
    }

    #[test]
    fn a_file_that_turns_malformed_after_some_chunks_ends_in_a_file_error() {
        let json = r#"[{"externalId":"a","company":1},{"externalId":"b","company":1},
            {"externalId":"c","company":1} oops"#;
        let mut rows = Rows::new(json.as_bytes()).unwrap();
        assert_eq!(rows.next_chunk(1).unwrap().map(|c| c.len()), Some(1));
        let end = loop {
            match rows.next_chunk(1) {
                Ok(Some(_)) => continue,
                other => break other,
            }
        };
        assert!(
            matches!(end, Err(FileError::MalformedJson { line: 2, .. })),
            "{end:?}"
        );
    }

    #[test]
    fn the_caps_are_fifty_mebibytes_and_a_million_rows() {
        assert_eq!(MAX_FILE_BYTES, 52_428_800);
        assert_eq!(MAX_ROWS, 1_000_000);
        assert!(FileError::TooManyRows { limit: MAX_ROWS }
            .to_string()
            .starts_with("the file has more than 1000000 rows"));
    }
}
