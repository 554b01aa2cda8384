//! `aws-login runas` as a process: the child's environment, its exit status passed on,
//! 128+N when a signal ends it, 127 for a missing program, and signals: each reaches the
//! child exactly once, whether the terminal sent it to the whole foreground group (Ctrl-C
//! on a pseudo-terminal) or `kill` sent it to aws-login alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::process::Stdio;

use common::aws_login_command;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};

fn aws_login(args: &[&str]) -> tokio::process::Command {
    let mut cmd = aws_login_command(args);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIASTART")
        .env("AWS_SECRET_ACCESS_KEY", "SECRETKEY")
        .env("AWS_SESSION_TOKEN", "TOKEN")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_PROFILE", "stale-profile")
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent");
    cmd
}

#[tokio::test]
async fn the_child_sees_the_identity_and_its_status_is_passed_on() {
    let script = r#"echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE-none} ${AWS_WEB_IDENTITY_TOKEN_FILE-none}"; exit 7"#;
    let out = aws_login(&["runas", "--", "sh", "-c", script])
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "AKIASTART SECRETKEY TOKEN eu-west-1 eu-west-1 none none\n"
    );

    let out = aws_login(&["runas", "-c", "echo one\necho two"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "one\ntwo\n");
}

#[tokio::test]
async fn an_empty_region_counts_as_not_given() {
    // As the AWS CLI ignores `--region ''`: the next source (AWS_REGION) decides.
    let out = aws_login(&["runas", "--region", "", "-c", "echo $AWS_REGION"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "eu-west-1\n");
    let out = aws_login(&["runas", "--region=", "-c", "echo $AWS_REGION"])
        .env("AWS_REGION", "")
        .env("AWS_DEFAULT_REGION", "ca-central-1")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ca-central-1\n");
}

#[tokio::test]
async fn signals_end_with_128_plus_n_and_missing_programs_with_127() {
    let out = aws_login(&["runas", "--", "sh", "-c", "kill -KILL $$"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(128 + 9));
    let out = aws_login(&["runas", "--", "no-such-program-aws-login"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot run \"no-such-program-aws-login\"")
    );
    let out = aws_login(&["runas", "-c", "true", "--", "true"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn sigterm_is_forwarded_to_the_child() {
    // The child says "ready" once its trap is set and its sleep started, then waits;
    // SIGTERM makes it exit 42 (the sleep, in its process group, gets one too).
    let script = r#"trap 'kill $! 2>/dev/null; exit 42' TERM; sleep 30 & echo ready; wait $!"#;
    let mut child = aws_login(&["runas", "--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ready"));
    let pid = Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    kill(pid, Signal::SIGTERM).unwrap();
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(42));
}

/// A child that counts SIGINTs and, on SIGUSR1, prints the count and exits. It takes
/// each signal as soon as it arrives (`sigwaitinfo`), so a second copy sent after the
/// first is counted; and aws-login passes signals on in the order it gets them, so a
/// duplicate SIGINT would reach the child before the SIGUSR1 the test sends after the
/// first one.
const COUNTER: &str = r#"import os, signal, sys
wanted = {signal.SIGINT, signal.SIGUSR1}
signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
print("ready", os.getppid(), flush=True)
n = 0
while True:
    info = signal.sigwaitinfo(wanted)
    if info.si_signo == signal.SIGINT:
        n += 1
        print("INT", n, flush=True)
    else:
        print("count", n, flush=True)
        sys.exit(0)
"#;

/// Reads lines from `lines` until one starts with `prefix`; the rest of that line.
async fn line_after<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut tokio::io::Lines<R>,
    prefix: &str,
) -> String {
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find(prefix) {
                return line[at + prefix.len()..].trim().to_owned();
            }
        }
        panic!("no line with {prefix:?}");
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), read)
        .await
        .unwrap_or_else(|_| panic!("no line with {prefix:?} in 30 s"))
}

