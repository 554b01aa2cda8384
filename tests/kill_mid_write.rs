//! Files aws-login writes survive SIGKILL at any point: each scenario runs the binary
//! many times, each in a fresh folder, killing it after a random delay spread over a
//! whole run (a clean run, timed first, sets the span), and finds every file it writes
//! either as it was or complete and new (never partial), and mode 0600 (a merged config
//! keeps its own mode). The scenarios: an SSO token refreshed into the shared cache, a
//! console sign-in session refreshed into its cache, a role's answer written to the
//! assumed-role cache, and `dumpconfig --merge` writing the config and its backup.
//!
//! The delay is where the kill lands, not a wait for anything: every outcome is checked.

use crate::common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::endpoints::{Issued, assume_role_xml};
use common::homes::{SsoSecrets, login_session_home, sso_home};
use common::mock::{Request, reply, serve_with};
use common::{aws_login_command, stderr};

/// Runs per scenario.
const RUNS: usize = 60;

/// How a file's content after a run is judged.
enum Watch {
    /// The file at this path (relative to the folder): its old content, or content
    /// `is_new` accepts.
    File(&'static str, fn(&[u8]) -> bool),
    /// Every file in this folder (relative), temporary and lock files aside: its old content (if
    /// it was there), or content `is_new` accepts.
    Folder(&'static str, fn(&[u8]) -> bool),
}

/// A scenario: what the folder holds first, the command, what it writes, and the mode
/// a new file must have.
struct Scenario {
    name: &'static str,
    setup: fn(&Path),
    command: fn(&Path, SocketAddr) -> tokio::process::Command,
    watch: Vec<Watch>,
    mode: u32,
}

fn json_field_is(bytes: &[u8], pointer: &str, value: &str) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .is_ok_and(|json| json.pointer(pointer).and_then(|v| v.as_str()) == Some(value))
}

/// The services the scenarios call: STS AssumeRole, the SSO portal (credentials and
/// the account lists of dumpconfig), OIDC and sign-in token refreshes.
fn fake(req: &Request) -> common::mock::Answer {
    let json = |body: &str| reply(200, body).with_header("content-type", "application/json");
    match (req.method(), req.path()) {
        ("POST", "/") => reply(
            200,
            &assume_role_xml(
                "r",
                "s",
                &Issued {
                    key: "ASIAROLE",
                    secret: "S",
                    token: "T",
                    expiration: "2099-01-01T00:00:00Z",
                },
            ),
        ),
        ("GET", "/federation/credentials") => json(
            r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"S","sessionToken":"T","expiration":4102444800000}}"#,
        ),
        ("GET", "/assignment/accounts") => json(
            r#"{"accountList":[{"accountId":"111122223333","accountName":"prod","emailAddress":"p@example.com"},{"accountId":"444455556666","accountName":"dev","emailAddress":"d@example.com"}]}"#,
        ),
        ("GET", "/assignment/roles") => {
            json(r#"{"roleList":[{"roleName":"Admin"},{"roleName":"ReadOnly"}]}"#)
        }
        ("POST", "/token") => json(
            r#"{"accessToken":"NEW-ACCESS","tokenType":"Bearer","expiresIn":28800,"refreshToken":"NEW-REFRESH"}"#,
        ),
        ("POST", "/v1/token") => json(
            r#"{"accessToken":{"accessKeyId":"ASIANEW","secretAccessKey":"S","sessionToken":"T"},"tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"REFRESH-2"}"#,
        ),
        _ => reply(404, ""),
    }
}

fn base(args: &[&str], dir: &Path, addr: SocketAddr) -> tokio::process::Command {
    let mut cmd = aws_login_command(args);
    let url = format!("http://{addr}");
    cmd.env("HOME", dir)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", &url)
        .env("AWS_ENDPOINT_URL_SSO", &url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &url)
        .env("AWS_ENDPOINT_URL_SIGNIN", &url);
    cmd
}

const SSO_SECRETS: SsoSecrets<'static> = SsoSecrets {
    access_token: "OLD-ACCESS",
    refresh_token: "OLD-REFRESH",
    client_secret: "CLIENT-SECRET",
};

