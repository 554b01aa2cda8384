//! One refresh (or sign-in) of a cached token at a time across processes: an advisory
//! lock (`flock`) on `<cache file>.lock`, mode 0600, next to the cache file. The kernel
//! drops it when its holder exits, however it exits, so a dead holder never blocks the
//! others. Waiting is bounded: the lock is tried every [`POLL`] until the limit, then the
//! wait ends with an error naming the file.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::time::Sleep;

/// How often a waiter tries the lock again.
pub const POLL: Duration = Duration::from_millis(50);

/// A held lock; released when dropped (its file is closed).
#[derive(Debug)]
pub struct CacheLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// The lock file could not be opened or locked.
    Io {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another process held it for longer than the limit.
    Busy {
        /// The lock file.
        path: PathBuf,
        /// How long aws-login waited.
        waited: Duration,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io { path, .. } => write!(f, "cannot lock {}", path.display()),
            Self::Busy { path, waited } => write!(
                f,
                "another aws-login has held {} for {} s (refreshing or signing in): try again when it is done",
                path.display(),
                waited.as_secs()
            ),
        }
    }
}

impl std::error::Error for LockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Busy { .. } => None,
        }
    }
}

/// The lock file of a cache file.
pub fn lock_path(cache_file: &Path) -> PathBuf {
    let mut name = cache_file.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the lock of `cache_file`, waiting up to `limit` (its directory is created, mode
/// 0700, when missing).
pub async fn lock(
    cache_file: &Path,
    limit: Duration,
    sleep: &dyn Sleep,
) -> Result<CacheLock, LockError> {
    let path = lock_path(cache_file);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
            .create(dir)
            .map_err(io)?;
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(io)?;
    let mut waited = Duration::ZERO;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(CacheLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) if waited < limit => {
                sleep.sleep(POLL).await;
                waited += POLL;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LockError::Busy { path, waited });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TokioSleep;

    #[tokio::test]
    async fn one_holder_at_a_time_and_a_bounded_wait() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("sso").join("cache").join("abc.json");
        let held = lock(&cache, Duration::ZERO, &TokioSleep).await.unwrap();
        assert!(lock_path(&cache).exists());
        // A second open file description cannot take it while the first holds it.
        match lock(&cache, POLL * 2, &TokioSleep).await {
            Err(LockError::Busy { waited, .. }) => assert_eq!(waited, POLL * 2),
            other => panic!("{other:?}"),
        }
        drop(held);
        assert!(lock(&cache, Duration::ZERO, &TokioSleep).await.is_ok());
    }
}
