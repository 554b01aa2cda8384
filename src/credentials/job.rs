//! Ending a helper program with everything it started.
//!
//! A helper runs in aws-login's own process group, as botocore runs it: it holds the
//! terminal with aws-login (it can prompt), and what the terminal or a supervisor sends to
//! the group (Ctrl-C, Ctrl-Z, `timeout`'s signal) reaches it too. A group of its own would
//! lose all of that. What it started is found two ways, on Linux through `/proc`:
//! - its descendants by parent process id, taken before any is signalled (this finds
//!   those that cleared their environment, `env -i`);
//! - every process with a marker in its environment (a random run id inside
//!   [`super::process::CHAIN_VARIABLE`]), which children inherit even when they leave
//!   its process group or session (`setsid` daemons) or outlive their parent.
//!
//! Elsewhere only the helper itself is ended.

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

/// Each process's parent, from `/proc/PID/stat` (the field after the command name, which
/// is in parentheses and may hold anything).
fn parents() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let after = &stat[stat.rfind(')')? + 1..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect()
}

/// Every process below `root` (children, their children...), `root` not included.
pub fn descendants(root: Pid) -> Vec<Pid> {
    let all = parents();
    let Ok(root) = u32::try_from(root.as_raw()) else {
        return Vec::new();
    };
    let mut found = vec![root];
    let mut at = 0;
    while at < found.len() {
        let parent = found[at];
        found.extend(
            all.iter()
                .filter(|(pid, ppid)| *ppid == parent && !found.contains(pid))
                .map(|(pid, _)| *pid)
                .collect::<Vec<_>>(),
        );
        at += 1;
    }
    found
        .into_iter()
        .skip(1)
        .filter_map(|pid| i32::try_from(pid).ok().map(Pid::from_raw))
        .collect()
}

/// How many of this process's ancestors are this same program (`/proc/PID/exe`): helpers
/// that run aws-login nest this deep, whatever they did to the environment.
pub fn ancestors_like_me() -> usize {
    let Ok(me) = std::fs::read_link("/proc/self/exe") else {
        return 0;
    };
    let all = parents();
    let parent_of = |pid: u32| all.iter().find(|(p, _)| *p == pid).map(|(_, pp)| *pp);
    let mut count = 0;
    let mut pid = std::process::id();
    for _ in 0..4096 {
        match parent_of(pid) {
            Some(parent) if parent > 1 => {
                if std::fs::read_link(format!("/proc/{parent}/exe")).is_ok_and(|exe| exe == me) {
                    count += 1;
                }
                pid = parent;
            }
            _ => break,
        }
    }
    count
}

/// Sends `signal` to each process; one that is already gone is not an error.
pub fn signal_all(pids: &[Pid], signal: Signal) {
    for pid in pids {
        let _ = kill(*pid, signal);
    }
}
