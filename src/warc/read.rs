//! Streaming WARC reader.
//!
//! Input is detected by its first bytes: gzip (any number of members: one per
//! record, as the tools write, or one for the whole file) or plain WARC.
//! Members are decoded one after the other so that every record can be
//! located by the byte offset of its gzip member in the file. Memory is
//! bounded: headers by [`MAX_HEADER_BYTES`], a block by
//! [`Options::max_block`] (longer blocks are hashed as they stream past and
//! handed back as [`Block::TooLarge`]), never the size of the file.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

pub use super::error::Position;
use super::error::WarcError;

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

/// Positions of the gzip members seen recently: (file offset, stream offset).
type Members = Rc<RefCell<VecDeque<(u64, u64)>>>;

/// A `BufRead` that counts what was consumed.
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

/// The decompressed stream, member after member.
enum Source<R: BufRead> {
    Plain(R),
    Gzip {
        decoder: Option<flate2::bufread::GzDecoder<Counting<R>>>,
        members: Members,
        out: u64,
    },
}

impl<R: BufRead> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(r) => r.read(buf),
            Source::Gzip {
                decoder,
                members,
                out,
            } => loop {
                let Some(d) = decoder.as_mut() else {
                    return Ok(0);
                };
                let n = d.read(buf)?;
                if n > 0 || buf.is_empty() {
                    *out += n as u64;
                    return Ok(n);
                }
                let mut inner = decoder.take().expect("decoder present").into_inner();
                if inner.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                let mut m = members.borrow_mut();
                m.push_back((inner.pos, *out));
                // Only members at or after the current record matter; the
                // reader trims the front, this bounds the worst case.
                if m.len() > 4096 {
                    m.pop_front();
                }
                drop(m);
                *decoder = Some(flate2::bufread::GzDecoder::new(inner));
            },
        }
    }
}

/// Reads WARC records one at a time.
pub struct Reader<R: BufRead> {
    input: BufReader<Source<R>>,
    members: Option<Members>,
    /// Stream offset of the next unread byte.
    pos: u64,
    options: Options,
    /// Set after an error: the stream position is unknown from there on.
    failed: bool,
}

impl<R: BufRead> Reader<R> {
    /// Starts reading; gzip is detected from the first two bytes.
    pub fn new(mut input: R, options: Options) -> io::Result<Reader<R>> {
        let gz = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let (source, members) = if gz {
            let members: Members = Rc::new(RefCell::new(VecDeque::from([(0, 0)])));
            let decoder = flate2::bufread::GzDecoder::new(Counting {
                inner: input,
                pos: 0,
            });
            (
                Source::Gzip {
                    decoder: Some(decoder),
                    members: Rc::clone(&members),
                    out: 0,
                },
                Some(members),
            )
        } else {
            (Source::Plain(input), None)
        };
        Ok(Reader {
            input: BufReader::with_capacity(64 << 10, source),
            members,
            pos: 0,
            options,
            failed: false,
        })
    }

