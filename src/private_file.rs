//! Writing a file that holds secrets: atomically and readable by its owner alone.
//!
//! The whole content goes to a temporary file created in the target's own directory,
//! mode 0600 from its creation (no moment with wider permissions), is flushed to disk,
//! and is renamed over the target (rename(2) is atomic within a file system). A reader
//! sees the old file or the new one, never half of one; a crash leaves the old one. The
//! directory, when missing, is created with mode 0700 (as the AWS CLI creates
//! `~/.aws/sso/cache`).
//!
//! A process killed between creating its temporary file and renaming it (SIGKILL, power
//! loss) leaves that file behind, with secrets in it: each write removes the temporary
//! files of this module in its directory that are over [`STALE_AFTER`] old (no write
//! takes that long).

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// The name every temporary file of this module starts with.
const TEMPORARY_PREFIX: &str = ".aws-login-";

/// The age after which a temporary file of this module was left by a write that died.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files in `dir` that writes killed midway left: over
/// [`STALE_AFTER`] older than `now` (the file system's time of the file just written, so
/// that no clock is read here). Best effort: what cannot be read or removed stays.
fn remove_stale_temporaries(dir: &Path, now: std::time::SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let stale = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMPORARY_PREFIX))
            && entry.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .ok()
                        .and_then(|t| now.duration_since(t).ok())
                        .is_some_and(|age| age > STALE_AFTER)
            });
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `contents` to `path` as described in the module docs. Errors are the I/O
/// errors of creating the directory, the temporary file, writing, syncing or renaming;
/// on any of them the target is untouched and the temporary file is removed.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, contents, 0o600)
}

/// [`write_private`] with the file's mode `mode` (`dumpconfig --merge` keeps a config
/// file's own mode). A missing directory is still created 0700.
pub fn write_with_mode(path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    write_with_mode_then(path, contents, mode, &|_| Ok(()))
}

/// [`write_with_mode`], with `prepare` run on the temporary file before it is renamed
/// into place (`dumpconfig --merge` gives it the old file's owner).
pub fn write_with_mode_then(
    path: &Path,
    contents: &[u8],
    mode: u32,
    prepare: &dyn Fn(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let mut file = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    // Exactly `mode`, whatever the umask took from it at creation.
    file.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    prepare(file.path())?;
    let written = file.as_file().metadata().and_then(|m| m.modified());
    file.persist(path).map_err(|e| e.error)?;
    if let Ok(now) = written {
        remove_stale_temporaries(dir, now);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("aws-login-private-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_new_file_and_its_missing_directory_are_the_owners_alone() {
        let dir = scratch("new");
        let path = dir.join("sso").join("cache").join("token.json");
        write_private(&path, b"{\"accessToken\":\"secret\"}").unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"{\"accessToken\":\"secret\"}"
        );
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            std::fs::metadata(path.parent().unwrap()).unwrap().mode() & 0o777,
            0o700
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_existing_file_is_replaced_whole_and_becomes_0600() {
        let dir = scratch("replace");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config");
        std::fs::write(&path, b"old contents, longer than the new ones").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let before = std::fs::metadata(&path).unwrap().ino();
        write_private(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let after = std::fs::metadata(&path).unwrap();
        assert_eq!(after.mode() & 0o777, 0o600);
        // Replaced by rename, not rewritten in place.
        assert_ne!(after.ino(), before);
        // No temporary file left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("config")]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn temporary_files_a_killed_write_left_are_removed_once_stale() {
        let dir = scratch("stale");
        std::fs::create_dir_all(&dir).unwrap();
        for name in [".aws-login-stale", ".aws-login-fresh", "mine.aws-login-old"] {
            let file = std::fs::File::create(dir.join(name)).unwrap();
            if name != ".aws-login-fresh" {
                let created = file.metadata().unwrap().modified().unwrap();
                let old = created - STALE_AFTER - std::time::Duration::from_secs(60);
                file.set_modified(old).unwrap();
            }
        }
        write_private(&dir.join("token.json"), b"{}").unwrap();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        // A fresh one may be another process's write in progress; others' files stay.
        assert_eq!(
            names,
            [".aws-login-fresh", "mine.aws-login-old", "token.json"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failure_leaves_the_target_untouched() {
        let dir = scratch("fail");
        std::fs::create_dir_all(&dir).unwrap();
        // The target is a directory: the rename fails, and nothing is left over.
        let target = dir.join("taken");
        std::fs::create_dir_all(target.join("inside")).unwrap();
        assert!(write_private(&target, b"x").is_err());
        assert!(target.join("inside").is_dir());
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("taken")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