const HAND_WRITTEN: &str = "# mine\n[default]\nregion = eu-central-1\n\n[profile work]\ncredential_process = /bin/helper\n";

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "SSO token refreshed into ~/.aws/sso/cache",
            // Valid for 2 more minutes: refreshed, and usable if the refresh is cut.
            setup: |dir| sso_home(dir, 2, &SSO_SECRETS),
            command: |dir, addr| {
                let mut cmd = base(&["dumpcreds", "--profile", "dev"], dir, addr);
                cmd.env_remove("AWS_CONFIG_FILE");
                cmd
            },
            watch: vec![Watch::Folder(".aws/sso/cache", |b| {
                json_field_is(b, "/accessToken", "NEW-ACCESS")
                    && json_field_is(b, "/refreshToken", "NEW-REFRESH")
            })],
            mode: 0o600,
        },
        Scenario {
            name: "console sign-in session refreshed into its cache",
            setup: |dir| {
                login_session_home(dir, 2, "REFRESH-1", "OLD-SECRET");
            },
            command: |dir, addr| {
                let mut cmd = base(&["dumpcreds", "--profile", "dev"], dir, addr);
                cmd.env("AWS_CONFIG_FILE", dir.join("config"))
                    .env("AWS_LOGIN_CACHE_DIRECTORY", dir.join("login-cache"));
                cmd
            },
            watch: vec![Watch::Folder("login-cache", |b| {
                json_field_is(b, "/refreshToken", "REFRESH-2")
            })],
            mode: 0o600,
        },
        Scenario {
            name: "a role's answer written to ~/.aws/cli/cache",
            setup: |dir| {
                std::fs::create_dir_all(dir.join(".aws")).unwrap();
                std::fs::write(
                    dir.join(".aws/config"),
                    "[profile r]\nrole_arn = arn:aws:iam::111122223333:role/r\nsource_profile = keys\n",
                )
                .unwrap();
                std::fs::write(
                    dir.join(".aws/credentials"),
                    "[keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = SECRET\n",
                )
                .unwrap();
            },
            command: |dir, addr| {
                let mut cmd = base(&["dumpcreds", "--profile", "r"], dir, addr);
                cmd.env_remove("AWS_CONFIG_FILE")
                    .env_remove("AWS_SHARED_CREDENTIALS_FILE");
                cmd
            },
            watch: vec![Watch::Folder(".aws/cli/cache", |b| {
                json_field_is(b, "/Credentials/AccessKeyId", "ASIAROLE")
            })],
            mode: 0o600,
        },
        Scenario {
            name: "dumpconfig --merge writing the config and its backup",
            setup: |dir| {
                std::fs::write(dir.join("config"), HAND_WRITTEN).unwrap();
                std::fs::set_permissions(
                    dir.join("config"),
                    std::fs::Permissions::from_mode(0o640),
                )
                .unwrap();
            },
            command: |dir, addr| {
                let config = dir.join("config");
                base(
                    &[
                        "dumpconfig",
                        "--sso-access-token",
                        "ACCESS",
                        "--start-url",
                        "https://d-1234567890.awsapps.com/start",
                        "--merge",
                        config.to_str().unwrap(),
                    ],
                    dir,
                    addr,
                )
            },
            watch: vec![
                Watch::File("config", |b| {
                    let text = String::from_utf8_lossy(b);
                    text.starts_with(HAND_WRITTEN) && text.contains("[profile prod-ReadOnly]")
                }),
                Watch::File("config.bak", |b| b == HAND_WRITTEN.as_bytes()),
            ],
            mode: 0o640,
        },
    ]
}

/// A small deterministic generator (the seed is printed on failure).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// What the runs of a scenario saw, by outcome.
#[derive(Default, Debug)]
struct Tally {
    outcomes: BTreeMap<&'static str, usize>,
    leftover_temporary_files: usize,
}

