use super::*;

#[test]
fn labels_and_code_pages() {
    assert_eq!(Charset::for_label("IBM852").unwrap().name(), "IBM852");
    assert_eq!(Charset::for_label(" cp852 ").unwrap().name(), "IBM852");
    assert_eq!(
        Charset::for_label("latin2"),
        Some(Charset::Whatwg(encoding_rs::ISO_8859_2))
    );
    assert_eq!(Charset::for_label("klingon"), None);
    // Every code page round-trips through its name.
    for (i, _) in tables::TABLES.iter().enumerate() {
        let cs = Charset::CodePage(u8::try_from(i).unwrap());
        assert_eq!(Charset::for_label(cs.name()), Some(cs));
    }
    // IBM852: 0xA5 is ą, 0x9F is č, 0xFD is ř (the code page's own table).
    let (text, errors) = Charset::for_label("ibm852")
        .unwrap()
        .decode(b"\xa5\x9f\xfd a");
    assert_eq!((text.as_str(), errors), ("ąčř a", false));
}

#[test]
fn every_language_and_candidate_is_known() {
    let m = model();
    assert_eq!(m.langs.len(), LANG_CHARSETS.len());
    assert!(m.langs.iter().all(|l| !l.letters.is_empty()));
    // Only English's declaration has no non-ASCII letter at all.
    let without_pairs = m.langs.iter().filter(|l| l.pairs.is_empty()).count();
    assert!(without_pairs <= 1, "{without_pairs}");
}

#[test]
fn no_upper_bytes_is_no_single_byte_guess() {
    assert_eq!(single_byte(b"plain ascii"), None);
}

macro_rules! uchardet {
    ($name:literal, $label:literal) => {
        (
            $label,
            include_bytes!(concat!(
                "../../../tests/fixtures/encodings/uchardet/",
                $name,
                ".txt"
            ))
            .as_slice(),
            include_str!(concat!(
                "../../../tests/fixtures/encodings/uchardet/",
                $name,
                ".expected"
            )),
        )
    };
}

/// Real texts (uchardet's test files) in encodings chardetng never guesses.
const UCHARDET: [(&str, &[u8], &str); 8] = [
    uchardet!("pl-ibm852", "ibm852"),
    uchardet!("mt-iso-8859-3", "iso-8859-3"),
    uchardet!("et-windows-1257", "windows-1257"),
    uchardet!("et-iso-8859-4", "iso-8859-4"),
    uchardet!("lv-iso-8859-13", "iso-8859-13"),
    uchardet!("ro-iso-8859-16", "iso-8859-16"),
    uchardet!("fr-iso-8859-15", "iso-8859-15"),
    uchardet!("ru-ibm866", "ibm866"),
];

#[test]
fn real_texts_in_legacy_encodings_decode_exactly() {
    for (label, bytes, expected) in UCHARDET {
        let truth = Charset::for_label(label).unwrap();
        assert_eq!(truth.decode(bytes).0, expected, "{label}: the table itself");
        let g = detect(bytes, None);
        assert_eq!(
            g.charset.decode(bytes).0,
            expected,
            "{label} detected as {} ({})",
            g.charset.name(),
            g.confidence
        );
        // And what chardetng alone made of it was not right: this is new.
        let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        det.feed(bytes, true);
        let old = det.guess(None, chardetng::Utf8Detection::Allow);
        if old.decode(bytes).0 == expected {
            eprintln!("{label}: chardetng alone was right too");
        }
    }
}

#[test]
fn a_guess_is_only_as_sure_as_its_lead() {
    // No lead over a different decoding: no confidence at all.
    assert_eq!(confidence(400, 400, 10), 0);
    // A lead of 5 nats is about even; 20 nats is sure.
    let even = confidence(400, 420, 10);
    assert!((45..=55).contains(&even), "{even}");
    assert!(confidence(400, 480, 10) >= 90);
    // However large the lead, a decoding no language fits is doubtful.
    assert!(confidence(4000, 8000, 10) < LOW_CONFIDENCE);
}

#[test]
fn garbage_and_ambiguous_bytes_are_flagged() {
    // Bytes no language explains: the guess is flagged, never silent.
    let g = detect(b"\x8f\x90\x9d\x81 \x8d\xff\xfe", None);
    assert!(g.confidence < LOW_CONFIDENCE, "{g:?}");
    // Two upper bytes that Lithuanian in ISO-8859-10 and Czech in ISO-8859-2
    // explain about as well: whatever wins, it says it is unsure.
    let g = detect(b"Vilnius \xbe and \xf9 kartu", None);
    assert!(g.confidence < LOW_CONFIDENCE, "{g:?}");
}

#[test]
fn multi_byte_encodings_stay_chardetng_s() {
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("政府は十二日、新しい経済対策を発表した。");
    let g = detect(&sjis, None);
    assert_eq!(g.charset, Charset::Whatwg(encoding_rs::SHIFT_JIS));
    assert!(g.confidence >= LOW_CONFIDENCE);
}

#[test]
fn ascii_like_encodings_are_found_before_utf8() {
    let (jis, _, _) = encoding_rs::ISO_2022_JP.encode("政府は新しい経済対策を発表した。");
    assert!(std::str::from_utf8(&jis).is_ok());
    let g = detect_ascii_like(&jis).unwrap();
    assert_eq!(g.charset, Charset::Whatwg(encoding_rs::ISO_2022_JP));
    let le: Vec<u8> = "Plain words, no byte-order mark."
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let be: Vec<u8> = "Plain words, no byte-order mark."
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    assert_eq!(
        detect_ascii_like(&le).map(|g| g.charset),
        Some(Charset::Whatwg(encoding_rs::UTF_16LE))
    );
    assert_eq!(
        detect_ascii_like(&be).map(|g| g.charset),
        Some(Charset::Whatwg(encoding_rs::UTF_16BE))
    );
    assert_eq!(detect_ascii_like(b"plain ascii text, nothing else"), None);
}

proptest::proptest! {
    /// Any bytes: a guess, a confidence in range, a decoding, never a panic.
    #[test]
    fn any_bytes_get_a_bounded_guess(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let g = detect(&bytes, Some("pl"));
        proptest::prop_assert!(g.confidence <= 100);
        let (text, _) = g.charset.decode(&bytes);
        proptest::prop_assert!(text.len() <= bytes.len() * 3 + 3);
        let _ = detect_ascii_like(&bytes);
    }
}
