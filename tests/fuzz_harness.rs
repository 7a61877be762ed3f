//! The fuzz targets' harness (`fuzz/fuzz_targets/common.rs`) is built and run here too, so
//! that it keeps up with the library: the fuzz crate itself needs a nightly toolchain.

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

#[test]
fn the_fuzz_harness_lints_and_renders_every_format() {
    // One account with keys on and no network rules: it has findings whatever the catalog
    // says; the harness renders them in every format.
    let main = b"resource \"azurerm_cognitive_account\" \"a\" {\n  kind = \"OpenAI\"\n  location = \"eastus2\"\n  sku_name = \"S0\"\n  local_auth_enabled = true\n}\n";
    assert!(common::lint_files(&[("main.tf", main)], None) > 0);
    // A waiver is rendered with the waived finding.
    let waived = [&b"# aoai-lint-ignore: all because\n"[..], main].concat();
    assert!(common::lint_files(&[("main.tf", &waived)], None) < common::lint_files(&[("main.tf", main)], None));
    // Not Terraform: reported as unreadable, not a panic.
    assert!(common::lint_files(&[("main.tf", b"\xff\xfe not terraform {")], None) > 0);
}
