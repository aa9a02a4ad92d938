//! Helpers of the store-format tests (`store_format5.rs`, `store_format7.rs`):
//! a copy of a kept store, its marker and its packs' bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A copy of the kept store `src` in `tmp`, to write to.
pub fn copy_of(src: &str, tmp: &Path) -> PathBuf {
    let dst = tmp.join("store");
    super::copy_dir(Path::new(src), &dst);
    dst
}

/// Runs `cmd`, which must succeed; its standard output.
pub fn ok(cmd: &mut assert_cmd::Command) -> String {
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The store's format marker (`VELLUM`).
pub fn marker(store: &Path) -> String {
    std::fs::read_to_string(store.join("VELLUM")).unwrap()
}

/// The packs of a store: name -> bytes.
pub fn packs(store: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(store.join("objects/packs"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The packs `store` holds beyond `old` (its packs before a write), after
/// checking that every one of `old` is still there byte for byte.
pub fn new_packs(store: &Path, old: &BTreeMap<String, Vec<u8>>) -> Vec<Vec<u8>> {
    let now = packs(store);
    for (name, bytes) in old {
        assert_eq!(now.get(name), Some(bytes), "old pack {name} rewritten");
    }
    now.into_iter()
        .filter(|(n, _)| !old.contains_key(n))
        .map(|(_, b)| b)
        .collect()
}
