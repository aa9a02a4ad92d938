//! WARC/1.1 writer: one gzip member per record (so that any record can be
//! read from its offset, as replay tools do), digests as `sha1:BASE32`.
//!
//! Record ids are derived from what they describe (a UUID-shaped blake3
//! hash), so exporting the same captures twice writes the same file.

use std::io::{self, Write};

use time::OffsetDateTime;

use super::{Algorithm, Digest};

/// Writes records, each as its own gzip member.
pub struct Writer<W: Write> {
    out: W,
    offset: u64,
}

/// Counts bytes written through it.
struct Count<'a, W: Write> {
    out: &'a mut W,
    n: u64,
}

impl<W: Write> Write for Count<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Writer<W> {
        Writer { out, offset: 0 }
    }

    /// Writes one record with `fields` (in order) after `WARC-Type`, and
    /// `Content-Length` and `WARC-Block-Digest` computed from `block`.
    /// Returns the record's offset in the file.
    pub fn record(
        &mut self,
        kind: &str,
        fields: &[(&str, String)],
        block: &[u8],
    ) -> io::Result<u64> {
        let at = self.offset;
        let mut head = String::from("WARC/1.1\r\n");
        head.push_str(&format!("WARC-Type: {kind}\r\n"));
        for (name, value) in fields {
            // A header value is one line.
            let value: String = value.chars().filter(|c| !c.is_control()).collect();
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "WARC-Block-Digest: {}\r\n",
            Digest::of(Algorithm::Sha1, block)
        ));
        head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
        let mut count = Count {
            out: &mut self.out,
            n: 0,
        };
        let mut gz = flate2::write::GzEncoder::new(&mut count, flate2::Compression::default());
        gz.write_all(head.as_bytes())?;
        gz.write_all(block)?;
        gz.write_all(b"\r\n\r\n")?;
        gz.finish()?;
        self.offset += count.n;
        Ok(at)
    }

    /// Flushes and hands back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `WARC-Date` form: RFC 3339 in UTC (seconds, or nanoseconds when the
/// time has them, as WARC 1.1 allows).
pub fn warc_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// A record id (`<urn:uuid:…>`) derived from `seed`.
pub fn record_id(seed: &[u8]) -> String {
    let h = blake3::hash(seed);
    let mut b: [u8; 16] = h.as_bytes()[..16].try_into().expect("16 bytes");
    // UUID version 8 (custom), RFC 9562 variant.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::super::read::{Block, Options, Reader};
    use super::*;

    #[test]
    fn written_records_read_back_with_good_digests() {
        let mut w = Writer::new(Vec::new());
        let a = w
            .record(
                "resource",
                &[
                    ("WARC-Target-URI", "http://a/".into()),
                    ("Title", "line\r\nbreak".into()),
                ],
                b"hello",
            )
            .unwrap();
        let b = w.record("metadata", &[], b"{}").unwrap();
        let bytes = w.finish().unwrap();
        assert_eq!(a, 0);
        let mut r = Reader::new(&bytes[..], Options::default()).unwrap();
        let first = r.next_record().unwrap().unwrap();
        assert_eq!(first.block, Block::Kept(b"hello".to_vec()));
        assert_eq!(first.block_check, super::super::Check::Good);
        assert_eq!(first.header("Title"), Some("linebreak"));
        let second = r.next_record().unwrap().unwrap();
        assert_eq!(second.at.file_offset(), b);
        assert!(r.next_record().unwrap().is_none());
        assert_eq!(record_id(b"x"), record_id(b"x"));
        assert_ne!(record_id(b"x"), record_id(b"y"));
        assert_eq!(record_id(b"x").len(), "<urn:uuid:>".len() + 36);
    }
}
