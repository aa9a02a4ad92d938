//! Links the release `vellum` binary on Linux as a non-PIE executable (#29).
//!
//! A position-independent executable is relocated by the dynamic loader at
//! every start: about 53,000 relative relocations written over some 240
//! pages of its data, each page a fault and a copy, half of the time of
//! `vellum --version`. At a fixed address the linker resolves them once, at
//! link time (measured: 353 -> 114 page faults, 1.61 -> 0.95 ms of CPU per
//! `--version`; docs/performance.md, "Start-up (#29)"). The objects stay
//! position-independent; only the final link changes. The price: the
//! program's own code and data sit at the same address in every run (the
//! stack, heap, shared libraries and mappings are still randomized).
//! `cargo build-static` does the same for the static binary with
//! `-C relocation-model=static` (.cargo/config.toml).
//!
//! Debug and test builds are left as they are. Set `VELLUM_PIE=1` when
//! building to keep a position-independent executable (a distribution that
//! requires PIE everywhere), at the start-up cost above.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=VELLUM_PIE");
    let keep_pie = std::env::var_os("VELLUM_PIE").is_some_and(|v| v == "1");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if release && linux && !keep_pie {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
