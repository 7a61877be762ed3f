//! The native HCL parser against hcl-edit: whatever text the native parser reads, hcl-edit
//! must read too, into the same tree with the same ignore comments (the native parser is
//! a faster way to the same result, or it leaves the file to hcl-edit).
#![no_main]

use aoai_lint::parse::{hcl_edit_lowered, native};
use aoai_lint::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(native) = native::parse(text, FileId(0), 0) else {
        return;
    };
    match hcl_edit_lowered(text, FileId(0), 0) {
        Ok(reference) => assert_eq!(native, reference, "the parsers differ on {text:?}"),
        Err(err) => panic!("the native parser read what hcl-edit refuses ({err}): {text:?}"),
    }
});
