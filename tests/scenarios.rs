//! The credential chain as scenario folders: each `tests/scenarios/NAME/` holds a
//! `scenario` file (environment, arguments, which fake endpoints run, and what must come
//! out) and, where it needs them, `config`, `credentials`, scripts and token files. The
//! built binary runs `getcallerid --debug` against in-process fakes (an STS that answers by
//! what it was sent, IMDS, a container endpoint); the plan line, the STS calls (who signed
//! what), the IMDS and container requests, the final identity or the error are compared.
//!
//! `scenario` lines (`#` starts a comment):
//! - `env KEY=VALUE`, `args ARG...`, `imds v2|v1|hop-limit|down|silent`, `container TOKEN|none`,
//!   `tty CODE` (run on a pseudo-terminal and type CODE when asked), `stdin TEXT` (a line
//!   piped to stdin, which is empty otherwise);
//! - `expect-plan TEXT`, `expect-call LINE` (all STS calls, in order), `expect-imds LINE`,
//!   `expect-container LINE` (all requests, in order), `expect-identity ARN`,
//!   `expect-error TEXT` (the run fails and says TEXT), `expect-stderr TEXT`,
//!   `expect-exit CODE` (the exit status), `expect-token SIGNER TOKEN` (a call signed by
//!   SIGNER carried that session token).
//!
//! In `config`, `credentials` and `env` values, `{dir}` is the scenario's folder,
//! `{container}` the fake container endpoint's `host:port` and `{binary}` the aws-login
//! binary under test. Whatever the scenario, no
//! secret the fakes or the files hold (`...SECRET`, `...TOKEN`, the web identity JWT)
//! may reach stdout or stderr.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::path::{Path, PathBuf};

use common::endpoints::{
    ImdsMode, Log, closed_port, echo_sts_with_tokens, fake_container, fake_imds, silent_port,
};

/// Secrets that appear in the fakes' answers and the scenario files.
const SECRETS: &[&str] = &[
    "ENVSECRET",
    "FILESECRET",
    "FILETOKEN",
    "PROCSECRET",
    "ROLESECRET",
    "IMDSSECRET",
    "CONTSECRET",
    "ENVTOKEN",
    "ROLETOKEN",
    "IMDSTOKEN",
    "IMDS-SESSION-TOKEN",
    "CONTTOKEN",
    "PODTOKEN",
    "eyJhbGciOiJSUzI1NiJ9",
];

#[derive(Default)]
struct Scenario {
    env: Vec<(String, String)>,
    args: Vec<String>,
    imds: Option<String>,
    container: Option<String>,
    tty: Option<String>,
    stdin: Option<String>,
    plan: Option<String>,
    calls: Vec<String>,
    imds_log: Vec<String>,
    container_log: Vec<String>,
    identity: Option<String>,
    error: Option<String>,
    stderr: Vec<String>,
    exit: Option<i32>,
    tokens: Vec<String>,
}

fn parse(text: &str) -> Result<Scenario, String> {
    let mut s = Scenario::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        let value = value.trim().to_owned();
        match key {
            "env" => {
                let (k, v) = value
                    .split_once('=')
                    .ok_or(format!("line {}: env wants KEY=VALUE", n + 1))?;
                s.env.push((k.to_owned(), v.to_owned()));
            }
            "args" => s.args = value.split_whitespace().map(str::to_owned).collect(),
            "imds" => s.imds = Some(value),
            "container" => s.container = Some(value),
            "tty" => s.tty = Some(value),
            "stdin" => s.stdin = Some(value),
            "expect-plan" => s.plan = Some(value),
            "expect-call" => s.calls.push(value),
            "expect-imds" => s.imds_log.push(value),
            "expect-container" => s.container_log.push(value),
            "expect-identity" => s.identity = Some(value),
            "expect-error" => s.error = Some(value),
            "expect-stderr" => s.stderr.push(value),
            "expect-token" => s.tokens.push(value),
            "expect-exit" => {
                s.exit = Some(
                    value
                        .parse()
                        .map_err(|_| format!("line {}: expect-exit wants a number", n + 1))?,
                );
            }
            other => return Err(format!("line {}: unknown key {other:?}", n + 1)),
        }
    }
    if s.identity.is_some() == s.error.is_some() {
        return Err("wants exactly one of expect-identity and expect-error".into());
    }
    Ok(s)
}

