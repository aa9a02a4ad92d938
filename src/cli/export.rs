//! `vellum export --warc OUT.warc.gz [DOC|ADDR...]`

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use vellum::id::ObjectId;
use vellum::store::{Address, CaptureId};
use vellum::warc::import::CAPTURE_RECORD_TYPE;
use vellum::warc::write::{Writer, record_id, warc_date};
use vellum::warc::{Algorithm, Digest};

use super::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum export --warc archive.warc.gz                  every capture
  vellum export --warc story.warc.gz south-front         one document, every capture
  vellum export --warc v1.warc.gz south-front@1 3f2a9c01  a version, a capture

Writes WARC/1.1, one gzip member per record: a warcinfo record, then per capture a
`resource` record with the archived bytes (sha1 payload and block digests in base32,
WARC-Target-URI = its URL or urn:vellum:capture:ID, WARC-Date = captured-at), a
`conversion` record with the extracted text where it differs from the bytes, and a
`metadata` record holding the capture record (blake3 ids). A capture whose bytes were
already written is a `revisit` record. `vellum import` reads the file back to the same
capture ids. The file appears only once complete.")]
pub struct ExportArgs {
    /// Output file (WARC/1.1, gzip per record)
    #[arg(long, value_name = "OUT.warc.gz")]
    warc: PathBuf,
    /// Documents or their URLs (every capture), versions (DOC@N, URL@N…) or capture ids [default: all]
    addrs: Vec<String>,
}

const REVISIT_PROFILE: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

