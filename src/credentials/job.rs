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

/// Each process's parent and process group, from `/proc/PID/stat` (the fields after the
/// command name, which is in parentheses and may hold anything).
fn parents() -> Vec<(u32, u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace().skip(1);
            let ppid = fields.next()?.parse().ok()?;
            let pgrp = fields.next()?.parse().ok()?;
            Some((pid, ppid, pgrp))
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
                .filter(|(pid, ppid, _)| *ppid == parent && !found.contains(pid))
                .map(|(pid, _, _)| *pid)
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

/// `root` and those of its descendants in its process group: the processes a terminal's
/// signal to that group would reach (not those that left it, as a shell's background
/// jobs do).
pub fn same_group_tree(root: Pid) -> Vec<Pid> {
    let all = parents();
    let Ok(root_raw) = u32::try_from(root.as_raw()) else {
        return vec![root];
    };
    let group_of = |pid: u32| all.iter().find(|(p, _, _)| *p == pid).map(|(_, _, g)| *g);
    let Some(group) = group_of(root_raw) else {
        return vec![root];
    };
    let mut tree = vec![root];
    tree.extend(descendants(root).into_iter().filter(|pid| {
        u32::try_from(pid.as_raw())
            .ok()
            .and_then(group_of)
            .is_some_and(|g| g == group)
    }));
    tree
}

/// Sends `signal` to [`same_group_tree`]`(root)` as one act, as the kernel sends a signal
/// to a process group: none of them forks or exits while it is listed.
///
/// Listing and signalling one by one would race with a shell that forks its command just
/// then: the shell dies of the signal, its new child is re-parented away from the tree
/// and outlives both. So the tree is first frozen: each process found gets `SIGSTOP`
/// (which none can catch), and the listing repeats until every one has stopped (state
/// `T` in `/proc/PID/stat`, when any fork it was in has finished and its child is listed)
/// and a listing finds none new, for at most 500 ms (a process aws-login may not signal
/// never stops). Then each gets `signal`, then those it stopped get `SIGCONT`, in that
/// order, so the signal is the first thing each sees when it runs again. A process that
/// was stopped already stays stopped, with the signal pending, as a group signal would
/// leave it.
pub fn signal_same_group_tree(root: Pid, signal: Signal) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    // Every process listed, and those of them that took the SIGSTOP (not one aws-login
    // may not signal, or one gone meanwhile).
    let mut listed: Vec<Pid> = Vec::new();
    let mut frozen: Vec<Pid> = Vec::new();
    loop {
        let fresh: Vec<Pid> = same_group_tree(root)
            .into_iter()
            .filter(|pid| !listed.contains(pid))
            .collect();
        for pid in &fresh {
            listed.push(*pid);
            // One already stopped (by its user, a debugger) is left stopped: the signal
            // waits for it as the kernel's would, and no SIGCONT of ours wakes it.
            if matches!(state(*pid), Some('T' | 't')) {
                continue;
            }
            if kill(*pid, Signal::SIGSTOP).is_ok() {
                frozen.push(*pid);
            }
        }
        let stopped =
            |pid: &Pid| !matches!(state(*pid), Some(s) if !matches!(s, 'T' | 't' | 'Z' | 'X'));
        let settled = fresh.is_empty() && frozen.iter().all(stopped);
        if settled || std::time::Instant::now() >= deadline {
            break;
        }
        std::thread::yield_now();
    }
    for pid in &listed {
        let _ = kill(*pid, signal);
    }
    for pid in &frozen {
        let _ = kill(*pid, Signal::SIGCONT);
    }
}

/// A process's state letter from `/proc/PID/stat` (`R`, `S`, `T` stopped, `Z` zombie...),
/// `None` when it is gone.
fn state(pid: Pid) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// How many of this process's ancestors are this same program (`/proc/PID/exe`): helpers
/// that run aws-login nest this deep, whatever they did to the environment.
pub fn ancestors_like_me() -> usize {
    let Ok(me) = std::fs::read_link("/proc/self/exe") else {
        return 0;
    };
    let all = parents();
    let parent_of = |pid: u32| all.iter().find(|(p, _, _)| *p == pid).map(|(_, pp, _)| *pp);
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
