//! The HTTP message inside a `response` record: status line and headers,
//! then the body as sent (possibly chunked, possibly gzip-compressed).
//! Every step is bounded by the size of the record, or by `limit` for
//! decompression (a small gzip body can claim gigabytes).

use std::io::Read;

use super::error::HttpError;

/// Most header fields accepted in one HTTP response.
const MAX_HEADERS: usize = 256;

/// A parsed HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body exactly as it follows the headers in the record (the
    /// "message body": still chunked and compressed if it was sent so).
    pub raw_body: &'a [u8],
}

impl<'a> Response<'a> {
    /// Parses the status line and headers at the start of `block`.
    pub fn parse(block: &'a [u8]) -> Result<Response<'a>, HttpError> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut headers);
        let len = match resp.parse(block) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return Err(HttpError::Incomplete),
            Err(e) => return Err(HttpError::Malformed(e.to_string())),
        };
        let status = resp.code.ok_or(HttpError::Incomplete)?;
        let headers = resp
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_owned(),
                    String::from_utf8_lossy(h.value).trim().to_owned(),
                )
            })
            .collect();
        Ok(Response {
            status,
            headers,
            raw_body: &block[len..],
        })
    }

    /// The value of a header (first occurrence, case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type without parameters, lowercased (`text/html`).
    pub fn media_type(&self) -> Option<String> {
        let ct = self.header("content-type")?;
        let mt = ct.split(';').next()?.trim().to_ascii_lowercase();
        (!mt.is_empty()).then_some(mt)
    }

    /// The `charset` parameter of Content-Type, lowercased.
    pub fn charset(&self) -> Option<String> {
        let ct = self.header("content-type")?;
        ct.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
        })
    }

    /// Whether the body was sent with chunked transfer-coding.
    pub fn is_chunked(&self) -> bool {
        self.header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    /// The body with transfer-coding removed (de-chunked).
    pub fn dechunked(&self) -> Result<std::borrow::Cow<'a, [u8]>, HttpError> {
        if self.is_chunked() {
            dechunk(self.raw_body).map(std::borrow::Cow::Owned)
        } else {
            Ok(std::borrow::Cow::Borrowed(self.raw_body))
        }
    }

    /// The entity as the server meant it: de-chunked, then decompressed when
    /// Content-Encoding is gzip or deflate. At most `limit` bytes.
    pub fn entity(&self, limit: usize) -> Result<Vec<u8>, HttpError> {
        let body = self.dechunked()?;
        let encoding = self
            .header("content-encoding")
            .map(|e| e.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match encoding.as_str() {
            "" | "identity" => {
                if body.len() > limit {
                    return Err(HttpError::TooLarge { limit });
                }
                Ok(body.into_owned())
            }
            "gzip" | "x-gzip" => {
                bounded(flate2::read::MultiGzDecoder::new(&body[..]), limit, "gzip")
            }
            "deflate" => {
                // Servers send either zlib-wrapped or raw deflate.
                bounded(flate2::read::ZlibDecoder::new(&body[..]), limit, "deflate").or_else(|_| {
                    bounded(
                        flate2::read::DeflateDecoder::new(&body[..]),
                        limit,
                        "deflate",
                    )
                })
            }
            other => Err(HttpError::UnsupportedEncoding(
                other.chars().take(40).collect(),
            )),
        }
    }
}

fn bounded(r: impl Read, limit: usize, what: &'static str) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::new();
    r.take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| HttpError::BadEncoding(what, e.to_string()))?;
    if out.len() > limit {
        return Err(HttpError::TooLarge { limit });
    }
    Ok(out)
}

/// Removes chunked transfer-coding (RFC 9112 section 7.1). The output is
/// never longer than the input.
pub fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = find_crlf(body).ok_or(HttpError::BadChunk("missing chunk size line"))?;
        let line = &body[..line_end];
        let size_part = line.split(|&b| b == b';').next().unwrap_or(&[]);
        let size_str = std::str::from_utf8(size_part)
            .map_err(|_| HttpError::BadChunk("chunk size is not hex"))?
            .trim();
        if size_str.is_empty() || size_str.len() > 15 {
            return Err(HttpError::BadChunk("chunk size is not hex"));
        }
        let size = usize::from_str_radix(size_str, 16)
            .map_err(|_| HttpError::BadChunk("chunk size is not hex"))?;
        body = &body[line_end + 2..];
        if size == 0 {
            // Trailer fields are ignored; a missing final CRLF is tolerated
            // (some crawlers drop it).
            return Ok(out);
        }
        if body.len() < size {
            return Err(HttpError::BadChunk(
                "chunk is longer than the rest of the body",
            ));
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size..];
        body = body
            .strip_prefix(b"\r\n")
            .ok_or(HttpError::BadChunk("chunk does not end with CRLF"))?;
    }
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_type_charset() {
        let block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\nX: y\r\n\r\nbody";
        let r = Response::parse(block).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.media_type().as_deref(), Some("text/html"));
        assert_eq!(r.charset().as_deref(), Some("iso-8859-1"));
        assert_eq!(r.raw_body, b"body");
        assert_eq!(r.entity(100).unwrap(), b"body");
        assert!(matches!(r.entity(3), Err(HttpError::TooLarge { .. })));
        assert!(matches!(
            Response::parse(b"HTTP/1.1 200 OK\r\nContent-Type: x"),
            Err(HttpError::Incomplete)
        ));
        assert!(Response::parse(b"garbage\r\n\r\n").is_err());
    }

    #[test]
    fn chunked_and_gzip() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert!(dechunk(b"3\r\nab").is_err());
        assert!(dechunk(b"zz\r\nab\r\n0\r\n\r\n").is_err());
        assert!(dechunk(b"3\r\nabcX0\r\n\r\n").is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"hello hello").unwrap();
        let gz = gz.finish().unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_vec();
        block.extend_from_slice(format!("{:x}\r\n", gz.len()).as_bytes());
        block.extend_from_slice(&gz);
        block.extend_from_slice(b"\r\n0\r\n\r\n");
        let r = Response::parse(&block).unwrap();
        assert_eq!(r.entity(1000).unwrap(), b"hello hello");
        // A decompression bomb stops at the limit.
        assert!(matches!(r.entity(5), Err(HttpError::TooLarge { .. })));
        let br = Response::parse(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx").unwrap();
        assert!(matches!(
            br.entity(10),
            Err(HttpError::UnsupportedEncoding(_))
        ));
    }
}
