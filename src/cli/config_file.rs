//! The user's config file as `dumpconfig --merge` and `configure sso` edit it.
//!
//! - Only a regular file (or a file not there yet) is edited: a device (`/dev/null`), a
//!   FIFO, a directory is refused before anything is read from it.
//! - A symlink is followed, dangling or not, so a dotfiles repository's file is written
//!   where it lives.
//! - One edit at a time across processes: a lock (`flock` on `FILE.lock`, as the SSO
//!   cache's) is held from the read to the write, so two merges never lose one another.
//! - The new text is written atomically (a temporary file in the same folder, renamed
//!   over), with the file's mode and owner kept, the old text kept as `FILE.bak`, and
//!   nothing written when nothing changed. A file with no write permission for its owner,
//!   or with other hard links (which a rename would leave behind), is refused.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::dumpconfig::DumpConfigError;
use super::{CliError, Context};
use crate::provider::sso_token_cache::lock::{CacheLock, lock};

/// How long an edit waits for another aws-login's edit of the same file.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// A config file being edited: where it is, its text (`None`: not there yet), the mode
/// and owner to write it with, and the lock held until it is dropped.
pub(crate) struct ConfigFile {
    /// What the file is, for messages ("the config file").
    what: &'static str,
    pub(crate) path: PathBuf,
    pub(crate) text: Option<String>,
    mode: u32,
    owner: Option<(u32, u32)>,
    _lock: CacheLock,
}

/// Where `path` leads: itself, or the end of its symlinks (made absolute against each
/// link's folder), even when that end does not exist yet.
fn resolve(path: &Path) -> PathBuf {
    let mut current = path.to_owned();
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(target) if target.is_absolute() => current = target,
            Ok(target) => {
                let base = current.parent().map(Path::to_owned).unwrap_or_default();
                current = base.join(target);
            }
            Err(_) => break,
        }
    }
    current
}

/// Where `file` (`~` expanded, symlinks followed) is, and how it is shown.
fn located(file: &str, ctx: &Context<'_>) -> (PathBuf, String) {
    let home_of = crate::config::files::system_home_of(ctx.env);
    let given =
        crate::config::files::expand_user(file, &home_of).unwrap_or_else(|| PathBuf::from(file));
    let path = resolve(&given);
    let shown = path.display().to_string();
    (path, shown)
}

/// The file at `shown` cannot be edited, for `why`.
fn refusal(shown: &str, why: &str) -> CliError {
    DumpConfigError::NotEditable {
        path: shown.to_owned(),
        why: why.to_owned(),
    }
    .into()
}

impl ConfigFile {
    /// Checks that `file` (`~` expanded) can be edited, as [`ConfigFile::open`] would,
    /// without locking it or creating anything: said before a long step (a sign-in)
    /// rather than after it. A file not there yet is fine where its folder takes files.
    pub(crate) fn check(file: &str, ctx: &Context<'_>) -> Result<(), CliError> {
        let (path, shown) = located(file, ctx);
        let refuse = |why: &str| refusal(&shown, why);
        let folder = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        if let Ok(meta) = std::fs::metadata(&path) {
            if !meta.is_file() {
                return Err(refuse("it is not a regular file"));
            }
            if meta.permissions().mode() & 0o200 == 0 {
                return Err(refuse("it is read-only (its owner may not write it)"));
            }
            if meta.nlink() > 1 {
                return Err(refuse("it has other hard links"));
            }
            std::fs::File::open(&path).map_err(|source| CliError::File {
                what: "the config file".into(),
                path: shown.clone(),
                source,
            })?;
        }
        // The new text, the backup and the lock are files of its folder.
        if folder.is_dir() {
            tempfile::Builder::new()
                .prefix(".aws-login-check-")
                .tempfile_in(&folder)
                .map_err(|e| refuse(&format!("its folder does not take new files ({e})")))?;
        }
        Ok(())
    }

    /// Opens `file` (`~` expanded) for an edit: locked, checked, read.
    pub(crate) fn open(file: &str, ctx: &Context<'_>) -> Result<Self, CliError> {
        Self::open_as(file, "the config file", ctx)
    }

