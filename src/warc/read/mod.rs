//! Streaming WARC reader.
//!
//! Input is detected by its first bytes: gzip (any number of members: one per
//! record, as the tools write, or one for the whole file) or plain WARC.
//! Members are decoded one after the other so that every record can be
//! located by the byte offset of its gzip member in the file. Memory is
//! bounded: headers by [`MAX_HEADER_BYTES`], a block by
//! [`Options::max_block`] (longer blocks are hashed as they stream past and
//! handed back as [`Block::TooLarge`]), never the size of the file.

mod source;

use std::io::{self, BufRead, BufReader, Read};

use super::arc;
use super::error::WarcError;
pub use super::error::{Deviation, Position};
use source::{Shared, Source};

use super::{Check, Digest, Hasher};

/// Bytes of WARC headers accepted for one record.
pub const MAX_HEADER_BYTES: usize = 64 << 10;
/// Blank lines tolerated between two records.
const MAX_BLANK_LINES: usize = 64;

/// Reader settings.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Longest block kept in memory; longer ones are only hashed.
    pub max_block: u64,
}

impl Default for Options {
    fn default() -> Self {
        // A capture's limit plus room for the HTTP headers.
        Options {
            max_block: crate::store::object::MAX_OBJECT_SIZE as u64 + (1 << 20),
        }
    }
}

/// A record's block (the bytes after its headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Kept(Vec<u8>),
    /// Over [`Options::max_block`]: streamed past, not kept.
    TooLarge(u64),
}

/// One WARC record.
#[derive(Debug, Clone)]
pub struct Record {
    pub at: Position,
    /// `WARC/1.0` or `WARC/1.1`.
    pub version: String,
    /// Header fields in file order (names as written).
    pub headers: Vec<(String, String)>,
    pub block: Block,
    /// `WARC-Block-Digest` checked against the block.
    pub block_check: Check,
    /// What the reader tolerated to read this record (and what it went past
    /// just before it).
    pub deviations: Vec<Deviation>,
}

impl Record {
    /// The value of a header field (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type`, lowercased.
    pub fn kind(&self) -> String {
        self.header("WARC-Type").unwrap_or("").to_ascii_lowercase()
    }

    /// `WARC-Target-URI`, without the angle brackets some writers (wget
    /// 1.20) put around it.
    pub fn target_uri(&self) -> Option<&str> {
        let u = self.header("WARC-Target-URI")?.trim();
        let u = u
            .strip_prefix('<')
            .and_then(|u| u.strip_suffix('>'))
            .unwrap_or(u);
        (!u.is_empty()).then_some(u)
    }
}

/// Reads WARC (or ARC) records one at a time.
///
/// Tolerant, as warcio and pywb are: missing or extra line ends between
/// records, bytes that belong to no record, bytes between gzip members and
/// header lines ending in CR CR LF are gone past and noted on the record
/// after them ([`Record::deviations`]). A record that cannot be read
/// (truncated, garbage, a damaged gzip member) is an error naming where it
/// starts; the next call goes on with the next record the format allows
/// finding (the next `WARC/` line, the next gzip member). Only when the
/// input is no WARC at all, or cannot be read, does reading stop.
pub struct Reader<R: BufRead> {
    input: BufReader<Source<R>>,
    gz: Option<Shared>,
    /// Stream offset of the next unread byte.
    pub(in crate::warc) pos: u64,
    pub(in crate::warc) options: Options,
    /// Set after an error that ends reading.
    failed: bool,
    /// Set after an error in a record: find the next one first.
    resync: bool,
    /// Stream offset where the last error was (an error with no progress
    /// after it ends reading).
    last_error: Option<u64>,
    /// A line read ahead and given back.
    back: Option<Vec<u8>>,
    /// Records read (0: the start of the input decides WARC or ARC).
    pub(in crate::warc) records: u64,
    /// Reading an ARC file.
    pub(in crate::warc) arc: bool,
    /// Deviations of the record being read.
    pub(in crate::warc) notes: Vec<Deviation>,
}

impl<R: BufRead> Reader<R> {
    /// Starts reading; gzip is detected from the first two bytes.
    pub fn new(mut input: R, options: Options) -> io::Result<Reader<R>> {
        let gz = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let (source, shared) = if gz {
            let (s, shared) = Source::gzip(input);
            (s, Some(shared))
        } else {
            (Source::Plain(input), None)
        };
        Ok(Reader {
            input: BufReader::with_capacity(64 << 10, source),
            gz: shared,
            pos: 0,
            options,
            failed: false,
            resync: false,
            last_error: None,
            back: None,
            records: 0,
            arc: false,
            notes: Vec::new(),
        })
    }