fn logged(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// The fakes a scenario runs against, what they record, and the binary's environment.
struct World {
    env: Vec<(String, String)>,
    sts_log: Log,
    token_log: Log,
    imds_log: Option<Log>,
    container_log: Option<Log>,
}

/// What the binary did.
struct Outcome {
    status: std::process::ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs one scenario folder; the differences from what it expects, if any.
async fn run(dir: &Path, work: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("scenario")).unwrap();
    let s = match parse(&text) {
        Ok(s) => s,
        Err(e) => return vec![format!("bad scenario file: {e}")],
    };
    let world = world(&s, dir, work).await;
    let outcome = launch(&s, world.env.clone()).await;
    compare(&s, &world, &outcome)
}

/// Starts the fakes the scenario asks for and writes its files: the world it runs in.
async fn world(s: &Scenario, dir: &Path, work: &Path) -> World {
    let (sts, sts_log, token_log) = echo_sts_with_tokens().await;
    let (container, container_log) = match &s.container {
        Some(token) => {
            let token = (token != "none").then(|| token.clone());
            let (addr, log) = fake_container(token).await;
            (addr.to_string(), Some(log))
        }
        None => ("127.0.0.1:9".into(), None),
    };
    let binary = env!("CARGO_BIN_EXE_aws-login");
    let fill = |t: &str| {
        t.replace("{dir}", dir.to_str().unwrap())
            .replace("{container}", &container)
            .replace("{binary}", binary)
    };
    let mut env: Vec<(String, String)> = vec![
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("AWS_REGION".into(), "eu-west-1".into()),
        ("AWS_ENDPOINT_URL_STS".into(), format!("http://{sts}")),
    ];
    for file in ["config", "credentials"] {
        let var = if file == "config" {
            "AWS_CONFIG_FILE"
        } else {
            "AWS_SHARED_CREDENTIALS_FILE"
        };
        let path = match std::fs::read_to_string(dir.join(file)) {
            Ok(t) => {
                let path = work.join(file);
                std::fs::write(&path, fill(&t)).unwrap();
                path.to_str().unwrap().to_owned()
            }
            Err(_) => format!("/nonexistent/{file}"),
        };
        env.push((var.into(), path));
    }
    let imds_log = match s.imds.as_deref() {
        None => {
            env.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
            None
        }
        Some(quiet @ ("down" | "silent")) => {
            let addr = if quiet == "down" {
                closed_port().await
            } else {
                silent_port().await
            };
            env.push((
                "AWS_EC2_METADATA_SERVICE_ENDPOINT".into(),
                format!("http://{addr}"),
            ));
            None
        }
        Some(mode) => {
            let mode = match mode {
                "v1" => ImdsMode::V1,
                "hop-limit" => ImdsMode::HopLimit,
                _ => ImdsMode::V2,
            };
            let (addr, log) = fake_imds(mode).await;
            env.push((
                "AWS_EC2_METADATA_SERVICE_ENDPOINT".into(),
                format!("http://{addr}"),
            ));
            Some(log)
        }
    };
    env.extend(s.env.iter().map(|(k, v)| (k.clone(), fill(v))));

    World {
        env,
        sts_log,
        token_log,
        imds_log,
        container_log,
    }
}

/// Runs `getcallerid --debug` with the scenario's arguments, on a pseudo-terminal when it
/// says `tty`.
async fn launch(s: &Scenario, env: Vec<(String, String)>) -> Outcome {
    let binary = env!("CARGO_BIN_EXE_aws-login");
    let mut args = vec!["getcallerid".to_owned(), "--debug".to_owned()];
    args.extend(s.args.iter().cloned());
    let (status, stdout, stderr) = match &s.tty {
        None => {
            use tokio::io::AsyncWriteExt;
            let mut child = tokio::process::Command::new(binary)
                .args(&args)
                .env_clear()
                .env("HOME", "/dev/null/home")
                .envs(env)
                .stdin(if s.stdin.is_some() {
                    std::process::Stdio::piped()
                } else {
                    std::process::Stdio::null()
                })
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            if let (Some(text), Some(mut stdin)) = (&s.stdin, child.stdin.take()) {
                stdin
                    .write_all(format!("{text}\n").as_bytes())
                    .await
                    .unwrap();
            }
            let out = child.wait_with_output().await.unwrap();
            (
                out.status,
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
        Some(code) => {
            use tokio::io::AsyncWriteExt;
            let command = format!("{binary} {}", args.join(" "));
            let mut child = tokio::process::Command::new("script")
                .args(["-q", "-e", "-c", &command, "/dev/null"])
                .env_clear()
                .env("HOME", "/dev/null/home")
                .envs(env)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("script (util-linux) runs the binary on a pseudo-terminal");
            let mut stdin = child.stdin.take().unwrap();
            stdin
                .write_all(format!("{code}\n").as_bytes())
                .await
                .unwrap();
            drop(stdin);
            let out = child.wait_with_output().await.unwrap();
            // On a terminal stdout and stderr share the screen.
            let screen = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            (out.status, screen.clone(), screen)
        }
    };

    Outcome {
        status,
        stdout,
        stderr,
    }
}

/// The differences between what the scenario expects and what happened.
fn compare(s: &Scenario, world: &World, outcome: &Outcome) -> Vec<String> {
    let Outcome {
        status,
        stdout,
        stderr,
    } = outcome;
    let World {
        sts_log,
        token_log,
        imds_log,
        container_log,
        ..
    } = world;
    let mut diffs = Vec::new();
    for secret in SECRETS {
        if stdout.contains(secret) || stderr.contains(secret) {
            diffs.push(format!("a secret ({secret}...) was printed"));
        }
    }
    if let Some(plan) = &s.plan
        && !stderr.contains(&format!("credential plan: {plan}\n"))
        && !stderr.contains(&format!("credential plan: {plan}\r\n"))
    {
        diffs.push(format!("plan: want {plan:?}"));
    }
    let calls = logged(sts_log);
    if calls != s.calls {
        diffs.push(format!("STS calls: want {:?}, got {calls:?}", s.calls));
    }
    if !s.imds_log.is_empty() || imds_log.is_some() {
        let got = imds_log.as_ref().map(logged).unwrap_or_default();
        if got != s.imds_log {
            diffs.push(format!("IMDS requests: want {:?}, got {got:?}", s.imds_log));
        }
    }
    if let Some(log) = &container_log {
        let got = logged(log);
        if got != s.container_log {
            diffs.push(format!(
                "container requests: want {:?}, got {got:?}",
                s.container_log
            ));
        }
    }
    let tokens = logged(token_log);
    for want in &s.tokens {
        if !tokens.contains(want) {
            diffs.push(format!(
                "no call signed by {want} (session tokens seen: {tokens:?})"
            ));
        }
    }
    if let Some(code) = s.exit
        && status.code() != Some(code)
    {
        diffs.push(format!("exit status: want {code}, got {status}"));
    }
    for want in &s.stderr {
        if !stderr.contains(want.as_str()) {
            diffs.push(format!("stderr lacks {want:?}"));
        }
    }
    match (&s.identity, &s.error) {
        (Some(arn), _) => {
            if !status.success() {
                diffs.push(format!("failed ({status}), want identity {arn}"));
            } else if !stdout.contains(&format!("\"Arn\": \"{arn}\"")) {
                diffs.push(format!("identity: want {arn}"));
            }
        }
        (None, Some(error)) => {
            if status.success() {
                diffs.push(format!("succeeded, want an error saying {error:?}"));
            } else if !stderr.contains(error.as_str()) {
                diffs.push(format!("error: want {error:?}"));
            }
        }
        (None, None) => unreachable!("parse() wants one of them"),
    }
    if !diffs.is_empty() {
        diffs.push(format!("stderr was:\n{stderr}"));
    }
    diffs
}

fn folders() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[tokio::test]
async fn every_scenario_folder_resolves_as_it_says() {
    let dirs = folders();
    assert!(
        dirs.len() >= 30,
        "only {} scenario folders; the chain needs at least 30",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let work =
            std::env::temp_dir().join(format!("aws-login-scenario-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&work).unwrap();
        let diffs = run(dir, &work).await;
        std::fs::remove_dir_all(&work).unwrap();
        if !diffs.is_empty() {
            failures.push(format!("{name}:\n  {}", diffs.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn the_scenario_format_rejects_what_it_does_not_know() {
    assert!(parse("expect-identity a\nexpect-error b\n").is_err());
    assert!(parse("env NOEQUALS\nexpect-identity a\n").is_err());
    assert!(parse("expect-identiy a\n").is_err());
    let s = parse("# c\nenv A=b=c\nargs --profile p\nexpect-call X by Y\nexpect-identity arn\n")
        .unwrap();
    assert_eq!(s.env, [("A".to_owned(), "b=c".to_owned())]);
    assert_eq!(s.args, ["--profile", "p"]);
    assert_eq!(s.calls, ["X by Y"]);
}
