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
//!
//! In every profile (so that the tests run the binary linked as it ships),
//! on Linux with glibc, it also sets `vellum_static_unwinder`, which makes
//! `src/main.rs` link the unwinder (`libgcc_eh.a`, the static half of
//! libgcc) into the binary, so that it no longer loads `libgcc_s.so.1` at
//! every start: the loader's work for one more library and, above all,
//! libgcc_s's constructor (`__cpu_indicator_init`, `cpuid` instructions that
//! trap to the hypervisor on a virtual machine), about 9% of the CPU time of
//! a `show` (docs/performance.md, "Start-up of the default release build").
//! It is what `gcc -static-libgcc` does, and what `cargo build-static`
//! (`+crt-static`) already does: panics unwind through the binary's own
//! frames with one copy of the unwinder. Set `VELLUM_SHARED_LIBGCC=1` to
//! link libgcc_s as before.
//!
//! In release builds for x86_64 Linux with glibc, where Rust links with its
//! own lld, it also hands lld `src/startup-order.txt`
//! (`--symbol-ordering-file`): the functions everyday commands run, placed
//! together at the start of the code, so that a short command touches a few
//! dozen pages of code instead of faulting in 64 KB windows all over 15 MB
//! (measured: `show` 234 -> 170 page faults, its code's own 89 -> 16;
//! docs/performance.md, "Start-up of the default build: code in the order
//! it runs").
//! `scripts/startup-order.sh` regenerates the file; names it lists that the
//! binary lacks (another toolchain, other dependency versions) are skipped.
//! Set `VELLUM_NO_ORDER=1` to link without it, and it is left out when a
//! linker of your own is configured (`RUSTC_LINKER`, or linker flags in
//! `RUSTFLAGS`), since only lld takes the option.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=VELLUM_PIE");
    println!("cargo::rerun-if-env-changed=VELLUM_SHARED_LIBGCC");
    println!("cargo::rerun-if-env-changed=VELLUM_NO_ORDER");
    println!("cargo::rerun-if-changed=src/startup-order.txt");
    println!("cargo::rustc-check-cfg=cfg(vellum_static_unwinder)");
    let keep_pie = std::env::var_os("VELLUM_PIE").is_some_and(|v| v == "1");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if release && linux && !keep_pie {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
    if release && linux && own_lld() {
        let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/startup-order.txt");
        println!(
            "cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    let gnu = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    let shared_libgcc = std::env::var_os("VELLUM_SHARED_LIBGCC").is_some_and(|v| v == "1");
    if linux && gnu && !shared_libgcc {
        println!("cargo::rustc-cfg=vellum_static_unwinder");
    }
}

/// Whether the binary is linked by Rust's own lld: the default for
/// x86_64-unknown-linux-gnu since Rust 1.90, unless a linker is configured.
fn own_lld() -> bool {
    let var = |name| std::env::var(name).unwrap_or_default();
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    let own_linker = !var("RUSTC_LINKER").is_empty()
        || ["linker", "link-self-contained", "fuse-ld"]
            .iter()
            .any(|f| flags.contains(f));
    var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && std::env::var_os("VELLUM_NO_ORDER").is_none_or(|v| v != "1")
        && !own_linker
}