    /// [`ConfigFile::open`], the file called `what` in messages.
    pub(crate) fn open_as(
        file: &str,
        what: &'static str,
        ctx: &Context<'_>,
    ) -> Result<Self, CliError> {
        let (path, shown) = located(file, ctx);
        let refuse = |why: &str| refusal(&shown, why);
        // Checked before the lock too, so no lock file is made beside a device.
        if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(refuse("it is not a regular file"));
        }
        let lock = super::block_on(lock(&path, LOCK_WAIT, &crate::time::TokioSleep))?
            .map_err(|e| refuse(&e.to_string()))?;
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    what,
                    path,
                    text: None,
                    mode: 0o600,
                    owner: None,
                    _lock: lock,
                });
            }
            Err(source) => {
                return Err(CliError::File {
                    what: what.into(),
                    path: shown,
                    source,
                });
            }
        };
        if !meta.is_file() {
            return Err(refuse("it is not a regular file"));
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o200 == 0 {
            return Err(refuse("it is read-only (its owner may not write it)"));
        }
        if meta.nlink() > 1 {
            return Err(refuse(
                "it has other hard links, which writing a new file in its place would leave with the old text",
            ));
        }
        let bytes = std::fs::read(&path).map_err(|source| CliError::File {
            what: what.into(),
            path: shown.clone(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| DumpConfigError::NotText(shown))?;
        Ok(Self {
            what,
            path,
            text: Some(text),
            mode,
            owner: Some((meta.uid(), meta.gid())),
            _lock: lock,
        })
    }

    /// Makes the file (and its backup) its owner's alone when written: for a file that
    /// will hold secrets (the shared credentials file). The mode it had, when that was
    /// wider.
    pub(crate) fn make_private(&mut self) -> Option<u32> {
        let wider = self.mode & 0o077 != 0;
        let before = self.mode;
        self.mode &= 0o7700;
        wider.then_some(before)
    }

    /// Writes `text` in its place (atomically, its mode and owner kept), the old text
    /// kept as `FILE.bak`; nothing when `text` is what it holds. Says on stderr what it
    /// did.
    pub(crate) fn write(&self, text: &str, ctx: &Context<'_>) -> Result<(), CliError> {
        let shown = self.path.display().to_string();
        if self.text.as_deref() == Some(text) {
            (ctx.stderr)(&format!("{shown} is up to date."));
            return Ok(());
        }
        let write_error = |what: &str, path: &Path| {
            let what = what.to_owned();
            let path = path.display().to_string();
            move |source| CliError::WriteFile { what, path, source }
        };
        // The owner and group kept. A user may give a file only to groups they are in,
        // so a group they are not in (what `sudo chown user FILE` leaves) is given up
        // when the file is theirs anyway: the group is best effort, the owner is not.
        let owned = |path: &Path| -> std::io::Result<()> {
            let Some((uid, gid)) = self.owner else {
                return Ok(());
            };
            match std::os::unix::fs::chown(path, Some(uid), Some(gid)) {
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                    if std::fs::metadata(path).is_ok_and(|m| m.uid() == uid) {
                        Ok(())
                    } else {
                        Err(e)
                    }
                }
                other => other,
            }
        };
        if let Some(old) = &self.text {
            let backup = PathBuf::from(format!("{shown}.bak"));
            crate::private_file::write_with_mode(&backup, old.as_bytes(), self.mode)
                .and_then(|()| owned(&backup))
                .map_err(write_error(
                    &format!("the backup of {}", self.what),
                    &backup,
                ))?;
        }
        crate::private_file::write_with_mode_then(&self.path, text.as_bytes(), self.mode, &owned)
            .map_err(write_error(self.what, &self.path))?;
        (ctx.stderr)(&format!(
            "Wrote {shown}{}.",
            if self.text.is_some() {
                format!(" (the old one is {shown}.bak)")
            } else {
                String::new()
            }
        ));
        Ok(())
    }
}
