//! What `aws-login request` does with the answer: its body written as it comes to stdout
//! or to `-o FILE` (written beside it and renamed when complete, so a cut download never
//! has the file's name), with `-i` the status line and headers first; an AWS error said
//! on stderr with its code, message and request id; a redirect shown, not followed; the
//! exit status as curl's (22 with `--fail` for a status of 400 or more).

use std::io::Write as _;

use super::RequestArgs;
use super::parts::RequestError;
use crate::cli::{CliError, Context, Output, terminal_safe};
use crate::http::call::CallResponse;
use crate::http::client::Response;

/// curl's exit status for `--fail` on a status of 400 or more.
pub(super) const EXIT_HTTP_ERROR: u8 = 22;

/// Where the body goes: stdout (no `-o`, or `-o -`); a regular file (or one not there
/// yet) through a temporary file beside it, renamed over it when the body is complete
/// (its mode kept; a new one as the umask makes it); anything else (a device such as
/// `/dev/null`, a FIFO, a symlink to one) written into directly, as curl does.
pub(super) enum Sink {
    Stdout(std::io::StdoutLock<'static>),
    File {
        file: tempfile::NamedTempFile,
        path: std::path::PathBuf,
    },
    Direct {
        file: std::fs::File,
        path: std::path::PathBuf,
    },
}

impl Sink {
    /// Opens where the body goes; before anything is sent, so a path that cannot take
    /// it is said first.
    pub(super) fn open(output: Option<&str>) -> Result<Self, RequestError> {
        let path = match output {
            None | Some("-") => return Ok(Self::Stdout(std::io::stdout().lock())),
            Some("") => {
                return Err(RequestError::Output {
                    path: "''".into(),
                    source: std::io::Error::other("-o needs a file name"),
                });
            }
            Some(path) => std::path::PathBuf::from(path),
        };
        let failed = |source| RequestError::Output {
            path: path.display().to_string(),
            source,
        };
        // Followed through symlinks: a link's target is what is written.
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                return Err(failed(std::io::Error::other("it is a folder")));
            }
            Ok(meta)
                if !meta.is_file()
                    || std::fs::symlink_metadata(&path)
                        .is_ok_and(|m| m.file_type().is_symlink()) =>
            {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(meta.is_file())
                    .open(&path)
                    .map_err(failed)?;
                return Ok(Self::Direct { file, path });
            }
            _ => {}
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => std::path::PathBuf::from("."),
        };
        use std::os::unix::fs::PermissionsExt as _;
        // An existing file keeps its mode; a new one gets 0666 less the umask.
        let mode = std::fs::metadata(&path).map_or(0o666, |m| m.permissions().mode() & 0o7777);
        let file = tempfile::Builder::new()
            .prefix(".aws-login-download-")
            .permissions(std::fs::Permissions::from_mode(mode))
            .tempfile_in(&dir)
            .map_err(failed)?;
        Ok(Self::File { file, path })
    }

    /// Writes `bytes`, flushed (a stream's pieces reach their reader as they come);
    /// `false` when stdout's reader went away (a closed pipe).
    fn write(&mut self, bytes: &[u8]) -> Result<bool, RequestError> {
        let (result, path) = match self {
            Self::Stdout(out) => match out.write_all(bytes).and_then(|()| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(false),
                other => (other, "stdout".to_owned()),
            },
            Self::File { file, path } => (file.write_all(bytes), path.display().to_string()),
            Self::Direct { file, path } => (file.write_all(bytes), path.display().to_string()),
        };
        result
            .map(|()| true)
            .map_err(|source| RequestError::Output { path, source })
    }

    /// Ends the output: stdout flushed, a file put in its place.
    fn finish(self) -> Result<(), RequestError> {
        match self {
            Self::Stdout(mut out) => match out.flush() {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(RequestError::Output {
                    path: "stdout".into(),
                    source: e,
                }),
                _ => Ok(()),
            },
            Self::Direct { .. } => Ok(()),
            Self::File { file, path } => {
                let shown = path.display().to_string();
                file.as_file()
                    .sync_all()
                    .map_err(|source| RequestError::Output {
                        path: shown.clone(),
                        source,
                    })?;
                file.persist(&path).map_err(|e| RequestError::Output {
                    path: shown,
                    source: e.error,
                })?;
                Ok(())
            }
        }
    }
}

/// curl's exit status when the output could not be written (its reader went away).
pub(super) const EXIT_WRITE_ERROR: u8 = 23;

