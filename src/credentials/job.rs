//! A helper program run as a shell runs a job: in a process group of its own, so that
//! ending it ends everything it started; and, when aws-login is the terminal's foreground
//! job, holding the terminal while it runs, so that it can prompt and read a code there
//! (a process outside the foreground group that reads the terminal is stopped by the
//! kernel, `SIGTTIN`).
//!
//! The handover follows POSIX job control (`tcsetpgrp(3)`): `SIGTTOU` is blocked on this
//! thread while aws-login gives the terminal away and takes it back, since it does that
//! from the background; the group is sent `SIGCONT` after the handover in case the helper
//! read the terminal before it was its own.

use std::fs::File;

use nix::sys::signal::{SigSet, SigmaskHow, Signal, killpg, pthread_sigmask};
use nix::unistd::{Pid, getpgrp, tcgetpgrp, tcsetpgrp};

/// The terminal, given to a job's group until dropped.
#[derive(Debug)]
pub struct Foreground {
    tty: File,
    ours: Pid,
    mask: SigSet,
}

impl Foreground {
    /// Gives the controlling terminal to `group` when aws-login holds it (is the
    /// terminal's foreground process group); `None` otherwise (no terminal, or aws-login
    /// runs in the background), and then nothing changed.
    pub fn hand_to(group: Pid) -> Option<Self> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        let ours = getpgrp();
        if tcgetpgrp(&tty).ok()? != ours {
            return None;
        }
        let mut ttou = SigSet::empty();
        ttou.add(Signal::SIGTTOU);
        let mut mask = SigSet::empty();
        pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&ttou), Some(&mut mask)).ok()?;
        if tcsetpgrp(&tty, group).is_err() {
            let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&mask), None);
            return None;
        }
        // A read of the terminal before the handover stopped the helper: go on.
        let _ = killpg(group, Signal::SIGCONT);
        Some(Self { tty, ours, mask })
    }
}

impl Drop for Foreground {
    fn drop(&mut self) {
        let _ = tcsetpgrp(&self.tty, self.ours);
        let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&self.mask), None);
    }
}

/// Sends `signal` to every process of `group`; a group that is already gone is not an
/// error.
pub fn signal_group(group: Pid, signal: Signal) {
    let _ = killpg(group, signal);
}
