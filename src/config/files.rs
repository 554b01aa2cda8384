//! Where the shared files are and reading them: `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`, with
//! `$VAR`, `${VAR}`, `~` and `~user` expanded as botocore expands them
//! (`os.path.expandvars`, then `os.path.expanduser`). A variable that is set but empty
//! names no file, as in botocore. A missing file is an empty one; one that cannot be read
//! is empty too, and said so.
//!
//! The home directory is `HOME`, else the user database's entry for the user (cron jobs
//! and `env -i` have no `HOME`). A `~` that cannot be expanded is never read as a folder
//! named `~` under the current one.

use std::path::{Path, PathBuf};

use super::{Affects, ConfigProblem, SharedConfig, merge, parse};

/// Where a user's home directory is: `None` for the current user, or a user's name
/// (`~alice`). The binary looks in `HOME` and the user database; tests pass a table.
pub type HomeOf<'a> = &'a dyn Fn(Option<&str>) -> Option<String>;

/// The home directory from `HOME`, else the user database (impure: reads it).
pub fn system_home_of(
    env: &dyn Fn(&str) -> Option<String>,
) -> impl Fn(Option<&str>) -> Option<String> + '_ {
    move |user: Option<&str>| match user {
        None => env("HOME").filter(|h| !h.is_empty()).or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::getuid())
                .ok()
                .flatten()
                .map(|u| u.dir.display().to_string())
        }),
        Some(name) => nix::unistd::User::from_name(name)
            .ok()
            .flatten()
            .map(|u| u.dir.display().to_string()),
    }
}

/// `$NAME` and `${NAME}` replaced by the variable's value, as Python's
/// `os.path.expandvars`: NAME is letters, digits and `_`; an unset variable stays as
/// written.
pub fn expand_vars(path: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match env(name).filter(|_| !name.is_empty()) {
            Some(value) => {
                out.push_str(&value);
                rest = &after[len..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `~` or `~user` at the start replaced by that home directory, as Python's
/// `os.path.expanduser`; `None` when the home directory cannot be known (the path is then
/// not read at all, rather than as a folder named `~`).
pub fn expand_user(path: &str, home_of: HomeOf<'_>) -> Option<PathBuf> {
    let Some(rest) = path.strip_prefix('~') else {
        return Some(PathBuf::from(path));
    };
    let (user, tail) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let home = home_of((!user.is_empty()).then_some(user))?;
    let home = home.trim_end_matches('/');
    Some(PathBuf::from(format!("{home}{tail}")))
}

/// A path as botocore expands it: variables, then the home directory.
pub fn expand(
    path: &str,
    env: &dyn Fn(&str) -> Option<String>,
    home_of: HomeOf<'_>,
) -> Option<PathBuf> {
    expand_user(&expand_vars(path, env), home_of)
}

/// The two paths, from the environment (`None`: no file).
pub fn paths(
    env: &dyn Fn(&str) -> Option<String>,
    home_of: HomeOf<'_>,
) -> (Option<PathBuf>, Option<PathBuf>) {
    let pick = |var: &str, default: &str| match env(var) {
        Some(given) if given.is_empty() => None,
        Some(given) => expand(&given, env, home_of),
        None => expand(default, env, home_of),
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
    let home_of = system_home_of(env);
    let (config_path, credentials_path) = paths(env, &home_of);
    let mut unreadable = Vec::new();
    let mut file = |path: Option<PathBuf>, name: &str| match path {
        Some(path) => {
            let bytes = read(&path).unwrap_or_else(|problem| {
                unreadable.push(problem);
                Vec::new()
            });
            parse(&bytes, &path.display().to_string())
        }
        None => parse(b"", name),
    };
    let config = file(config_path, "the config file");
    let credentials = file(credentials_path, "the credentials file");
    let mut shared = merge(&config, &credentials);
    unreadable.append(&mut shared.problems);
    shared.problems = unreadable;
    shared
}