/// The status line and headers as `-i` writes them.
fn head_text(response: &Response) -> String {
    let reason = hyper::StatusCode::from_u16(response.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut text = format!("HTTP/1.1 {} {reason}\r\n", response.status);
    for (name, value) in &response.headers {
        text.push_str(&format!(
            "{name}: {}\r\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    text.push_str("\r\n");
    text
}

/// The message of a JSON error body that names no code: `message`, `Message`, or
/// `Error.Message` (with `Error.Code` before it when there is one).
fn json_message(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    if let Some(error) = json.get("Error") {
        let message = text(error, "Message").or_else(|| text(error, "message"));
        return match (text(error, "Code"), message) {
            (Some(code), Some(message)) => Some(format!("{code}: {message}")),
            (Some(code), None) => Some(code),
            (None, message) => message,
        };
    }
    text(&json, "message").or_else(|| text(&json, "Message"))
}

/// What an answer that is not a 2xx says, in one line: the status, and for an AWS error
/// its code, message and request id.
pub(super) fn summary(response: &Response) -> String {
    let header = |name: &str| {
        response
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let error_type = header("x-amzn-errortype");
    let mut line = format!("HTTP {}", response.status);
    if let Some(error) =
        crate::services::read_aws_error(response.status, error_type.as_deref(), &response.body)
    {
        line.push_str(&format!(": {}", error.code));
        if !error.message.is_empty() {
            line.push_str(&format!(": {}", error.message));
        }
        let id = error
            .request_id
            .clone()
            .or_else(|| header("x-amzn-requestid"))
            .or_else(|| header("x-amz-request-id"));
        if let Some(id) = id {
            line.push_str(&format!(" (request id {id})"));
        }
        // Only the hints about the signature and the credentials: what a role's trust
        // policy or aws-login's own calls need is not this request's business.
        let signing = matches!(
            error.code.as_str(),
            "SignatureDoesNotMatch"
                | "InvalidClientTokenId"
                | "ExpiredToken"
                | "ExpiredTokenException"
                | "RequestTimeTooSkewed"
                | "InvalidSignatureException"
        );
        if let Some(hint) = error.hint().filter(|_| signing) {
            line.push_str(&format!("; {hint}"));
        }
    } else if let Some(message) = json_message(&response.body) {
        line.push_str(&format!(": {message}"));
        if let Some(id) = header("x-amzn-requestid").or_else(|| header("x-amz-request-id")) {
            line.push_str(&format!(" (request id {id})"));
        }
    }
    if matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        match header("location") {
            Some(to) => line.push_str(&format!(
                ": a redirect to {to}, not followed (the signature is for this URL only)"
            )),
            None => line.push_str(": a redirect, not followed"),
        }
    }
    terminal_safe(&line).into_owned()
}

/// Writes the answer and says what the exit status is.
pub(super) async fn write(
    args: &RequestArgs,
    ctx: &Context<'_>,
    sink: Sink,
    mut answer: CallResponse,
    started: std::time::Instant,
) -> Result<Output, CliError> {
    let response = &answer.response;
    let status = response.status;
    let failed = status >= 400 && args.fail;
    let mut written: u64 = 0;
    let mut reader_gone = false;
    if !failed {
        let mut sink = sink;
        let mut open = true;
        if args.include {
            open = sink.write(head_text(response).as_bytes())?;
        }
        match answer.stream.as_mut() {
            Some(stream) => {
                while open {
                    let Some(chunk) = stream.chunk().await.map_err(|e| CliError::Call {
                        step: "reading the answer",
                        source: Box::new(crate::services::ServiceError::Call(
                            crate::http::call::CallError::Transport {
                                source: e,
                                attempts: answer.attempts,
                            },
                        )),
                    })?
                    else {
                        break;
                    };
                    written += chunk.len() as u64;
                    open = sink.write(&chunk)?;
                }
            }
            None if open => {
                written = response.body.len() as u64;
                open = sink.write(&response.body)?;
            }
            None => {}
        }
        reader_gone = !open;
        sink.finish()?;
    }
    let mut stderr = String::new();
    if !(200..300).contains(&status) && (!args.silent || failed) {
        stderr = summary(response);
    }
    if args.verbose {
        let timing = format!(
            "* {status} in {} ms, {written} bytes of body, {} attempt{}",
            started.elapsed().as_millis(),
            answer.attempts,
            if answer.attempts == 1 { "" } else { "s" }
        );
        (ctx.stderr)(&timing);
    }
    if reader_gone {
        if !args.silent {
            stderr = "the answer could not all be written: stdout's reader went away".to_owned();
        }
        return Ok(Output {
            stderr,
            exit_code: EXIT_WRITE_ERROR,
            ..Output::default()
        });
    }
    Ok(Output {
        stderr,
        exit_code: if failed { EXIT_HTTP_ERROR } else { 0 },
        ..Output::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        let mut map = hyper::HeaderMap::new();
        for (n, v) in headers {
            map.insert(
                hyper::header::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                hyper::header::HeaderValue::from_str(v).unwrap(),
            );
        }
        Response {
            status,
            headers: map,
            body: body.to_owned().into(),
        }
    }

    #[test]
    fn errors_are_said_with_code_message_and_request_id() {
        let xml = "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>RID1</RequestId></Error>";
        assert_eq!(
            summary(&response(404, &[], xml)),
            "HTTP 404: NoSuchKey: The specified key does not exist. (request id RID1)"
        );
        let json = r#"{"message":"Missing Authentication Token"}"#;
        assert_eq!(
            summary(&response(
                403,
                &[
                    ("x-amzn-errortype", "MissingAuthenticationTokenException"),
                    ("x-amzn-requestid", "RID2")
                ],
                json
            )),
            "HTTP 403: MissingAuthenticationTokenException: Missing Authentication Token (request id RID2)"
        );
        assert_eq!(
            summary(&response(502, &[], "<html>bad gateway</html>")),
            "HTTP 502"
        );
        assert_eq!(
            summary(&response(
                307,
                &[("location", "https://other.example/x")],
                ""
            )),
            "HTTP 307: a redirect to https://other.example/x, not followed (the signature is for this URL only)"
        );
        assert!(
            head_text(&response(200, &[("x-a", "1")], ""))
                .starts_with("HTTP/1.1 200 OK\r\nx-a: 1\r\n\r\n")
        );
    }
}