pub fn run_export(env: &Env, args: ExportArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let all = archive.all_captures()?;
    let mut chosen: Vec<CaptureId> = Vec::new();
    if args.addrs.is_empty() {
        chosen = all.iter().map(|c| c.id).collect();
    } else {
        for a in &args.addrs {
            // A document (its name or URL, no @…) means all its captures.
            let doc = archive.document(a).ok().map(|d| d.to_string());
            let of_doc: Vec<CaptureId> = all
                .iter()
                .filter(|c| doc.as_ref() == Some(&c.doc))
                .map(|c| c.id)
                .collect();
            if !of_doc.is_empty() {
                chosen.extend(of_doc);
                continue;
            }
            let addr: Address = a.parse().map_err(|e| CliError::new(format!("{e}")))?;
            chosen.push(archive.resolve(&addr)?.capture);
        }
    }
    let mut seen = std::collections::HashSet::new();
    chosen.retain(|c| seen.insert(*c));

    let name = args
        .warc
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| CliError::new("--warc needs a file name, e.g. out.warc.gz"))?;
    let tmp = args.warc.with_file_name(format!(".{name}.partial"));
    let cannot =
        |e: std::io::Error| CliError::new(format!("cannot write {}: {e}", args.warc.display()));
    let file = std::fs::File::create(&tmp).map_err(cannot)?;
    let result = (|| -> Result<(), CliError> {
        let mut w = Writer::new(BufWriter::new(file));
        let info = format!(
            "software: vellum/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\ndescription: {} captures exported from a vellum archive\r\n",
            env!("CARGO_PKG_VERSION"),
            chosen.len()
        );
        w.record(
            "warcinfo",
            &[
                ("WARC-Date", warc_date(time::OffsetDateTime::now_utc())),
                ("WARC-Filename", name.clone()),
                ("WARC-Record-ID", record_id(info.as_bytes())),
                ("Content-Type", "application/warc-fields".into()),
            ],
            info.as_bytes(),
        )
        .map_err(cannot)?;
        // Bytes already written: id of their resource record, URI, date.
        let mut written: HashMap<ObjectId, (String, String, String)> = HashMap::new();
        for id in &chosen {
            let rec = archive.record(id)?;
            let canonical = archive.read_object(&id.0)?;
            let uri = rec
                .url
                .clone()
                .unwrap_or_else(|| format!("urn:vellum:capture:{id}"));
            let date = warc_date(rec.captured_at);
            let main_id = record_id(format!("capture:{id}").as_bytes());
            let bytes = archive.read_object(&rec.content)?;
            let payload_digest = Digest::of(Algorithm::Sha1, &bytes).to_warc();
            match written.get(&rec.content) {
                Some((orig_id, orig_uri, orig_date)) => {
                    w.record(
                        "revisit",
                        &[
                            ("WARC-Record-ID", main_id.clone()),
                            ("WARC-Target-URI", uri.clone()),
                            ("WARC-Date", date.clone()),
                            ("WARC-Profile", REVISIT_PROFILE.into()),
                            ("WARC-Refers-To", orig_id.clone()),
                            ("WARC-Refers-To-Target-URI", orig_uri.clone()),
                            ("WARC-Refers-To-Date", orig_date.clone()),
                            ("WARC-Payload-Digest", payload_digest),
                        ],
                        b"",
                    )
                    .map_err(cannot)?;
                }
                None => {
                    match rec.http.as_ref().filter(|h| !h.head.is_empty()) {
                        // Fetched by vellum: the HTTP answer as a response
                        // record, its head as archived (the body is stored
                        // decoded, so the encodings and length are restated).
                        Some(http) => {
                            let mut block = http_head(&http.head, bytes.len()).into_bytes();
                            block.extend_from_slice(&bytes);
                            w.record(
                                "response",
                                &[
                                    ("WARC-Record-ID", main_id.clone()),
                                    ("WARC-Target-URI", uri.clone()),
                                    ("WARC-Date", date.clone()),
                                    ("Content-Type", "application/http; msgtype=response".into()),
                                    ("WARC-Payload-Digest", payload_digest),
                                ],
                                &block,
                            )
                            .map_err(cannot)?;
                        }
                        None => {
                            w.record(
                                "resource",
                                &[
                                    ("WARC-Record-ID", main_id.clone()),
                                    ("WARC-Target-URI", uri.clone()),
                                    ("WARC-Date", date.clone()),
                                    ("Content-Type", content_type(&rec.media_type)),
                                    ("WARC-Payload-Digest", payload_digest),
                                ],
                                &bytes,
                            )
                            .map_err(cannot)?;
                        }
                    }
                    written.insert(rec.content, (main_id.clone(), uri.clone(), date.clone()));
                }
            }
            if let Some(text) = rec.text.filter(|t| *t != rec.content) {
                let text = archive.read_object(&text)?;
                w.record(
                    "conversion",
                    &[
                        ("WARC-Record-ID", record_id(format!("text:{id}").as_bytes())),
                        ("WARC-Target-URI", uri.clone()),
                        ("WARC-Date", date.clone()),
                        ("WARC-Refers-To", main_id.clone()),
                        ("Content-Type", "text/plain; charset=utf-8".into()),
                        (
                            "WARC-Payload-Digest",
                            Digest::of(Algorithm::Sha1, &text).to_warc(),
                        ),
                    ],
                    &text,
                )
                .map_err(cannot)?;
            }
            w.record(
                "metadata",
                &[
                    (
                        "WARC-Record-ID",
                        record_id(format!("record:{id}").as_bytes()),
                    ),
                    ("WARC-Target-URI", uri),
                    ("WARC-Date", date),
                    ("WARC-Refers-To", main_id),
                    ("Content-Type", CAPTURE_RECORD_TYPE.into()),
                ],
                &canonical,
            )
            .map_err(cannot)?;
        }
        let file = w
            .finish()
            .map_err(cannot)?
            .into_inner()
            .map_err(|e| cannot(e.into_error()))?;
        file.sync_all().map_err(cannot)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &args.warc).map_err(cannot)?;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "vellum: wrote {} captures to {}",
        chosen.len(),
        args.warc.display()
    );
    Ok(Exit::Ok)
}

fn content_type(media_type: &str) -> String {
    if media_type.starts_with("text/") {
        format!("{media_type}; charset=utf-8")
    } else {
        media_type.to_owned()
    }
}

/// An archived HTTP head, restated for the decoded body it now precedes:
/// without the content and transfer encodings the fetch removed, with the
/// body's length.
fn http_head(head: &str, body_len: usize) -> String {
    let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
    let mut out = format!("{}\r\n", lines.next().unwrap_or("HTTP/1.1 200 OK"));
    for line in lines {
        let name = line.split(':').next().unwrap_or("").trim();
        if ["content-encoding", "transfer-encoding", "content-length"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {body_len}\r\n\r\n"));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn http_heads_are_restated_for_the_decoded_body() {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\
                    Transfer-Encoding: chunked\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n";
        assert_eq!(
            super::http_head(head, 42),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: \"x\"\r\nContent-Length: 42\r\n\r\n"
        );
    }
}
