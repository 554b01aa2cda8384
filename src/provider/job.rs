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

/// Whether `pid` runs this same program (`/proc/PID/exe`).
fn is_like_me(pid: u32, me: Option<&std::path::Path>) -> bool {
    me.is_some_and(|me| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == me))
}

/// The processes of `all` (pid, parent, group) a terminal's signal to `root`'s process
/// group would reach among `root`'s own: `root` and its descendants in that group (not
/// those that left it, as a shell's background jobs do with job control), not below a
/// descendant that is aws-login itself (a nested `runas`, which passes the signal on to
/// its own program; going below it too would deliver the signal twice).
fn tree_in_group(all: &[(u32, u32, u32)], root: u32, group: u32) -> Vec<u32> {
    let me = std::fs::read_link("/proc/self/exe").ok();
    let mut tree = vec![root];
    let mut at = 0;
    while at < tree.len() {
        let parent = tree[at];
        at += 1;
        if is_like_me(parent, me.as_deref()) {
            continue;
        }
        for (pid, ppid, pgrp) in all {
            if *ppid == parent && *pgrp == group && !tree.contains(pid) {
                tree.push(*pid);
            }
        }
    }
    tree
}

/// Sends `signal` to `root` and the processes of its own in its process group, as a
/// terminal's signal to that group would reach them (see `tree_in_group`).
///
/// Listing and then signalling races with a shell that forks its command just then: the
/// shell dies of the signal, and its new child, re-parented away from the tree, would
/// outlive both. The kernel has the child in `/proc` by the time `kill` returns (a fork
/// either finished before the signal, or is undone by a fatal one), so after each round
/// the listing is taken again, and an orphan (its parent outside the group: init or a
/// subreaper) that joined `root`'s group since the first listing is signalled too.
/// Until a round finds no one new; at most 16 rounds. An orphan of another tree in the
/// same group, born in those microseconds, would get it too: the price of no SIGSTOP.
/// Nothing else is sent: the program sees only the signal.
pub fn signal_tree(root: Pid, signal: Signal) {
    let (Ok(root_raw), me) = (u32::try_from(root.as_raw()), std::process::id()) else {
        let _ = kill(root, signal);
        return;
    };
    let mut all = parents();
    let Some(group) = all
        .iter()
        .find(|(p, _, _)| *p == root_raw)
        .map(|(_, _, g)| *g)
    else {
        // Gone, or no /proc: the program alone.
        let _ = kill(root, signal);
        return;
    };
    let known: Vec<u32> = all
        .iter()
        .filter(|(_, _, g)| *g == group)
        .map(|(p, _, _)| *p)
        .collect();
    let mut signalled: Vec<u32> = Vec::new();
    for _ in 0..16 {
        let mut targets = tree_in_group(&all, root_raw, group);
        // Newcomers to the group outside the tree: children the tree forked as it was
        // signalled, re-parented since; aws-login's own helpers stay out.
        let helpers: Vec<u32> = all
            .iter()
            .filter(|(p, pp, _)| *pp == me && *p != root_raw)
            .flat_map(|(p, _, _)| tree_in_group(&all, *p, group))
            .collect();
        // Only orphans (a parent outside the group: init or a subreaper): the group may
        // hold other trees too (a script's other commands, another aws-login, tests run
        // side by side), whose new processes have their parents in it.
        let in_group = |pid: &u32| all.iter().any(|(p, _, g)| p == pid && *g == group);
        targets.extend(
            all.iter()
                .filter(|(p, pp, g)| {
                    *g == group
                        && *p != me
                        && !known.contains(p)
                        && !helpers.contains(p)
                        && !in_group(pp)
                })
                .map(|(p, _, _)| *p),
        );
        let fresh: Vec<u32> = targets
            .into_iter()
            .filter(|p| !signalled.contains(p))
            .collect();
        if fresh.is_empty() {
            return;
        }
        for pid in fresh {
            if let Ok(raw) = i32::try_from(pid) {
                // A process may have exited meanwhile.
                let _ = kill(Pid::from_raw(raw), signal);
            }
            signalled.push(pid);
        }
        all = parents();
    }
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
                if is_like_me(parent, Some(&me)) {
                    count += 1;
                }
                pid = parent;
            }
            _ => break,
        }
    }
    count
}

/// A helper's processes: its descendants by parent link (taken while every link is still
/// there), and every process its run id marks (those that left its tree). The helper
/// itself is not included.
pub fn helper_tree(helper: Option<Pid>, run_id: Option<&str>) -> Vec<Pid> {
    let mut tree = helper.map(descendants).unwrap_or_default();
    if let Some(id) = run_id {
        tree.extend(
            marked(super::process::CHAIN_VARIABLE, id)
                .into_iter()
                .filter(|pid| Some(*pid) != helper),
        );
    }
    tree
}

