//! `--fix`: the findings' fixes written, and the run repeated while a pass still changes
//! something, since one fix can uncover another (a retired version replaced is then judged
//! on how it upgrades).

use std::path::PathBuf;

use super::{Options, RunError, run};

/// Passes before `--fix` stops: each is a whole run, and fixes that undo each other must
/// not loop for ever.
pub const PASSES: usize = 4;

/// What `--fix` changed, and the fixes it could not apply.
#[derive(Debug, Default)]
pub struct Fixed {
    /// The files written, as shown in the report, each once.
    pub files: Vec<String>,
    /// Why a fix was not applied, each once.
    pub refused: Vec<String>,
}

/// Writes the safe fixes (and the unsafe ones with `unsafe_too`) into the files inside
/// `scanned`, and lints again, until a pass changes nothing or [`PASSES`] have run.
pub fn fix(options: &Options, unsafe_too: bool, scanned: &[PathBuf]) -> Result<Fixed, RunError> {
    let mut fixed = Fixed::default();
    for _ in 0..PASSES {
        let outcome = run(options)?;
        let changes = crate::fix::plan(outcome.findings.iter(), &outcome.sources, unsafe_too, scanned);
        for why in changes.refused.iter() {
            if !fixed.refused.contains(why) {
                fixed.refused.push(why.clone());
            }
        }
        if changes.files.is_empty() {
            break;
        }
        crate::fix::write(&changes).map_err(|err| RunError(format!("cannot write a fix: {err}")))?;
        for changed in changes.files {
            if !fixed.files.contains(&changed.shown) {
                fixed.files.push(changed.shown);
            }
        }
    }
    Ok(fixed)
}
