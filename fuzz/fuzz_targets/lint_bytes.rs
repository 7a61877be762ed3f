//! Arbitrary bytes as each kind of file the linter reads: HCL, Terraform JSON, variables
//! files and a plan. The first byte chooses which.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    match kind % 5 {
        0 => common::lint_files(&[("main.tf", rest)], None),
        1 => common::lint_files(&[("main.tf.json", rest)], None),
        2 => common::lint_files(
            &[("main.tf", b"variable \"location\" {}\nvariable \"keys\" {}\nresource \"azurerm_cognitive_account\" \"a\" {\n  kind = \"OpenAI\"\n  location = var.location\n  local_auth_enabled = var.keys\n}\n"), ("terraform.tfvars", rest)],
            None,
        ),
        3 => common::lint_files(&[("plan.json", rest)], Some("plan.json")),
        _ => common::lint_files(&[("terraform.tfvars.json", rest), ("main.tf", b"variable \"location\" {}\n")], None),
    };
});