/// Runs `runas -- python3 COUNTER_SCRIPT` on a pseudo-terminal, types Ctrl-C once, then
/// sends SIGUSR1 to aws-login: the child must have counted exactly one SIGINT.
async fn ctrl_c_reaches_once(name: &str, counter: &str) {
    use tokio::io::AsyncWriteExt;
    let dir = common::TempDir::new(name);
    let script = dir.file("counter.py", counter);
    let binary = env!("CARGO_BIN_EXE_aws-login");
    // `script` runs aws-login on a pseudo-terminal; writing ^C to it is typing Ctrl-C.
    let mut child = aws_login(&[]).as_std().get_envs().fold(
        tokio::process::Command::new("script"),
        |mut cmd, (k, v)| {
            if let Some(v) = v {
                cmd.env(k, v);
            }
            cmd
        },
    );
    child
        .args([
            "-q",
            "-e",
            "-c",
            // `exec`: no shell in the terminal's foreground group (dash -c forks, and a
            // shell there dies of the Ctrl-C itself, whatever aws-login does).
            &format!("exec {binary} runas -- python3 {script}"),
            "/dev/null",
        ])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let mut child = child.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let aws_login_pid: i32 = line_after(&mut lines, "ready ").await.parse().unwrap();
    stdin.write_all(b"\x03").await.unwrap();
    stdin.flush().await.unwrap();
    assert_eq!(line_after(&mut lines, "INT ").await, "1");
    kill(Pid::from_raw(aws_login_pid), Signal::SIGUSR1).unwrap();
    assert_eq!(line_after(&mut lines, "count ").await, "1");
    let status = child.wait().await.unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn ctrl_c_on_a_terminal_reaches_the_child_once() {
    ctrl_c_reaches_once("runas-ctrl-c", COUNTER).await;
}

#[tokio::test]
async fn ctrl_c_reaches_a_child_that_left_the_process_group() {
    // As coreutils `timeout` does: the terminal's SIGINT then reaches aws-login only, and
    // aws-login passes it on.
    let counter = format!("import os\nos.setpgid(0, 0)\n{COUNTER}");
    ctrl_c_reaches_once("runas-ctrl-c-own-group", &counter).await;
}

/// Runs `aws-login runas -- [prefix...] python3 COUNTER`, sends SIGINT then SIGUSR1 to
/// aws-login with `kill`: the child must have counted exactly one SIGINT.
async fn kill_reaches_once(name: &str, prefix: &[&str]) {
    let dir = common::TempDir::new(name);
    let script = dir.file("counter.py", COUNTER);
    let mut args = vec!["runas", "--"];
    args.extend_from_slice(prefix);
    args.extend(["python3", script.as_str()]);
    let mut child = aws_login(&args)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    line_after(&mut lines, "ready ").await;
    kill(pid, Signal::SIGINT).unwrap();
    assert_eq!(line_after(&mut lines, "INT ").await, "1");
    kill(pid, Signal::SIGUSR1).unwrap();
    assert_eq!(line_after(&mut lines, "count ").await, "1");
    assert!(child.wait().await.unwrap().success());
}

#[tokio::test]
async fn a_nested_runas_passes_a_signal_on_once() {
    // The outer aws-login signals the inner one but not what is below it: the inner one
    // passes the signal on itself.
    let binary = env!("CARGO_BIN_EXE_aws-login");
    kill_reaches_once("runas-nested", &[binary, "runas", "--"]).await;
}

#[tokio::test]
async fn kill_on_aws_login_reaches_the_child_once() {
    kill_reaches_once("runas-kill", &[]).await;
}

#[tokio::test]
async fn other_terminating_signals_are_passed_on_too() {
    // Each signal sent to aws-login reaches the child, which names it.
    let script = r#"import signal, sys
names = ["SIGQUIT", "SIGUSR2", "SIGALRM", "SIGHUP", "SIGPWR", "SIGSYS", "SIGIO", "SIGVTALRM"]
# SIGCONT too: passing a signal on must not stop and resume the program.
wanted = {getattr(signal, n) for n in names} | {signal.SIGUSR1, signal.SIGCONT}
signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
print("ready", flush=True)
while True:
    s = signal.sigwaitinfo(wanted).si_signo
    if s == signal.SIGUSR1:
        print("done", flush=True)
        sys.exit(0)
    print("got", signal.Signals(s).name, flush=True)
"#;
    let mut child = aws_login(&["runas", "--", "python3", "-c", script])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    line_after(&mut lines, "ready").await;
    for signal in [
        Signal::SIGQUIT,
        Signal::SIGUSR2,
        Signal::SIGALRM,
        Signal::SIGHUP,
        Signal::SIGPWR,
        Signal::SIGSYS,
        Signal::SIGIO,
        Signal::SIGVTALRM,
    ] {
        kill(pid, signal).unwrap();
        assert_eq!(line_after(&mut lines, "got ").await, signal.as_str());
    }
    kill(pid, Signal::SIGUSR1).unwrap();
    line_after(&mut lines, "done").await;
    assert!(child.wait().await.unwrap().success());
}

#[tokio::test]
async fn a_signal_reaches_the_command_a_shell_runs_too() {
    // `runas -c`: the shell does not pass signals on to its command, so aws-login signals
    // the command too, as the terminal would. The command holds stdout: reading to the
    // end waits for it to be gone. The signal comes right after "ready", often while the
    // shell forks its sleep: without the freeze the sleep would outlive the shell.
    let child = aws_login(&["runas", "-c", "echo ready; sleep 600; echo after"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    let mut child = child;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    line_after(&mut lines, "ready").await;
    kill(pid, Signal::SIGTERM).unwrap();
    let rest = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let mut rest = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            rest.push(line);
        }
        rest
    })
    .await
    .expect("the shell's command outlived the signal");
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(child.wait().await.unwrap().code(), Some(128 + 15));
}

/// A process's state letter from `/proc/PID/stat`.
fn state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// Waits (polling, up to 30 s) until `pid`'s state is `want`.
async fn until_state(pid: i32, want: Option<char>) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while state(pid) != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{pid} is {:?}, not {want:?}",
            state(pid)
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_process_stopped_by_its_user_stays_stopped() {
    // The shell's background sleep is stopped (as a debugger or `kill -STOP` would); a
    // signal passed on to the tree leaves it stopped with the signal pending, as the
    // kernel's group signal would, instead of waking it.
    let mut child = aws_login(&["runas", "-c", "sleep 600 & echo $!; wait"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let sleep: i32 = lines.next_line().await.unwrap().unwrap().parse().unwrap();
    kill(Pid::from_raw(sleep), Signal::SIGSTOP).unwrap();
    until_state(sleep, Some('T')).await;
    kill(pid, Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().await.unwrap().code(), Some(128 + 15));
    let still = state(sleep);
    kill(Pid::from_raw(sleep), Signal::SIGKILL).unwrap();
    assert_eq!(still, Some('T'));
}