/// Sends `signal` to each process; one that is already gone is not an error.
pub fn signal_all(pids: &[Pid], signal: Signal) {
    for pid in pids {
        let _ = kill(*pid, signal);
    }
}

/// One `credential_process` helper: its process id once spawned, and its run id (which
/// marks it and everything it starts, so it is found even before its pid is known).
#[derive(Debug, Clone)]
struct Listed {
    key: u64,
    pid: Option<Pid>,
    run_id: Option<String>,
}

/// The `credential_process` helpers running now.
static RUNNING: std::sync::Mutex<Vec<Listed>> = std::sync::Mutex::new(Vec::new());
/// Keys for [`RUNNING`]'s entries.
static NEXT_KEY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
/// Set while `runas` passes signals on to its program itself (see [`passing_on`]).
static PASSING_ON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn running_list() -> std::sync::MutexGuard<'static, Vec<Listed>> {
    RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A helper listed as running until this is dropped (see [`running`]).
#[must_use = "the helper is listed only while this lives"]
pub struct Running(u64);

impl Running {
    /// Records the helper's process id, once it is spawned.
    pub fn spawned(&self, pid: Pid) {
        if let Some(entry) = running_list().iter_mut().find(|e| e.key == self.0) {
            entry.pid = Some(pid);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        running_list().retain(|e| e.key != self.0);
    }
}

/// Lists a helper as running, for [`end_helpers_on_signals`], *before* it is spawned: a
/// signal that comes as it starts finds it by its run id (every helper carries it in its
/// environment) until [`Running::spawned`] gives its pid.
pub fn running(run_id: Option<String>) -> Running {
    let key = NEXT_KEY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    running_list().push(Listed {
        key,
        pid: None,
        run_id,
    });
    Running(key)
}

/// While this lives, [`end_helpers_on_signals`] leaves the signals alone: `runas` passes
/// them on to its program and decides itself.
#[must_use = "runas passes signals on only while this lives"]
pub struct PassingOn(());

impl Drop for PassingOn {
    fn drop(&mut self) {
        PASSING_ON.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// See [`PassingOn`].
pub fn passing_on() -> PassingOn {
    PASSING_ON.store(true, std::sync::atomic::Ordering::SeqCst);
    PassingOn(())
}

/// Set once a signal is ending aws-login (see [`end_helpers_on_signals`]).
static DYING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Waits for ever when a signal is ending aws-login: the thread that ends its helpers
/// then ends the process with the signal. The command, which saw its helper killed, must
/// not exit first with an error of its own.
pub fn wait_if_dying() {
    while DYING.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::park();
    }
}

/// From now on, a terminating signal (TERM, INT, HUP, QUIT) ends aws-login as it would
/// without a handler (the same status: killed by that signal), but first ends the
/// `credential_process` helpers running then with everything they started, as their
/// time limit does (`SIGTERM`, `SIGKILL` up to a second later). Without it, `kill` on
/// aws-login alone (not its process group) left a helper running with no parent waiting
/// for it. Installed once, on a thread of its own, before the first helper starts (a run
/// that starts none pays nothing for it); when the handlers cannot be installed the
/// signals keep their default action.
pub fn end_helpers_on_signals() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = install_helper_ender();
    });
}

fn install_helper_ender() -> std::io::Result<()> {
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if PASSING_ON.load(std::sync::atomic::Ordering::SeqCst) {
                continue;
            }
            DYING.store(true, std::sync::atomic::Ordering::SeqCst);
            let helpers = running_list().clone();
            end_now(&helpers);
            // Dies of the signal (default action), as if no handler had been installed.
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
    });
    Ok(())
}

/// Ends `helpers` and what they started, without a runtime: `SIGTERM`, a wait of at most
/// [`super::process::GRACE`] for them to go (polled), then `SIGKILL` to what is left. A helper is
/// found by its pid and descendants and by its run id (which also finds one whose pid is
/// not recorded yet).
fn end_now(helpers: &[Listed]) {
    if helpers.is_empty() {
        return;
    }
    let mut started: Vec<Pid> = Vec::new();
    for helper in helpers {
        started.extend(helper.pid);
        started.extend(helper_tree(helper.pid, helper.run_id.as_deref()));
    }
    signal_all(&started, Signal::SIGTERM);
    let gone = |pid: &Pid| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                let state = stat[stat.rfind(')')? + 1..].trim_start().chars().next()?;
                Some(!matches!(state, 'Z' | 'X'))
            })
            .is_none_or(|alive| !alive)
    };
    let deadline = std::time::Instant::now() + super::process::GRACE;
    while !started.iter().all(gone) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    for helper in helpers {
        // Also what started meanwhile, by the run id (the tree may be gone).
        started.extend(helper_tree(None, helper.run_id.as_deref()));
    }
    signal_all(&started, Signal::SIGKILL);
}