    /// Whether the input is gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.gz.is_some()
    }

    /// Whether reading stopped for good (after an error that ends it).
    pub fn stopped(&self) -> bool {
        self.failed
    }

    /// Whether the input is an ARC file (known after the first record).
    pub fn is_arc(&self) -> bool {
        self.arc
    }

    pub(in crate::warc) fn position(&self, offset: u64) -> Position {
        let member = self.gz.as_ref().and_then(|g| {
            let m = &mut g.borrow_mut().members;
            // Drop members that end before this offset.
            while m.len() > 1 && m[1].1 <= offset {
                m.pop_front();
            }
            m.front().copied()
        });
        Position { offset, member }
    }

    pub(in crate::warc) fn io_error(&self, at: Position, e: io::Error) -> WarcError {
        if self.is_gzip() && e.kind() != io::ErrorKind::UnexpectedEof {
            WarcError::Gzip {
                at,
                message: e.to_string(),
            }
        } else if e.kind() == io::ErrorKind::UnexpectedEof {
            WarcError::Truncated {
                at,
                detail: "the gzip data ends early".into(),
            }
        } else {
            WarcError::Io { at, source: e }
        }
    }

    /// Reads one line (up to `limit` bytes, LF included). Empty at EOF.
    pub(in crate::warc) fn line(
        &mut self,
        at: Position,
        limit: usize,
    ) -> Result<Vec<u8>, WarcError> {
        if let Some(line) = self.back.take() {
            self.pos += line.len() as u64;
            return Ok(line);
        }
        let mut line = Vec::new();
        let n = (&mut self.input)
            .take(limit as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| self.io_error(at, e))?;
        self.pos += n as u64;
        Ok(line)
    }

    /// Gives a line back: the next [`Reader::line`] returns it.
    pub(in crate::warc) fn unread(&mut self, line: Vec<u8>) {
        self.pos -= line.len() as u64;
        self.back = Some(line);
    }

    /// Whether the input is at its end.
    fn at_end(&mut self, at: Position) -> Result<bool, WarcError> {
        if self.back.is_some() {
            return Ok(false);
        }
        let r = self.input.fill_buf().map(|b| b.is_empty());
        r.map_err(|e| self.io_error(at, e))
    }

    /// The next record, `None` at the end. After an error in a record, the
    /// next call goes on at the next record; after an error that ends
    /// reading ([`WarcError::ends_reading`]), `None`.
    pub fn next_record(&mut self) -> Result<Option<Record>, WarcError> {
        if self.failed {
            return Ok(None);
        }
        if self.resync {
            self.resync = false;
            self.skip_damage();
        }
        self.notes.clear();
        let r = if self.arc {
            self.read_arc()
        } else {
            self.read_record()
        };
        if let Err(e) = &r {
            let stuck = self.last_error.is_some_and(|p| p >= self.pos);
            if e.ends_reading() || stuck {
                self.failed = true;
            } else {
                self.resync = true;
                self.last_error = Some(self.pos);
            }
        }
        if r.is_ok() {
            self.records += 1;
        }
        r
    }

    /// After an error: in a gzip file whose member is damaged, goes on at
    /// the next member; otherwise the next record start is found by
    /// [`Reader::record_start`], past whatever is left of the bad record.
    fn skip_damage(&mut self) {
        self.back = None;
        // A damaged member fails its reads again: probe it.
        if self.is_gzip() && self.input.fill_buf().is_err() {
            let n = self.input.buffer().len();
            self.input.consume(n);
            match self.input.get_mut().skip_member() {
                Ok(Some(out)) => self.pos = out,
                Ok(None) => {}
                Err(_) => self.failed = true,
            }
        }
    }

    fn read_record(&mut self) -> Result<Option<Record>, WarcError> {
        let Some((at, first)) = self.record_start()? else {
            return Ok(None);
        };
        if self.arc {
            return self.arc_record(at, first);
        }
        let version = String::from_utf8_lossy(trim_eol(&first)).into_owned();
        let headers = self.header_fields(at, first.len())?;
        let field = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let length: u64 = match field("Content-Length") {
            Some(v) => v.trim().parse().map_err(|_| WarcError::BadHeader {
                at,
                detail: format!(
                    "Content-Length {:?} is not a number",
                    v.chars().take(30).collect::<String>()
                ),
            })?,
            None => {
                return Err(WarcError::BadHeader {
                    at,
                    detail: "no Content-Length header".into(),
                });
            }
        };
        if field("WARC-Type").is_none() {
            return Err(WarcError::BadHeader {
                at,
                detail: "no WARC-Type header".into(),
            });
        }
        let declared = field("WARC-Block-Digest").map(str::to_owned);
        let (block, streamed_check) = self.block(at, length, declared.as_deref())?;
        self.record_end(at)?;
        let block_check = match (&block, streamed_check) {
            (_, Some(c)) => c,
            (Block::Kept(b), None) => Check::against(declared.as_deref(), &[b]),
            (Block::TooLarge(_), None) => Check::Absent,
        };
        Ok(Some(Record {
            at,
            version,
            headers,
            block,
            block_check,
            deviations: std::mem::take(&mut self.notes),
        }))
    }

    /// The first line of the next record and where the record starts,
    /// past blank lines, and past bytes that start no record (noted); `None`
    /// at the end of the input. At the start of the input, a first line
    /// that starts no WARC record (nor ARC) means it is no WARC file.
    pub(in crate::warc) fn record_start(
        &mut self,
    ) -> Result<Option<(Position, Vec<u8>)>, WarcError> {
        let mut skipped: Option<(Position, u64)> = None;
        let mut blank = 0;
        loop {
            // Filling first makes the member holding the next byte known.
            let at = self.position(self.pos);
            if self.at_end(at)? {
                return match skipped {
                    Some((at, bytes)) => Err(WarcError::Garbage { at, bytes }),
                    None => Ok(None),
                };
            }
            self.take_strays(at.offset);
            let line = self.line(at, MAX_HEADER_BYTES)?;
            if trim_eol(&line).is_empty() {
                blank += 1;
                if blank > MAX_BLANK_LINES && self.records == 0 {
                    return Err(WarcError::NotWarc {
                        at,
                        detail: "only blank lines".into(),
                    });
                }
                continue;
            }
            if self.records == 0 && self.last_error.is_none() && skipped.is_none() && !self.arc {
                if line.starts_with(b"filedesc://") || arc::header_line(&line).is_some() {
                    self.arc = true;
                    return Ok(Some((at, line)));
                }
                if !is_version_line(&line) {
                    return Err(WarcError::NotWarc {
                        at,
                        detail: format!(
                            "it starts with {:?}, not WARC/1.0 or WARC/1.1",
                            String::from_utf8_lossy(trim_eol(&line))
                                .chars()
                                .take(40)
                                .collect::<String>()
                        ),
                    });
                }
            }
            let starts = if self.arc {
                arc::header_line(&line).is_some()
            } else {
                is_version_line(&line)
            };
            if starts {
                if let Some((_, bytes)) = skipped {
                    self.notes.push(Deviation::BeforeRecord { bytes });
                }
                return Ok(Some((at, line)));
            }
            let s = skipped.get_or_insert((at, 0));
            s.1 += line.len() as u64;
        }
    }

    /// Notes the bytes skipped between gzip members before stream offset
    /// `upto` (on the record starting there).
    fn take_strays(&mut self, upto: u64) {
        let Some(g) = &self.gz else { return };
        let mut g = g.borrow_mut();
        let n = g.strays.iter().take_while(|s| s.0 <= upto).count();
        for (_, _, bytes) in g.strays.drain(..n) {
            self.notes.push(Deviation::BetweenMembers { bytes });
        }
    }

    /// The header fields after the version line (`first_len` bytes), up to
    /// the blank line ending them; folded lines joined.
    pub(in crate::warc) fn header_fields(
        &mut self,
        at: Position,
        first_len: usize,
    ) -> Result<Vec<(String, String)>, WarcError> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut header_bytes = first_len;
        loop {
            let line = self.line(at, MAX_HEADER_BYTES)?;
            if line.is_empty() {
                return Err(WarcError::Truncated {
                    at,
                    detail: "the file ends inside the WARC headers".into(),
                });
            }
            header_bytes += line.len();
            if header_bytes > MAX_HEADER_BYTES {
                return Err(WarcError::BadHeader {
                    at,
                    detail: format!("WARC headers are longer than {MAX_HEADER_BYTES} bytes"),
                });
            }
            let line = trim_eol(&line);
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(line);
            if text.starts_with([' ', '\t']) {
                // A continuation line (WARC 1.0 allows folding).
                match headers.last_mut() {
                    Some((_, v)) => {
                        v.push(' ');
                        v.push_str(text.trim());
                        continue;
                    }
                    None => {
                        return Err(WarcError::BadHeader {
                            at,
                            detail: "a continuation line before any header field".into(),
                        });
                    }
                }
            }
            let Some((name, value)) = text.split_once(':') else {
                return Err(WarcError::BadHeader {
                    at,
                    detail: format!(
                        "header line {:?} has no colon",
                        text.chars().take(60).collect::<String>()
                    ),
                });
            };
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        Ok(headers)
    }

    /// The two line ends after the block. Fewer (the next record right
    /// after the block, or the end of the file) and bytes before them (a
    /// Content-Length too short) are noted, as warcio tolerates them; a
    /// damaged gzip member is an error of this record.
    fn record_end(&mut self, at: Position) -> Result<(), WarcError> {
        let mut ends = 0;
        while ends < 2 {
            let line = self.line(at, MAX_HEADER_BYTES)?;
            if line.is_empty() {
                break;
            }
            if trim_eol(&line).is_empty() && line.ends_with(b"\n") {
                ends += 1;
                continue;
            }
            if is_version_line(&line) {
                self.unread(line);
            } else {
                self.notes.push(Deviation::AfterBlock {
                    bytes: line.len() as u64,
                });
                ends = 2;
            }
            break;
        }
        if ends < 2 {
            self.notes.push(Deviation::RecordEnd { found: ends });
        }
        if self.back.is_none() {
            self.check_member(at)?;
        }
        Ok(())
    }

    /// A gzip member is checked (CRC, length) when its end is read: reads
    /// on, so that a damaged member fails its own record.
    pub(in crate::warc) fn check_member(&mut self, at: Position) -> Result<(), WarcError> {
        match self.input.fill_buf() {
            Ok(_) => Ok(()),
            Err(e) => Err(self.io_error(at, e)),
        }
    }

    /// Reads the block: kept when short enough, else streamed through the
    /// declared digest.
    pub(in crate::warc) fn block(
        &mut self,
        at: Position,
        length: u64,
        declared: Option<&str>,
    ) -> Result<(Block, Option<Check>), WarcError> {
        let truncated = |got: u64| WarcError::Truncated {
            at,
            detail: format!("Content-Length says {length} bytes, only {got} follow"),
        };
        if length <= self.options.max_block {
            // Grow as data arrives: a lying Content-Length costs nothing.
            let mut buf = Vec::with_capacity(length.min(1 << 20) as usize);
            let got = (&mut self.input)
                .take(length)
                .read_to_end(&mut buf)
                .map_err(|e| self.io_error(at, e))? as u64;
            self.pos += got;
            if got < length {
                return Err(truncated(got));
            }
            return Ok((Block::Kept(buf), None));
        }
        let digest = declared.and_then(Digest::parse);
        let mut hasher = digest.as_ref().map(|d| Hasher::new(d.algorithm));
        let mut left = length;
        let mut chunk = vec![0u8; 64 << 10];
        while left > 0 {
            let want = left.min(chunk.len() as u64) as usize;
            let n = self
                .input
                .read(&mut chunk[..want])
                .map_err(|e| self.io_error(at, e))?;
            if n == 0 {
                return Err(truncated(length - left));
            }
            if let Some(h) = hasher.as_mut() {
                h.update(&chunk[..n]);
            }
            self.pos += n as u64;
            left -= n as u64;
        }
        let check = match (declared, digest, hasher) {
            (None, _, _) => Check::Absent,
            (Some(d), Some(expected), Some(h)) => {
                let actual = h.finish();
                if actual == expected {
                    Check::Good
                } else {
                    Check::Bad {
                        declared: d.chars().take(100).collect(),
                        actual: actual.to_warc(),
                    }
                }
            }
            (Some(d), _, _) => Check::Unchecked(d.chars().take(100).collect()),
        };
        Ok((Block::TooLarge(length), Some(check)))
    }
}

