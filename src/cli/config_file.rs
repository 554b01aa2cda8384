//! The user's config file as `dumpconfig --merge` and `configure sso` edit it: read whole
//! (a symlink followed, so a dotfiles repository's file is written where it lives; not
//! UTF-8: refused), written back atomically with its own mode (0600 for a new one), the
//! old text kept as `FILE.bak`, and nothing written when nothing changed.

use std::path::{Path, PathBuf};

use super::dumpconfig::DumpConfigError;
use super::{CliError, Context};

/// A config file to merge into: where it is (a symlink followed, so a dotfiles
/// repository's file is written where it lives), its text (`None`: not there yet) and
/// its mode (0600 for a new one).
pub(crate) struct ConfigFile {
    pub(crate) path: PathBuf,
    pub(crate) text: Option<String>,
    pub(crate) mode: u32,
}

impl ConfigFile {
    /// Reads `file` (`~` expanded).
    pub(crate) fn read(file: &str, ctx: &Context<'_>) -> Result<Self, CliError> {
        let home_of = crate::config::files::system_home_of(ctx.env);
        let path = crate::config::files::expand_user(file, &home_of)
            .unwrap_or_else(|| PathBuf::from(file));
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let shown = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) => {
                let mode = std::fs::metadata(&path)
                    .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o7777)
                    .unwrap_or(0o600);
                let text = String::from_utf8(bytes).map_err(|_| DumpConfigError::NotText(shown))?;
                Ok(Self {
                    path,
                    text: Some(text),
                    mode,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                path,
                text: None,
                mode: 0o600,
            }),
            Err(source) => Err(CliError::File {
                what: "the config file".into(),
                path: shown,
                source,
            }),
        }
    }

    /// Writes `text` in its place (atomically, its mode kept), the old text kept as
    /// `FILE.bak`; nothing when `text` is what it holds. Says on stderr what it did.
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
        if let Some(old) = &self.text {
            let backup = PathBuf::from(format!("{shown}.bak"));
            crate::private_file::write_with_mode(&backup, old.as_bytes(), self.mode)
                .map_err(write_error("the backup of the config file", &backup))?;
        }
        crate::private_file::write_with_mode(&self.path, text.as_bytes(), self.mode)
            .map_err(write_error("the config file", &self.path))?;
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
