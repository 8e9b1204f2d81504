//! Where in the snapshot's files a resource is described: for SARIF
//! locations. A plain text scan, done once for the ids asked about.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// For each id, the first file and 1-based line that defines it (the line
/// holding `"NetworkInterfaceId": "eni-…"` and the like), preferring files
/// that are not instance reservations (which repeat ENI ids).
pub fn locate_ids(files: &[PathBuf], ids: &BTreeSet<String>) -> HashMap<String, (PathBuf, usize)> {
    let mut found: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let mut ordered: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let texts: Vec<Option<String>> = ordered
        .iter()
        .map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let mut order: Vec<usize> = (0..ordered.len()).collect();
    order.sort_by_key(|&i| {
        texts[i]
            .as_deref()
            .is_some_and(|t| t.contains("\"Reservations\""))
    });
    let keys = [
        "\"NetworkInterfaceId\"",
        "\"InternetGatewayId\"",
        "\"VpcPeeringConnectionId\"",
    ];
    for i in order {
        let Some(text) = &texts[i] else { continue };
        let file = ordered[i].to_path_buf();
        // Minified files are one line: count lines up to each hit.
        let mut line_starts = vec![0usize];
        line_starts.extend(text.match_indices('\n').map(|(o, _)| o + 1));
        for key in keys {
            for (o, _) in text.match_indices(key) {
                let rest = &text[o + key.len()..];
                let rest = rest.trim_start_matches([' ', ':', '\t', '\n', '\r']);
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let Some(end) = rest.find('"') else { continue };
                let id = &rest[..end];
                if ids.contains(id) && !found.contains_key(id) {
                    let line = line_starts.partition_point(|&s| s <= o);
                    found.insert(id.to_string(), (file.clone(), line));
                }
            }
        }
        if found.len() == ids.len() {
            break;
        }
    }
    ordered.clear();
    found
}

/// The largest char boundary of `text` at or before `offset` (clamped to
/// the text): parser positions count bytes and may fall inside a character.
pub fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The smallest char boundary of `text` at or after `offset` (clamped).
fn ceil_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// 1-based line and byte column of a byte offset (as serde_json counts them).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_boundary(text, offset);
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let column = match memchr::memrchr(b'\n', before) {
        Some(nl) => offset - nl,
        None => offset + 1,
    };
    (line, column)
}

/// Byte offset of a 1-based (line, byte column) in `text`, on a char
/// boundary; line 0 (serde_json's "no position") is the end of the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return text.len();
    }
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return floor_boundary(text, offset + column.saturating_sub(1).min(l.len()));
        }
        offset += l.len();
    }
    text.len()
}

/// A JSON file's text for miette, showing at most a window of a long line.
///
/// miette's graphical renderer pads label lines with `{:width$}`, and a
/// width past 65,535 panics ("Formatting argument out of range"): compact
/// JSON puts whole files on one line. Lines longer than [`LONG_LINE`] are
/// shown as [`WINDOW`] bytes either side of the error; line numbers and
/// columns stay those of the file.
#[derive(Debug)]
pub struct WindowedSource(pub String);

/// A line longer than this is shown as a window around the error.
const LONG_LINE: usize = 1024;
/// Bytes shown either side of the error on a long line.
const WINDOW: usize = 120;

impl miette::SourceCode for WindowedSource {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = self.0.as_str();
        let bytes = text.as_bytes();
        let offset = span.offset().min(text.len());
        let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |nl| nl + 1);
        let line_end = memchr::memchr(b'\n', &bytes[offset..]).map_or(text.len(), |nl| offset + nl);
        if line_end - line_start <= LONG_LINE {
            return bytes.read_span(span, context_lines_before, context_lines_after);
        }
        let start = if context_lines_before == 0 {
            floor_boundary(text, offset)
        } else {
            floor_boundary(text, offset.saturating_sub(WINDOW).max(line_start))
        };
        let end = ceil_boundary(
            text,
            (offset + span.len().min(WINDOW) + WINDOW).min(line_end),
        );
        let line = memchr::memchr_iter(b'\n', &bytes[..line_start]).count();
        Ok(Box::new(miette::MietteSpanContents::new(
            &bytes[start..end],
            (start, end - start).into(),
            line,
            start - line_start,
            1,
        )))
    }
}

/// The miette source of a JSON file: named, windowed on long lines.
pub fn json_source(file: &Path, text: &str) -> miette::NamedSource<WindowedSource> {
    miette::NamedSource::new(file.display().to_string(), WindowedSource(text.to_string()))
        .with_language("json")
}

/// Why an input file could not be read as text: said in full, with what to do.
#[derive(Debug)]
pub struct TextError(pub String);

/// Read an input file (snapshot, scope, change file) as UTF-8 text.
///
/// Refuses anything but a regular file up front (a FIFO or `/dev/zero`
/// would block or never end), skips a UTF-8 byte-order mark, decodes
/// UTF-16 with a byte-order mark (what Windows PowerShell's `>` writes
/// from `aws ec2 describe-*`), and locates the first byte that is not
/// UTF-8 with a hint on how to convert the file.
pub fn read_input_text(path: &Path) -> Result<String, TextError> {
    let meta = std::fs::metadata(path).map_err(|e| TextError(e.to_string()))?;
    if !meta.is_file() {
        return Err(TextError(format!(
            "not a regular file ({}); vpcreach reads JSON files and folders of them",
            file_kind(&meta)
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| TextError(e.to_string()))?;
    decode_text(bytes)
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// Bytes of an input file to text (see [`read_input_text`]).
pub fn decode_text(mut bytes: Vec<u8>) -> Result<String, TextError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    } else if let Some(little) = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(true),
        Some([0xFE, 0xFF]) => Some(false),
        _ => None,
    } {
        return decode_utf16(&bytes[2..], little);
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let (line, column) = line_col(valid, at);
        let zeros = bytes.iter().take(4096).filter(|&&b| b == 0).count();
        let hint = if zeros > 0 {
            "it looks like UTF-16 without a byte-order mark: save it as UTF-8 (PowerShell: `aws ec2 describe-vpcs | Out-File -Encoding utf8 vpcs.json`)"
        } else {
            "it looks like Latin-1 or another 8-bit encoding: convert it, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8`"
        };
        TextError(format!(
            "not UTF-8: byte 0x{:02X} at line {line}, column {column} (byte offset {at}); {hint}",
            bytes[at]
        ))
    })
}

fn decode_utf16(bytes: &[u8], little: bool) -> Result<String, TextError> {
    if bytes.len() % 2 == 1 {
        return Err(TextError(
            "UTF-16 (byte-order mark) with an odd number of bytes: the file is cut short; save the output again".into(),
        ));
    }
    let units = bytes.chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => text.push(c),
            Err(_) => {
                let (line, column) = line_col(&text, text.len());
                return Err(TextError(format!(
                    "UTF-16 with an unpaired surrogate at line {line}, column {column} (byte offset {}); save the output again as UTF-8",
                    2 + 2 * i
                )));
            }
        }
    }
    Ok(text)
}

/// Offset of a raw JSON value inside the text it was parsed from (a
/// `RawValue` borrows from that text).
pub fn raw_offset(text: &str, value: &serde_json::value::RawValue) -> usize {
    (value.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}
