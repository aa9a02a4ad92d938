//! Extraction tests.

use super::*;

fn para(n: usize, w: &str) -> String {
    (0..n)
        .map(|i| format!("{w}{i}"))
        .collect::<Vec<_>>()
        .join(" ")
        + "."
}

fn page(article: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>Bridge report - Daily</title>\
         <link rel=\"canonical\" href=\"/news/bridge?utm_source=x\">\
         <meta property=\"article:published_time\" content=\"2026-05-24T09:30:00Z\">\
         <meta name=\"author\" content=\"Jane Reporter\"><style>p{{color:red}}</style></head>\
         <body><nav><a href=/>Home</a> <a href=/news>News</a></nav>\
         <div class=\"cookie-banner\">We use cookies to improve your experience. Accept all cookies.</div>\
         <div class=\"share-bar\"><a href=#>Share on Facebook</a> <a href=#>Tweet</a></div>\
         {article}\
         <section class=\"comments\"><h3>Comments (412)</h3><p>{}</p></section>\
         <div class=\"related-stories\"><h3>More news</h3><ul><li><a href=/a>{}</a></li><li><a href=/b>{}</a></li></ul></div>\
         <footer>Copyright 2026 The Daily</footer><script>var x = 'script text';</script></body></html>",
        para(30, "comment"),
        para(12, "teaserone"),
        para(12, "teasertwo"),
    )
}

#[test]
fn article_without_furniture() {
    let body = format!(
        "<article><h1>Bridge report</h1><p>{}</p><h2>What happened</h2><p>{}</p>\
         <ul><li>first point</li><li>second point</li></ul>\
         <blockquote><p>{}</p></blockquote>\
         <figure><img src=x.jpg><figcaption>Photo: A. Person, AP</figcaption></figure>\
         <table><tr><th>Year</th><th>Cost</th></tr><tr><td>1972</td><td>$4m</td></tr></table>\
         <p>{}<br>second line</p></article>",
        para(60, "alpha"),
        para(40, "beta"),
        para(20, "quoted"),
        para(30, "gamma"),
    );
    let a = extract(&page(&body), Some("https://daily.example/news/bridge"));
    assert_eq!(a.title.as_deref(), Some("Bridge report - Daily"));
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://daily.example/news/bridge?utm_source=x")
    );
    assert!(
        a.date
            .as_deref()
            .is_some_and(|d| d.starts_with("2026-05-24")),
        "{a:?}"
    );
    let t = &a.body;
    assert!(t.starts_with("alpha0 alpha1"), "{t}");
    assert!(t.contains("\n\n## What happened\n\nbeta0"), "{t}");
    assert!(t.contains("\n\n- first point\n\n- second point\n\n"), "{t}");
    assert!(t.contains("\n\n> quoted0 quoted1"), "{t}");
    assert!(t.contains("Year | Cost\n\n1972 | $4m"), "{t}");
    assert!(t.contains("gamma29.\nsecond line"), "{t}");
    for junk in [
        "Home",
        "cookies",
        "Share",
        "Tweet",
        "comment0",
        "Comments",
        "teaser",
        "More news",
        "Copyright",
        "script text",
        "color:red",
        "Photo:",
    ] {
        assert!(!t.contains(junk), "{junk:?} in {t}");
    }
    assert_eq!(a.flag, None);
    let text = a.text();
    assert!(
        text.starts_with("Bridge report - Daily\n\nalpha0"),
        "{text}"
    );
    assert!(text.ends_with("second line\n"));
}

#[test]
fn a_body_class_never_removes_the_article() {
    let html = format!(
        "<html><body class=\"has-sidebar page-comments\"><div id=\"main-share-wrapper\">\
         <p>{}</p><p>{}</p></div></body></html>",
        para(80, "kept"),
        para(80, "also")
    );
    let a = extract(&html, None);
    assert!(a.body.contains("kept79."), "{a:?}");
    assert!(a.body.contains("also0"), "{a:?}");
}

