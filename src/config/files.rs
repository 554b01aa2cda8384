//! Where the shared files are and reading them: `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE` (a leading `~` is the home directory), else
//! `~/.aws/config` and `~/.aws/credentials`. A missing file is an empty one; one that cannot be read is
//! empty too, and said so.

use std::path::{Path, PathBuf};

use super::{Affects, ConfigProblem, SharedConfig, merge, parse};

/// Expands a leading `~` or `~/` with `home`.
pub fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{home}{rest}"))
        }
        _ => PathBuf::from(path),
    }
}

/// The two paths, from the environment.
pub fn paths(env: &dyn Fn(&str) -> Option<String>) -> (PathBuf, PathBuf) {
    let home = env("HOME").or_else(|| env("USERPROFILE"));
    let pick = |var: &str, default: &str| {
        let given = env(var).filter(|p| !p.trim().is_empty());
        expand_home(given.as_deref().unwrap_or(default), home.as_deref())
    };
    (
        pick("AWS_CONFIG_FILE", "~/.aws/config"),
        pick("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
    )
}

/// Reads one file: its bytes, nothing for a file that is not there, and a problem for
/// one that cannot be read (no permission, a directory...), which botocore treats as
/// empty too.
fn read(path: &Path) -> Result<Vec<u8>, ConfigProblem> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes),
        // A path through a file that is not a folder is not there either.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(ConfigProblem {
            path: path.display().to_string(),
            line: 0,
            message: format!("cannot be read, so it was skipped: {e}"),
            affects: Affects::Unknown,
            skipped: true,
        }),
    }
}

/// Reads and merges both files. Never fails: a file that cannot be read counts as empty
/// and is listed in [`SharedConfig::problems`], as is every part of a file that could
/// not be understood.
pub fn load(env: &dyn Fn(&str) -> Option<String>) -> SharedConfig {
    let (config_path, credentials_path) = paths(env);
    let mut unreadable = Vec::new();
    let mut file = |path: &Path| {
        let bytes = read(path).unwrap_or_else(|problem| {
            unreadable.push(problem);
            Vec::new()
        });
        parse(&bytes, &path.display().to_string())
    };
    let config = file(&config_path);
    let credentials = file(&credentials_path);
    let mut shared = merge(&config, &credentials);
    unreadable.append(&mut shared.problems);
    shared.problems = unreadable;
    shared
}
