//! Helpers shared by the integration tests: where AWS's published suites live, and a
//! parser for their raw HTTP request files.

#![allow(dead_code, unreachable_pub)] // each test binary uses a different subset

pub mod botocore;
pub mod browser;
pub mod caller;
pub mod endpoints;
pub mod homes;
pub mod identity_center;
pub mod mock;
pub mod sign_in_service;
pub mod verifier;

use std::path::PathBuf;

/// `AWS_LOGIN_SIGV4_VECTORS`, else `../shared/vectors` beside the crate. `None` (the
/// suite is missing) fails the test when `CI` is set and skips it otherwise.
#[allow(clippy::print_stderr)] // a skipped suite says so
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("AWS_LOGIN_SIGV4_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"));
    if dir.join("sigv4-c-auth/v4").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "AWS SigV4 test suites not found at {} (set AWS_LOGIN_SIGV4_VECTORS); CI must not skip them",
        dir.display()
    );
    eprintln!(
        "skipped: AWS SigV4 test suites not found at {}",
        dir.display()
    );
    None
}

/// A request as the suites write it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// Parses a suite request the way the CRT harness does: the path is everything between
    /// the method and ` HTTP/1.1` (raw spaces and UTF-8 allowed), a line that starts with
    /// whitespace continues the previous value (newline kept), values are not trimmed,
    /// and the body is everything after the first blank line.
    pub fn parse(text: &str) -> RawRequest {
        let (head, body) = match text.find("\n\n") {
            Some(i) => (&text[..i], text.as_bytes()[i + 2..].to_vec()),
            None => (text.trim_end_matches('\n'), Vec::new()),
        };
        let mut lines = head.split('\n');
        let request_line = lines.next().expect("request line");
        let (method, rest) = request_line.split_once(' ').expect("method");
        let target = rest.strip_suffix(" HTTP/1.1").expect("HTTP/1.1");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with(' ') || line.starts_with('\t') {
                let last = headers.last_mut().expect("continuation after a header");
                last.1.push('\n');
                last.1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').expect("header colon");
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        RawRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body,
        }
    }

    /// Removes every header with this name (any case) and returns the last value.
    pub fn take_header(&mut self, name: &str) -> Option<String> {
        let mut found = None;
        self.headers.retain(|(n, v)| {
            if n.eq_ignore_ascii_case(name) {
                found = Some(v.clone());
                false
            } else {
                true
            }
        });
        found
    }

    pub fn header_refs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

/// Reads a file of the suite as text.
pub fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A folder under the temporary directory, named for the test and the process, removed
/// when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("aws-login-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `contents` to the file `name` in it; its path.
    pub fn file(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The built binary with a clean environment: only `PATH`, no shared files, a home that
/// does not exist, no instance metadata (a test that wants IMDS removes
/// `AWS_EC2_METADATA_DISABLED`), stdin closed.
/// The test adds its own arguments and variables.
pub fn aws_login_command(args: &[&str]) -> tokio::process::Command {
    aws_login_command_via(&[], args)
}

/// [`aws_login_command`] run by another program first: `wrapper` is that program and its
/// arguments (`["timeout", "5"]`), the binary and `args` follow.
pub fn aws_login_command_via(wrapper: &[&str], args: &[&str]) -> tokio::process::Command {
    let binary = env!("CARGO_BIN_EXE_aws-login");
    let mut cmd = match wrapper.split_first() {
        Some((program, rest)) => {
            let mut cmd = tokio::process::Command::new(program);
            cmd.args(rest).arg(binary);
            cmd
        }
        None => tokio::process::Command::new(binary),
    };
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        // Never the real home's caches (the assumed-role cache, the SSO cache): a test
        // that wants a home sets its own.
        .env("HOME", "/dev/null/home")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Output bytes as text, for assertions and failure messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A finished run's stderr as text.
pub fn stderr(out: &std::process::Output) -> String {
    text(&out.stderr)
}