/// ARC records (see [`super::arc`]), read as the WARC records warcio's
/// `arc2warc` makes of them.
impl<R: BufRead> Reader<R> {
    /// The next ARC record.
    pub(in crate::warc) fn read_arc(&mut self) -> Result<Option<Record>, WarcError> {
        let Some((at, first)) = self.record_start()? else {
            return Ok(None);
        };
        self.arc_record(at, first)
    }

    /// An ARC record whose header line `first` starts at `at`.
    pub(in crate::warc) fn arc_record(
        &mut self,
        at: Position,
        first: Vec<u8>,
    ) -> Result<Option<Record>, WarcError> {
        let h = arc::header_line(&first).ok_or_else(|| WarcError::BadHeader {
            at,
            detail: format!(
                "ARC header line {:?} is not URL IP DATE TYPE LENGTH",
                String::from_utf8_lossy(trim_eol(&first))
                    .chars()
                    .take(60)
                    .collect::<String>()
            ),
        })?;
        let (block, _) = self.block(at, h.length, None)?;
        // One LF ends an ARC record; blank lines are gone past by the next
        // record's start. A damaged gzip member fails this record.
        self.check_member(at)?;
        let is_http = matches!(&block, Block::Kept(b) if b.starts_with(b"HTTP/"));
        let kind = if h.url.starts_with("filedesc://") {
            "warcinfo"
        } else if is_http {
            "response"
        } else if h.url.starts_with("http:") || h.url.starts_with("https:") {
            // What an http URL's record holds is its HTTP response; anything
            // else there is no capture of it.
            return Err(WarcError::BadHeader {
                at,
                detail: "the ARC record of an http URL holds no HTTP response".into(),
            });
        } else {
            "resource"
        };
        let content_type = match kind {
            "response" => "application/http; msgtype=response".to_owned(),
            _ => h.content_type.clone(),
        };
        let length = match &block {
            Block::Kept(b) => b.len() as u64,
            Block::TooLarge(n) => *n,
        };
        let headers = vec![
            ("WARC-Type".to_owned(), kind.to_owned()),
            ("WARC-Target-URI".to_owned(), h.url),
            ("WARC-Date".to_owned(), h.date),
            ("Content-Type".to_owned(), content_type),
            ("Content-Length".to_owned(), length.to_string()),
        ];
        Ok(Some(Record {
            at,
            version: "ARC".to_owned(),
            headers,
            block,
            block_check: Check::Absent,
            deviations: std::mem::take(&mut self.notes),
        }))
    }
}

