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

/// The largest shared file read (a file larger than this is not one a person wrote).
const MAX_FILE: u64 = 16 * 1024 * 1024;

/// Reads one file: its bytes, nothing for a file that is not there (or `/dev/null`), and a
/// problem for one that cannot be read: no permission, a folder, a pipe or socket (which
/// could block forever; botocore passes over anything but a regular file), or more than
/// 16 MiB.
fn read(path: &Path) -> Result<Vec<u8>, ConfigProblem> {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let problem = |message: String| ConfigProblem {
        path: path.display().to_string(),
        line: 0,
        message,
        affects: Affects::Unknown,
        skipped: true,
    };
    let kind = match std::fs::metadata(path) {
        Ok(m) => m.file_type(),
        // A path through a file that is not a folder is not there either.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(Vec::new());
        }
        Err(e) => return Err(problem(format!("cannot be read, so it was skipped: {e}"))),
    };
    if kind.is_dir() {
        return Err(problem(
            "cannot be read, so it was skipped: Is a directory".into(),
        ));
    }
    if kind.is_fifo() || kind.is_socket() {
        return Err(problem(
            "is a pipe or socket, not a file, so it was skipped (reading it could wait forever)"
                .into(),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| problem(format!("cannot be read, so it was skipped: {e}")))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(problem("is larger than 16 MiB, so it was skipped".into()));
    }
    Ok(bytes)
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
