//! Ending a helper program with everything it started.
//!
//! A helper runs in aws-login's own process group, as botocore runs it: it holds the
//! terminal with aws-login (it can prompt), and what the terminal or a supervisor sends to
//! the group (Ctrl-C, Ctrl-Z, `timeout`'s signal) reaches it too. A group of its own would
//! lose all of that. To find what it started, every helper gets a marker in its
//! environment (a random run id inside [`super::process::CHAIN_VARIABLE`]), which its
//! children inherit, even those that leave its process group or session (`setsid`
//! daemons) or outlive it. On Linux those processes are found through `/proc`; elsewhere
//! only the helper itself is ended.

use std::hash::{BuildHasher, Hasher};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// A run id for a helper: 64 random bits as hex (from the standard library's randomly
/// keyed hasher, seeded by the OS).
pub fn run_id() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

/// The processes whose environment has `variable` with a value that holds `marker`.
pub fn marked(variable: &str, marker: &str) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let prefix = format!("{variable}=");
    let own = std::process::id();
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != own)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ.split(|b| *b == 0).any(|entry| {
                    entry.starts_with(prefix.as_bytes())
                        && String::from_utf8_lossy(entry).contains(marker)
                })
            })
        })
        .filter_map(|pid| i32::try_from(pid).ok().map(Pid::from_raw))
        .collect()
}

/// Sends `signal` to each process; one that is already gone is not an error.
pub fn signal_all(pids: &[Pid], signal: Signal) {
    for pid in pids {
        let _ = kill(*pid, signal);
    }
}
