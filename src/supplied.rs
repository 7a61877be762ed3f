//! Files a run reads besides the Terraform: the configuration file, a catalog overlay, a
//! baseline. The scanned repository may supply them, and a pull request may make them
//! symlinks to anywhere (`/etc/passwd`, `/proc/self/environ`) or to files that never end
//! (`/dev/zero`, a FIFO, `/dev/stdin`). So only regular files are read, up to a size, and
//! a file the repository supplies only from inside the repository. An error names the path
//! as it was given and shows nothing of what it leads to.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Who chose the path.
#[derive(Debug, Clone, Copy)]
pub enum Chosen<'a> {
    /// Named on the command line: the user may point anywhere.
    ByUser,
    /// Found in, or named by a file of, the repository at this (canonical) folder.
    ByRepository(&'a Path),
}

/// The text of the file at `path`, at most `max` bytes.
pub fn read(path: &Path, chosen: Chosen<'_>, max: u64) -> Result<String, String> {
    let shown = path.display();
    let target = path.canonicalize().map_err(|e| format!("{shown}: {e}"))?;
    if let Chosen::ByRepository(repository) = chosen {
        check_inside(path, &target, repository)?;
    }
    let metadata = std::fs::metadata(&target).map_err(|e| format!("{shown}: {e}"))?;
    if !metadata.is_file() {
        return Err(format!("{shown}: not a regular file; not read"));
    }
    if metadata.len() > max {
        return Err(format!(
            "{shown}: {} bytes, more than the {max} allowed; not read",
            metadata.len()
        ));
    }
    let file = std::fs::File::open(&target).map_err(|e| format!("{shown}: {e}"))?;
    // A file's size may be wrong (`/proc` reports 0) or grow while it is read.
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("{shown}: more than the {max} bytes allowed; not read"));
    }
    String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8 text; not read"))
}

/// An error unless `target` (canonical) lies inside `repository`.
pub fn check_inside(path: &Path, target: &Path, repository: &Path) -> Result<(), String> {
    if target.starts_with(repository) {
        return Ok(());
    }
    Err(format!(
        "{}: leads outside the repository at {}; not read (name a file outside it on the command line instead)",
        path.display(),
        repository.display()
    ))
}

/// The folder a file found or named in `dir` must stay inside: the repository holding
/// `dir` (the nearest folder with `.git`), else `dir` itself.
pub fn boundary_of(dir: &Path) -> Option<PathBuf> {
    let dir = dir.canonicalize().ok()?;
    let repository = dir.ancestors().find(|a| a.join(".git").exists()).map(Path::to_path_buf);
    Some(repository.unwrap_or(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_leaving_the_repository_is_refused_and_nothing_of_its_target_shown() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        let repo = base.join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(base.join("secret"), "password=hunter2\n").unwrap();
        std::os::unix::fs::symlink(base.join("secret"), repo.join(".aoai-lint.yaml")).unwrap();
        let link = repo.join(".aoai-lint.yaml");
        let boundary = boundary_of(&repo).unwrap();
        let err = read(&link, Chosen::ByRepository(&boundary), 1024).unwrap_err();
        assert!(err.contains("leads outside the repository"), "{err}");
        assert!(!err.contains("hunter2") && !err.contains("secret"), "{err}");
        // Named by the user, the same path is read.
        assert_eq!(read(&link, Chosen::ByUser, 1024).unwrap(), "password=hunter2\n");
        // A symlink that stays inside is fine.
        std::fs::write(repo.join("real.yaml"), "rules: {}\n").unwrap();
        std::os::unix::fs::symlink(repo.join("real.yaml"), repo.join("alias.yaml")).unwrap();
        assert!(read(&repo.join("alias.yaml"), Chosen::ByRepository(&boundary), 1024).is_ok());
    }

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let err = read(Path::new("/dev/zero"), Chosen::ByUser, 1024).unwrap_err();
        assert_eq!(err, "/dev/zero: not a regular file; not read");
        let tmp = tempfile::tempdir().unwrap();
        let big = tmp.path().join("big.yaml");
        std::fs::write(&big, "x".repeat(2000)).unwrap();
        assert!(
            read(&big, Chosen::ByUser, 1024)
                .unwrap_err()
                .contains("2000 bytes, more than the 1024 allowed")
        );
        // /proc says 0 bytes and gives more.
        if Path::new("/proc/self/status").exists() {
            let err = read(Path::new("/proc/self/status"), Chosen::ByUser, 10).unwrap_err();
            assert!(err.contains("more than the 10 bytes allowed"), "{err}");
        }
        std::fs::write(&big, b"\xff\xfe").unwrap();
        assert!(
            read(&big, Chosen::ByUser, 1024)
                .unwrap_err()
                .ends_with("not UTF-8 text; not read")
        );
    }
}