#[test]
fn thin_and_error_pages_are_flagged() {
    let a = extract(
        "<html><head><title>Before you continue to Example</title></head><body>\
         <p>We use cookies and data to deliver our services.</p>\
         <button>Accept all</button></body></html>",
        None,
    );
    assert!(a.flag.is_some(), "{a:?}");
    let a = extract(
        "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
        None,
    );
    assert!(
        a.flag.as_deref().is_some_and(|f| f.contains("error page")),
        "{a:?}"
    );
    let a = extract(
        &page(&format!("<article><p>{}</p></article>", para(2, "short"))),
        None,
    );
    assert!(
        a.flag.as_deref().is_some_and(|f| f.contains("thin")),
        "{a:?}"
    );
}

#[test]
fn labels_and_credits() {
    for l in [
        "Advertisement",
        "Image 1 of 8",
        "Image 1 of / 8",
        "Photo: Hau Dinh, AP",
        "Close",
        "Credit: Getty Images",
    ] {
        assert!(is_label(l), "{l}");
    }
    for l in [
        "Photographs of the crash were published on Tuesday by the agency, which said",
        "Close the border, he said.",
    ] {
        assert!(!is_label(l), "{l}");
    }
}

#[test]
fn datelines_and_copyright() {
    for l in [
        "By Justine Coleman - 11/18/19 11:04 PM EST",
        "Published Monday, November 18, 2019 8:22AM EST",
        "Updated at 1:23 p.m.",
        "September 10, 2018 |",
        "Nov 18, 2019 @17:19 PM \u{b7} Updated: Nov 18, 2019 @17:26 PM",
        "By Jane Reporter",
        "By Jane Reporter, February 12, 2019",
        "By Jane Reporter, John Editor and Ann Lee, Staff Writers, February 12, 2019",
        "BY JANE REPORTER | THE DAILY",
    ] {
        assert!(is_dateline(l), "{l}");
    }
    for l in [
        "By 2030, emissions must fall by half.",
        "By Tuesday, the river had risen.",
        "By Tuesday, the river had risen",
        "By the way",
        "The vote is on 12 May.",
        "Prices rose 4.5% in 2019, the bank said, and will rise again in 2020 and 2021 according to its forecast.",
    ] {
        assert!(!is_dateline(l), "{l}");
    }
    assert!(is_copyright("\u{a9} 2019 Capitol Hill Publishing Corp."));
    assert!(!is_copyright(
        "The lawsuit claims the copyright on the song was never renewed, and the estate is suing."
    ));
}

#[test]
fn hostile_html_never_panics() {
    let deep = "<div>".repeat(5000) + "deep text" + &"</div>".repeat(10);
    for html in [
        "",
        "<",
        "<html><body><p>unclosed <b><i>tags",
        "\u{0}\u{feff}<p>nul</p>",
        "<table><td><td><tr><li><ol><blockquote>",
        deep.as_str(),
        "<link rel=canonical href=\"javascript:alert(1)\"><p>x</p>",
        "<link rel=canonical href=\"http://[::1\"><p>x</p>",
    ] {
        let a = extract(html, Some("https://example.org/a"));
        assert!(a.body.len() <= MAX_TEXT_LEN + 1024);
        assert!(a.canonical_url.is_none() || html.contains("canonical"));
    }
    let a = extract("<link rel=canonical href=\"javascript:alert(1)\">", None);
    assert_eq!(a.canonical_url, None);
}

#[test]
fn deep_nesting_is_cut_and_flagged() {
    // 20,000 nested boxes made parsing and scoring take a minute.
    let n = 20_000;
    let html = format!(
        "<html><body><p>{}</p>{}y{}</body></html>",
        para(80, "before"),
        "<div class=share><p>x</p>".repeat(n),
        "</div>".repeat(n),
    );
    assert_eq!(too_deep_at(&html).map(|at| &html[at..at + 4]), Some("<div"));
    let a = extract(&html, None);
    assert!(
        a.flag.as_deref().is_some_and(|f| f.contains("nested")),
        "{a:?}"
    );
    assert!(a.body.contains("before79."), "{a:?}");
    // Ordinary pages, sloppy ones included, are never cut.
    let sloppy = format!(
        "<!doctype html><html><body>{}<br><img src=x><input/><!-- <div><div> --></body></html>",
        "<p>unclosed<li>item<td>cell".repeat(5000)
    );
    assert_eq!(too_deep_at(&sloppy), None);
    let nested = format!(
        "{}{}",
        "<div>".repeat(MAX_DEPTH),
        "</div>".repeat(MAX_DEPTH)
    );
    assert_eq!(too_deep_at(&nested), None);
    assert!(too_deep_at(&format!("<div>{nested}")).is_some());
    // Tags inside comments, scripts and styles are not nesting.
    let opens = "<div>".repeat(2 * MAX_DEPTH);
    for wrapped in [
        format!("<!--{opens}-->"),
        format!("<script>var t = '{opens}';</script>"),
        format!("<STYLE>/*{opens}*/</style>"),
    ] {
        assert_eq!(too_deep_at(&wrapped), None, "{}", &wrapped[..20]);
    }
}

