//! Links the `newsdex` executable as a position-dependent (non-PIE) program on x86-64 Linux.
//!
//! A position-independent executable carries tens of thousands of relative relocations that the
//! dynamic loader applies at every start, writing to (and so copying) every page that holds a
//! pointer: for a one-shot `newsdex search` that was about 12% of its instructions and 200 of its
//! 530 page faults. Linked non-PIE, the linker resolves them once. Only the binaries are linked
//! this way (`rustc-link-arg-bins`); the library, tests and proc macros are untouched.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && arch == "x86_64" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
