//! Where the shared files are and reading them: `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE` (a leading `~` is the home directory), else
//! `~/.aws/config` and `~/.aws/credentials`. A missing file is an empty one.

use std::path::PathBuf;

use super::{ConfigError, SharedConfig, merge, parse};

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

/// Why the shared files could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// A file exists but cannot be read.
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file does not parse.
    Parse(ConfigError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read { path, .. } => write!(f, "cannot read {}", path.display()),
            Self::Parse(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            Self::Parse(_) => None,
        }
    }
}

fn read(path: &PathBuf) -> Result<String, LoadError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(LoadError::Read {
            path: path.clone(),
            source,
        }),
    }
}

/// Reads and merges both files.
pub fn load(env: &dyn Fn(&str) -> Option<String>) -> Result<SharedConfig, LoadError> {
    let (config_path, credentials_path) = paths(env);
    let config = parse(&read(&config_path)?, &config_path.display().to_string())
        .map_err(LoadError::Parse)?;
    let credentials = parse(
        &read(&credentials_path)?,
        &credentials_path.display().to_string(),
    )
    .map_err(LoadError::Parse)?;
    Ok(merge(&config, &credentials))
}