    /// Whether the input is gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.members.is_some()
    }

    fn position(&self, offset: u64) -> Position {
        let member = self.members.as_ref().and_then(|m| {
            let mut m = m.borrow_mut();
            // Drop members that end before this offset.
            while m.len() > 1 && m[1].1 <= offset {
                m.pop_front();
            }
            m.front().copied()
        });
        Position { offset, member }
    }

    fn io_error(&self, at: Position, e: io::Error) -> WarcError {
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
    fn line(&mut self, at: Position, limit: usize) -> Result<Vec<u8>, WarcError> {
        let mut line = Vec::new();
        let n = (&mut self.input)
            .take(limit as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| self.io_error(at, e))?;
        self.pos += n as u64;
        Ok(line)
    }

    /// The next record, `None` at the end. After an error, always `None`.
    pub fn next_record(&mut self) -> Result<Option<Record>, WarcError> {
        if self.failed {
            return Ok(None);
        }
        let r = self.read_record();
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn read_record(&mut self) -> Result<Option<Record>, WarcError> {
        let Some((at, first)) = self.record_start()? else {
            return Ok(None);
        };
        if first.starts_with(b"filedesc://") {
            return Err(WarcError::Arc { at });
        }
        let version = String::from_utf8_lossy(trim_eol(&first)).into_owned();
        if !(version.starts_with("WARC/1.") || version == "WARC/0.18" || version == "WARC/0.17") {
            return Err(WarcError::NotWarc {
                at,
                detail: format!(
                    "it starts with {:?}, not WARC/1.0 or WARC/1.1",
                    version.chars().take(40).collect::<String>()
                ),
            });
        }
        let headers = self.header_fields(at, first.len())?;
        let field = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let length: u64 = match field("Content-Length") {
            Some(v) => v.parse().map_err(|_| WarcError::BadHeader {
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
        let block = self.block(at, length, declared.as_deref())?;
        let (block, streamed_check) = block;
        self.record_end(at, length)?;
        // A gzip member is checked (CRC, length) when its end is read: do
        // that now, so that a damaged member fails its own record.
        if let Err(e) = self.input.fill_buf() {
            return Err(self.io_error(at, e));
        }
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
        }))
    }

    /// The first line of the next record and where the record starts,
    /// past the blank lines some writers leave between records; `None` at
    /// the end of the input.
    fn record_start(&mut self) -> Result<Option<(Position, Vec<u8>)>, WarcError> {
        let mut blank = 0;
        let (at, first) = loop {
            // Filling first makes the member holding the next byte known.
            let filled = self.input.fill_buf().map(|b| b.is_empty());
            let at = self.position(self.pos);
            if filled.map_err(|e| self.io_error(at, e))? {
                return Ok(None);
            }
            let line = self.line(at, MAX_HEADER_BYTES)?;
            if line.is_empty() {
                return Ok(None);
            }
            if line == b"\r\n" || line == b"\n" {
                blank += 1;
                if blank > MAX_BLANK_LINES {
                    return Err(WarcError::NotWarc {
                        at,
                        detail: "only blank lines".into(),
                    });
                }
                continue;
            }
            break (at, line);
        };
        Ok(Some((at, first)))
    }

    /// The header fields after the version line (`first_len` bytes), up to
    /// the blank line ending them; folded lines joined.
    fn header_fields(
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

    /// The two line ends after the block (bare LFs tolerated): anything
    /// else means the block was not `length` bytes long.
    fn record_end(&mut self, at: Position, length: u64) -> Result<(), WarcError> {
        for _ in 0..2 {
            let line = self.line(at, 2)?;
            if line.is_empty() {
                return Err(WarcError::Truncated {
                    at,
                    detail: "the blank lines ending the record are missing".into(),
                });
            }
            if line != b"\r\n" && line != b"\n" {
                let rest = if line == b"\r" {
                    self.line(at, 1)?
                } else {
                    Vec::new()
                };
                if line != b"\r" || rest != b"\n" {
                    return Err(WarcError::BadLength { at, length });
                }
            }
        }
        Ok(())
    }

    /// Reads the block: kept when short enough, else streamed through the
    /// declared digest.
    fn block(
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

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    pub(crate) fn record(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn all(data: &[u8], options: Options) -> (Vec<Record>, Option<WarcError>) {
        let mut r = Reader::new(data, options).unwrap();
        let mut out = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(rec)) => out.push(rec),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn plain_gzip_per_record_and_whole_file() {
        let a = record("resource", "WARC-Target-URI: <http://a/>\r\n", b"hello");
        let b = record("metadata", "", b"k: v\r\n");
        let plain = [a.clone(), b.clone()].concat();
        let (recs, err) = all(&plain, Options::default());
        assert!(err.is_none());
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].target_uri(), Some("http://a/"));
        assert_eq!(recs[0].block, Block::Kept(b"hello".to_vec()));
        assert_eq!(recs[1].at.offset, a.len() as u64);
        assert_eq!(recs[1].at.member, None);

        let (ga, gb) = (gz(&a), gz(&b));
        let per_record = [ga.clone(), gb].concat();
        let (recs, err) = all(&per_record, Options::default());
        assert!(err.is_none());
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].at.member, Some((ga.len() as u64, a.len() as u64)));
        assert_eq!(recs[1].at.file_offset(), ga.len() as u64);

        let whole = gz(&plain);
        let (recs, err) = all(&whole, Options::default());
        assert!(err.is_none());
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].at.member, Some((0, 0)));
        assert!(recs[1].at.to_string().contains("decompressed"));
    }

    #[test]
    fn block_digests() {
        let good = Digest::of(super::super::Algorithm::Sha1, b"hello").to_warc();
        let rec = record(
            "resource",
            &format!("WARC-Block-Digest: {good}\r\n"),
            b"hello",
        );
        let (recs, _) = all(&rec, Options::default());
        assert_eq!(recs[0].block_check, Check::Good);
        let bad = record(
            "resource",
            &format!("WARC-Block-Digest: {good}\r\n"),
            b"hellO",
        );
        let (recs, _) = all(&bad, Options::default());
        assert!(recs[0].block_check.is_bad());
        // Too large to keep: hashed while streaming.
        let small = Options { max_block: 2 };
        let (recs, err) = all(&rec, small);
        assert!(err.is_none());
        assert_eq!(recs[0].block, Block::TooLarge(5));
        assert_eq!(recs[0].block_check, Check::Good);
        let (recs, _) = all(&bad, small);
        assert!(recs[0].block_check.is_bad());
    }

    #[test]
    fn broken_inputs_name_the_record() {
        let a = record("resource", "", b"hello");
        let b = record("resource", "", b"world");
        let both = [a.clone(), b.clone()].concat();
        // Truncated in the second record's block.
        let (recs, err) = all(&both[..both.len() - 8], Options::default());
        assert_eq!(recs.len(), 1);
        let e = err.unwrap();
        assert!(matches!(e, WarcError::Truncated { .. }), "{e}");
        assert!(e.to_string().contains(&format!("byte {}", a.len())), "{e}");
        // Wrong Content-Length.
        let wrong = String::from_utf8(b.clone())
            .unwrap()
            .replace("Content-Length: 5", "Content-Length: 3");
        let (recs, err) = all(
            &[a.clone(), wrong.into_bytes()].concat(),
            Options::default(),
        );
        assert_eq!(recs.len(), 1);
        assert!(matches!(err, Some(WarcError::BadLength { .. })));
        // Damaged gzip member.
        let mut g2 = gz(&b);
        let mid = g2.len() / 2;
        g2[mid] ^= 0xff;
        g2[mid + 1] ^= 0x55;
        let ga = gz(&a);
        let (recs, err) = all(&[ga.clone(), g2].concat(), Options::default());
        assert_eq!(recs.len(), 1);
        let e = err.unwrap();
        assert!(
            matches!(
                e,
                WarcError::Gzip { .. } | WarcError::Truncated { .. } | WarcError::BadLength { .. }
            ),
            "{e}"
        );
        // Truncated gzip member.
        let g2 = gz(&b);
        let (recs, err) = all(
            &[ga.clone(), g2[..g2.len() - 4].to_vec()].concat(),
            Options::default(),
        );
        assert_eq!(recs.len(), 1);
        assert!(
            err.unwrap()
                .to_string()
                .contains(&format!("byte {}", ga.len()))
        );
        // Not a WARC, ARC, missing length.
        assert!(matches!(
            all(b"hello\r\n", Options::default()).1,
            Some(WarcError::NotWarc { .. })
        ));
        assert!(matches!(
            all(
                b"filedesc://x.arc 0.0.0.0 2000 text/plain 10\n",
                Options::default()
            )
            .1,
            Some(WarcError::Arc { .. })
        ));
        assert!(matches!(
            all(
                b"WARC/1.0\r\nWARC-Type: resource\r\n\r\n",
                Options::default()
            )
            .1,
            Some(WarcError::BadHeader { .. })
        ));
        // Empty input is an empty archive.
        assert!(all(b"", Options::default()).0.is_empty());
    }
}
