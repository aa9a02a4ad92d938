//! The index build's two paths (a large text prepared on a second thread or
//! not) and the catch-up from a snapshot give what the plain catch-up gives.

use rusqlite::Connection;

use super::build::Builder;
use super::index::{self, Index};
use crate::store::backend::MemBackend;
use crate::store::{Archive, NewCapture};

/// Paragraphs with markup, repeats within a text and between texts, empty
/// ones, and more than one block of them.
fn texts() -> Vec<String> {
    let para = |i: usize| match i % 7 {
        0 => format!("# Heading {i}"),
        1 => format!("Some *bold* [link {i}](https://x.example/{i}) text &amp; more."),
        2 => "A paragraph repeated many times.".to_string(),
        3 => "---".to_string(),
        4 => format!("Plain words number {} here\nand a second line", i / 3),
        5 => format!("东京 {i} كَتَبَ"),
        _ => format!("<p>tag {}</p>", i % 50),
    };
    let a: Vec<String> = (0..2000).map(para).collect();
    let b: Vec<String> = (1000..3300).map(para).collect();
    vec![a.join("\n\n"), b.join("\n\n\n")]
}

/// Everything the index holds, in order.
fn contents(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT pn, h, tn, n, hex(tns) FROM paras ORDER BY pn",
        "SELECT rowid, 0, 0, 0, 0 FROM fts WHERE fts MATCH 'tag OR words OR 东' ORDER BY rowid",
        "SELECT key, value, 0, 0, 0 FROM meta ORDER BY key",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    r.get_ref(0)?,
                    r.get_ref(1)?,
                    r.get_ref(2)?,
                    r.get_ref(3)?,
                    r.get_ref(4)?
                ))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn build(pipelined: bool) -> Vec<String> {
    let conn = Connection::open_in_memory().unwrap();
    index::create(&conn).unwrap();
    let mut b = Builder::load(&conn, true).unwrap();
    for (i, t) in texts().iter().enumerate() {
        b.add_text_with(&conn, i as i64 + 1, t, pipelined).unwrap();
    }
    let new = b.finish(&conn, true).unwrap();
    assert!(new > 100, "{new}");
    contents(&conn)
}

#[test]
fn a_text_prepared_on_a_second_thread_is_indexed_the_same() {
    let (one, two) = (build(false), build(true));
    assert!(one.len() > 500, "{}", one.len());
    assert_eq!(one, two);
}

fn add(archive: &Archive, n: i64, text: &str) {
    let mut w = archive.writer(&mut || {}).unwrap();
    let at = time::macros::datetime!(2019-02-12 12:00 UTC) + time::Duration::hours(n);
    w.add(NewCapture::plain_text("a".parse().unwrap(), at, text))
        .unwrap();
    w.prepare().unwrap();
    w.commit().unwrap();
}

fn paras(dir: &std::path::Path) -> i64 {
    let conn = Connection::open(dir.join(index::FILE)).unwrap();
    conn.query_row("SELECT COUNT(*) FROM paras", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_snapshot_catches_up_or_changes_nothing_when_out_of_date() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init_with_backend(tmp.path(), Box::new(MemBackend::default())).unwrap();
    add(&a, 0, "first words\n\nsecond paragraph");
    let snap = index::snapshot(&a, 10, 1 << 20)
        .unwrap()
        .expect("work to do");
    assert!(index::refresh_from(tmp.path(), &snap).unwrap().is_some());
    assert_eq!(index::stored_mark(tmp.path()), Some(1));
    assert!(
        index::snapshot(&a, 10, 1 << 20).unwrap().is_none(),
        "current"
    );

    add(&a, 1, "first words\n\nthird paragraph");
    let old = index::snapshot(&a, 10, 1 << 20)
        .unwrap()
        .expect("work to do");
    assert!(index::snapshot(&a, 10, 5).unwrap().is_none(), "over budget");
    assert!(
        index::snapshot(&a, 0, 1 << 20).unwrap().is_none(),
        "too many"
    );
    add(&a, 2, "fourth paragraph");
    Index::refresh(&a, &mut |_, _| {}).unwrap();
    assert_eq!(
        (index::stored_mark(tmp.path()), paras(tmp.path())),
        (Some(3), 4)
    );
    // The index moved past the snapshot: its catch-up changes nothing
    // (it would have started the index again from the older captures).
    assert!(index::refresh_from(tmp.path(), &old).is_err());
    assert_eq!(
        (index::stored_mark(tmp.path()), paras(tmp.path())),
        (Some(3), 4)
    );
    add(&a, 3, "fifth paragraph");
    let snap = index::snapshot(&a, 10, 1 << 20)
        .unwrap()
        .expect("work to do");
    index::refresh_from(tmp.path(), &snap).unwrap();
    assert_eq!(
        (index::stored_mark(tmp.path()), paras(tmp.path())),
        (Some(4), 5)
    );
    let q = crate::search::SearchQuery {
        text: "fifth".into(),
        doc: None,
        all_versions: false,
        limit: 0,
    };
    let hits = Index::open(&a, &mut |_, _| {})
        .unwrap()
        .search(&a, &q)
        .unwrap();
    assert_eq!(hits.len(), 1);
}