/// Reads the record at `at` again (a position from an earlier pass over the
/// same file): seeks to its gzip member, or to its offset in a plain file.
/// In a whole-file gzip, the data before the record is decompressed again.
pub fn record_at<R: BufRead + io::Seek>(
    mut input: R,
    at: Position,
    options: Options,
) -> Result<Record, WarcError> {
    let (seek, skip_to) = match at.member {
        Some((m, start)) => (m, at.offset.saturating_sub(start)),
        None => (at.offset, 0),
    };
    let gone = |detail: &str| WarcError::NotWarc {
        at,
        detail: detail.into(),
    };
    input
        .seek(io::SeekFrom::Start(seek))
        .map_err(|e| WarcError::Io { at, source: e })?;
    let mut r = Reader::new(input, options).map_err(|e| WarcError::Io { at, source: e })?;
    loop {
        let mut rec = r
            .next_record()?
            .ok_or_else(|| gone("no record there any more: the file changed"))?;
        match rec.at.offset.cmp(&skip_to) {
            std::cmp::Ordering::Less => continue,
            std::cmp::Ordering::Equal => {
                // Positions were counted from the seek; give the original.
                rec.at = at;
                return Ok(rec);
            }
            std::cmp::Ordering::Greater => {
                return Err(gone("no record starts there any more: the file changed"));
            }
        }
    }
}

/// A line without its end: LF, CR LF, and the CR CR LF some writers
/// leave.
pub(in crate::warc) fn trim_eol(line: &[u8]) -> &[u8] {
    let mut line = line.strip_suffix(b"\n").unwrap_or(line);
    while let Some(l) = line.strip_suffix(b"\r") {
        line = l;
    }
    line
}

/// Whether a line starts a WARC record (`WARC/1.0`, `WARC/1.1`, and the
/// drafts 0.17 and 0.18).
fn is_version_line(line: &[u8]) -> bool {
    let v = trim_eol(line);
    v.starts_with(b"WARC/1.") || v == b"WARC/0.18" || v == b"WARC/0.17"
}

#[cfg(test)]
mod tests;