/// The files a watch covers, with their content now (`None`: absent).
fn contents(dir: &Path, watch: &Watch) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    match watch {
        Watch::File(rel, _) => {
            let path = dir.join(rel);
            vec![(path.clone(), std::fs::read(&path).ok())]
        }
        Watch::Folder(rel, _) => std::fs::read_dir(dir.join(rel))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    // Lock files are empty by design.
                    .filter(|p| !is_temporary(p) && p.extension().is_none_or(|e| e != "lock"))
                    .map(|p| (p.clone(), std::fs::read(&p).ok()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(".aws-login-"))
}

fn temporaries(dir: &Path) -> usize {
    let mut count = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if is_temporary(&path) {
                count += 1;
            }
        }
    }
    count
}

async fn hammer(scenario: &Scenario, addr: SocketAddr, seed: u64) -> Result<Tally, String> {
    // A clean run: it must succeed, and it times the span the kills are spread over.
    let dir = tempfile::tempdir().unwrap();
    (scenario.setup)(dir.path());
    let started = Instant::now();
    let out = (scenario.command)(dir.path(), addr).output().await.unwrap();
    let span = started.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{}: the clean run failed\n{}",
            scenario.name,
            stderr(&out)
        ));
    }
    for watch in &scenario.watch {
        let (Watch::File(_, is_new) | Watch::Folder(_, is_new)) = watch;
        let found = contents(dir.path(), watch);
        if found.is_empty() || !found.iter().all(|(_, c)| c.as_deref().is_some_and(is_new)) {
            let found: Vec<_> = found
                .iter()
                .map(|(p, c)| {
                    (
                        p.display().to_string(),
                        c.as_deref().map(String::from_utf8_lossy),
                    )
                })
                .collect();
            return Err(format!(
                "{}: the clean run did not write what the check expects: {found:?}\n{}",
                scenario.name,
                stderr(&out)
            ));
        }
    }

    let mut rng = Lcg(seed);
    let mut tally = Tally::default();
    let span_us = (span.as_micros() as u64).saturating_mul(3) / 2;
    for run in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        (scenario.setup)(dir.path());
        let before: Vec<Vec<(PathBuf, Option<Vec<u8>>)>> = scenario
            .watch
            .iter()
            .map(|w| contents(dir.path(), w))
            .collect();
        let mut child = (scenario.command)(dir.path(), addr).spawn().unwrap();
        let delay = Duration::from_micros(rng.below(span_us));
        tokio::time::sleep(delay).await;
        let _ = child.start_kill();
        let status = child.wait().await.unwrap();
        let outcome = if status.success() {
            "finished"
        } else {
            "killed"
        };
        *tally.outcomes.entry(outcome).or_default() += 1;
        for (watch, old) in scenario.watch.iter().zip(&before) {
            let (Watch::File(_, is_new) | Watch::Folder(_, is_new)) = watch;
            for (path, now) in contents(dir.path(), watch) {
                let was = old
                    .iter()
                    .find(|(p, _)| *p == path)
                    .and_then(|(_, c)| c.clone());
                let verdict = match (&now, &was) {
                    (None, None) => "absent",
                    (Some(n), Some(w)) if n == w => "old",
                    (Some(n), _) if is_new(n) => "new",
                    _ => {
                        return Err(format!(
                            "{} run {run} (seed {seed}, killed after {delay:?}): {} is neither old nor new: {:?}",
                            scenario.name,
                            path.display(),
                            now.as_deref().map(String::from_utf8_lossy)
                        ));
                    }
                };
                if verdict == "new" {
                    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                    if mode != scenario.mode {
                        return Err(format!(
                            "{}: {} has mode {mode:o}",
                            scenario.name,
                            path.display()
                        ));
                    }
                }
                *tally.outcomes.entry(verdict).or_default() += 1;
            }
        }
        tally.leftover_temporary_files += temporaries(dir.path());
    }
    Ok(tally)
}

#[tokio::test]
async fn sigkill_at_any_point_leaves_every_file_old_or_new() {
    let (_, addr) = serve_with(fake).await;
    let seed = {
        use aws_login::time::Clock as _;
        aws_login::time::SystemClock
            .now()
            .timestamp_nanos_opt()
            .unwrap_or(1) as u64
    };
    let mut failures = Vec::new();
    for scenario in scenarios() {
        match hammer(&scenario, addr, seed).await {
            Ok(tally) => {
                #[allow(clippy::print_stderr)] // the closing note's figures
                {
                    eprintln!("{}: {:?}", scenario.name, tally);
                }
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