#[test]
fn huge_input_is_bounded() {
    let p = para(200, "w");
    let ps: String = (0..10_000).map(|i| format!("<p>{i} {p}</p>")).collect();
    let html = format!("<html><body><article>{ps}</article></body></html>");
    assert!(html.len() > MAX_HTML_LEN);
    let a = extract(&html, None);
    assert!(a.body.len() <= MAX_TEXT_LEN, "{}", a.body.len());
    assert!(a.body.len() > MAX_TEXT_LEN / 2);
}

#[test]
fn extractor_version_matches_cargo_lock() {
    let lock = include_str!("../../../Cargo.lock");
    let at = lock
        .find("name = \"dom_smoothie\"")
        .expect("dom_smoothie in Cargo.lock");
    let version = lock[at..].lines().nth(1).unwrap();
    assert_eq!(version, format!("version = \"{DOM_SMOOTHIE_VERSION}\""));
}

/// Issue 28: a version of a page that adds an author must treat the byline
/// the way the version before did (here: out of the text, into `byline`),
/// so that the texts of the two versions stay equal.
#[test]
fn bylines_are_metadata_whatever_the_number_of_authors() {
    let version = |byline: &str, class: &str| {
        format!(
            "<html><head><title>Bridge report</title></head><body><article>\
             <h1>Bridge report</h1><p{class}>{byline}</p><p>{}</p><p>{}</p></article></body></html>",
            para(60, "alpha"),
            para(40, "beta"),
        )
    };
    for class in ["", " class=\"byline\"", " class=\"meta\""] {
        let mut bodies = Vec::new();
        for byline in [
            "By Jane Reporter, February 12, 2019",
            "By Jane Reporter and John Editor, February 12, 2019",
            "By Jane Reporter, John Editor, Ann Lee-Smith, Pat O'Brien and Sam Writer, \
             Staff Writers, February 12, 2019 10:05 a.m. EST",
        ] {
            let a = extract(&version(byline, class), None);
            assert!(a.body.starts_with("alpha0"), "{class} {byline}: {}", a.body);
            assert!(!a.body.contains("Reporter"), "{class} {byline}: {}", a.body);
            assert!(
                a.byline
                    .as_deref()
                    .is_some_and(|b| b.contains("Jane Reporter")),
                "{class} {byline}: {a:?}"
            );
            bodies.push(a.body);
        }
        assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{class}");
    }
}

/// Revision 3's furniture rules, learned from benchmark pages: a post's
/// taxonomy classes and a large caption-named box keep their text; a small
/// caption still goes.
#[test]
fn article_boxes_that_look_like_furniture() {
    let long = para(90, "story");
    for (html, kept, gone) in [
        (
            format!("<div class=\"hentry post tag-share category-social\"><p>{long}</p></div>"),
            "story89.",
            None,
        ),
        (
            format!(
                "<div class=\"caption-image\"><img src=x><p>{long}</p></div>\
                 <div class=\"caption\">Photo by Ann Lee for the Daily</div>"
            ),
            "story89.",
            Some("Photo by Ann Lee"),
        ),
    ] {
        // More text in links elsewhere than in the article, so that the
        // article's box is not spared for holding most of the page.
        let links: String = (0..60)
            .map(|i| format!("<li><a href=/{i}>{}</a></li>", para(8, "linked")))
            .collect();
        let page = format!(
            "<html><body><div class=\"index\"><ul>{links}</ul></div>{html}<p>{}</p></body></html>",
            para(12, "aside")
        );
        let a = extract(&page, None);
        assert!(a.body.contains(kept), "{html}: {}", a.body);
        if let Some(g) = gone {
            assert!(!a.body.contains(g), "{html}: {}", a.body);
        }
    }
}
