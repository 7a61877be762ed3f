//! Reads every `.tf` and `.tfvars` file under the given paths with both HCL parsers and
//! reports where they part ways: a file the native parser reads differently from hcl-edit,
//! or reads although hcl-edit refuses it (either is a bug), and the files it leaves to
//! hcl-edit (fine, but slower).
//!
//!     cargo run --release --example compare_parsers -- DIR...
//!
//! Exits 1 when the parsers disagree on any file.

use std::path::PathBuf;

use aoai_lint::parse::{hcl_edit_lowered, native};
use aoai_lint::source::FileId;

fn main() -> std::process::ExitCode {
    let mut pending: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (mut same, mut left, mut refused, mut disagree) = (0, 0, 0, 0);
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            match std::fs::read_dir(&path) {
                Ok(entries) => pending.extend(entries.filter_map(|e| e.ok()).map(|e| e.path())),
                Err(err) => eprintln!("{}: {err}", path.display()),
            }
            continue;
        }
        let name = path.to_string_lossy();
        if !(name.ends_with(".tf") || name.ends_with(".tfvars")) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        match (native::parse(text, FileId(0), 0), hcl_edit_lowered(text, FileId(0), 0)) {
            (Some(ours), Ok(reference)) if ours == reference => same += 1,
            (Some(_), Ok(_)) => {
                disagree += 1;
                println!("different trees: {name}");
            }
            (Some(_), Err(err)) => {
                disagree += 1;
                println!("read, but hcl-edit refuses it ({err}): {name}");
            }
            (None, Ok(_)) => {
                left += 1;
                println!("left to hcl-edit: {name}");
            }
            (None, Err(_)) => refused += 1,
        }
    }
    println!("{same} read the same, {left} left to hcl-edit, {refused} refused by both, {disagree} disagreements");
    if disagree > 0 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
