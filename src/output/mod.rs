//! How credentials leave aws-login: shell exports for each shell, `KEY=value` lines, JSON,
//! a credentials-file section, GitHub Actions lines, and credential_process JSON.
//!
//! Pure: credentials in, text out. Nothing here prints; the caller writes the text (and
//! only the credentials) to stdout. A value that a format cannot carry safely is an error
//! naming the variable, never the value.

pub(crate) mod shell;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::credentials::Credentials;

/// The formats of `dumpcreds --outform`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutForm {
    /// `export K='v'` for sh, bash, zsh (the default).
    Linux,
    /// The same as `linux` (macOS shells are POSIX shells).
    Mac,
    /// `set "K=v"` for cmd.exe.
    Windows,
    /// `$Env:K = 'v'` for PowerShell.
    PowerShell,
    /// `set -gx K 'v'` for fish.
    Fish,
    /// `K=v` lines, no `export` (env files, `docker --env-file`).
    Env,
    /// A JSON object like STS's `Credentials`.
    Json,
    /// A credentials-file section.
    Ini,
    /// GitHub Actions: `::add-mask::` for each secret, then `K=v` lines for `$GITHUB_ENV`.
    Github,
}

impl OutForm {
    /// Every form, as `--outform` spells it.
    pub const NAMES: [&'static str; 9] = [
        "linux",
        "mac",
        "windows",
        "powershell",
        "fish",
        "env",
        "json",
        "ini",
        "github",
    ];
}

impl FromStr for OutForm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "linux" | "bash" | "sh" => OutForm::Linux,
            "mac" | "zsh" => OutForm::Mac,
            "windows" | "cmd" => OutForm::Windows,
            "powershell" | "pwsh" => OutForm::PowerShell,
            "fish" => OutForm::Fish,
            "env" => OutForm::Env,
            "json" => OutForm::Json,
            "ini" => OutForm::Ini,
            "github" => OutForm::Github,
            _ => {
                return Err(format!(
                    "unknown output form {s:?}; expected one of {}",
                    OutForm::NAMES.join(", ")
                ));
            }
        })
    }
}

/// A value the chosen format cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputError {
    /// The variable whose value cannot be written.
    pub variable: &'static str,
    /// Why.
    pub reason: &'static str,
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write {}: {}", self.variable, self.reason)
    }
}

impl std::error::Error for OutputError {}

/// RFC 3339 in UTC with a `Z`, as AWS writes expirations.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The environment variables that carry credentials, in order: the key id, the secret,
/// the session token and the expiration when there are.
pub fn credential_variables(creds: &Credentials) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", creds.access_key_id().to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY",
            creds.secret_access_key().expose().to_owned(),
        ),
    ];
    if let Some(token) = creds.session_token() {
        vars.push(("AWS_SESSION_TOKEN", token.expose().to_owned()));
    }
    if let Some(expiration) = creds.expiration() {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", rfc3339(expiration)));
    }
    vars
}

/// Variables the shell forms clear: the session token and expiration when the
/// credentials have none, so that a stale one from an earlier `eval` does not ride along
/// with static keys; and always `AWS_SECURITY_TOKEN`, the legacy name, which botocore and
/// aws-login read *before* `AWS_SESSION_TOKEN`, so a stale one would win over the new token.
fn cleared(creds: &Credentials) -> Vec<&'static str> {
    let mut names = vec!["AWS_SECURITY_TOKEN"];
    if creds.session_token().is_none() {
        names.push("AWS_SESSION_TOKEN");
    }
    if creds.expiration().is_none() {
        names.push("AWS_CREDENTIAL_EXPIRATION");
    }
    names
}

fn check_no_line_breaks(vars: &[(&'static str, String)]) -> Result<(), OutputError> {
    match vars.iter().find(|(_, v)| v.contains(['\n', '\r'])) {
        Some((name, _)) => Err(OutputError {
            variable: name,
            reason: "the value holds a line break",
        }),
        None => Ok(()),
    }
}

/// Renders credentials for `--outform`. `section` names the credentials-file section of
/// the `ini` form.
pub fn render(form: OutForm, creds: &Credentials, section: &str) -> Result<String, OutputError> {
    let vars = credential_variables(creds);
    let mut out = String::new();
    match form {
        OutForm::Linux | OutForm::Mac => {
            for (name, value) in &vars {
                out.push_str(&format!("export {name}={}\n", shell::posix_quote(value)));
            }
            for name in cleared(creds) {
                out.push_str(&format!("unset {name}\n"));
            }
        }
        OutForm::Fish => {
            for (name, value) in &vars {
                out.push_str(&format!("set -gx {name} {}\n", shell::fish_quote(value)));
            }
            for name in cleared(creds) {
                out.push_str(&format!("set -e {name}\n"));
            }
        }
        OutForm::PowerShell => {
            for (name, value) in &vars {
                out.push_str(&format!(
                    "$Env:{name} = {}\n",
                    shell::powershell_quote(value)
                ));
            }
            for name in cleared(creds) {
                out.push_str(&format!(
                    "Remove-Item Env:{name} -ErrorAction SilentlyContinue\n"
                ));
            }
        }
        OutForm::Windows => {
            for (name, value) in &vars {
                let quoted = shell::cmd_set(name, value).ok_or(OutputError {
                    variable: name,
                    reason: "cmd.exe cannot quote a value with \", %, ! or a line break",
                })?;
                out.push_str(&quoted);
                out.push_str("\r\n");
            }
            for name in cleared(creds) {
                out.push_str(&format!("set {name}=\r\n"));
            }
        }
        OutForm::Env => {
            check_no_line_breaks(&vars)?;
            for (name, value) in &vars {
                out.push_str(&format!("{name}={value}\n"));
            }
        }
        OutForm::Github => {
            let (masks, lines) = github(creds)?;
            out.push_str(&masks);
            out.push_str(&lines);
        }
        OutForm::Ini => {
            check_no_line_breaks(&vars)?;
            if section.is_empty() || section.contains([']', '\n', '\r']) {
                return Err(OutputError {
                    variable: "section",
                    reason: "a section name must be non-empty, without ']' or line breaks",
                });
            }
            out.push_str(&format!("[{section}]\n"));
            out.push_str(&format!("aws_access_key_id = {}\n", creds.access_key_id()));
            out.push_str(&format!(
                "aws_secret_access_key = {}\n",
                creds.secret_access_key().expose()
            ));
            if let Some(token) = creds.session_token() {
                out.push_str(&format!("aws_session_token = {}\n", token.expose()));
            }
        }
        OutForm::Json => {
            let obj = serde_json::Value::Object(credentials_object(creds));
            out = serde_json::to_string_pretty(&obj).unwrap_or_default();
            out.push('\n');
        }
    }
    Ok(out)
}

/// GitHub Actions: the `::add-mask::` commands for the secrets (for the step's stdout,
/// where the runner reads them) and the `NAME=value` lines (for the `$GITHUB_ENV` file).
pub fn github(creds: &Credentials) -> Result<(String, String), OutputError> {
    let vars = credential_variables(creds);
    check_no_line_breaks(&vars)?;
    let mut masks = String::new();
    let mut lines = String::new();
    for (name, value) in &vars {
        if matches!(*name, "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN") {
            masks.push_str(&format!("::add-mask::{value}\n"));
        }
        lines.push_str(&format!("{name}={value}\n"));
    }
    // `$GITHUB_ENV` cannot unset a variable an earlier step set: an empty value is read
    // as unset by botocore, the SDKs and aws-login.
    for name in cleared(creds) {
        lines.push_str(&format!("{name}=\n"));
    }
    Ok((masks, lines))
}

/// The JSON a `credential_process` prints: `Version: 1`, the keys, and `Expiration`
/// whenever the credentials expire, so that SDKs refresh them in time.
pub fn credential_process_json(creds: &Credentials) -> String {
    let mut obj = credentials_object(creds);
    obj.insert("Version".into(), 1.into());
    let mut out = serde_json::to_string(&serde_json::Value::Object(obj)).unwrap_or_default();
    out.push('\n');
    out
}

/// The JSON a container credentials endpoint answers (as ECS and EKS Pod Identity do):
/// `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`. `None` for credentials without
/// a session token or an expiry, which the SDKs' container providers refuse.
pub fn container_credentials_json(creds: &Credentials) -> Option<String> {
    let token = creds.session_token()?;
    let expiration = creds.expiration()?;
    let json = serde_json::json!({
        "AccessKeyId": creds.access_key_id(),
        "SecretAccessKey": creds.secret_access_key().expose(),
        "Token": token.expose(),
        "Expiration": rfc3339(expiration),
    });
    Some(json.to_string())
}

/// `AccessKeyId`, `SecretAccessKey`, and `SessionToken` and `Expiration` when there are,
/// as STS and credential_process name them.
fn credentials_object(creds: &Credentials) -> serde_json::Map<String, serde_json::Value> {
    let mut obj = serde_json::Map::new();
    obj.insert("AccessKeyId".into(), creds.access_key_id().into());
    obj.insert(
        "SecretAccessKey".into(),
        creds.secret_access_key().expose().into(),
    );
    if let Some(token) = creds.session_token() {
        obj.insert("SessionToken".into(), token.expose().into());
    }
    if let Some(expiration) = creds.expiration() {
        obj.insert("Expiration".into(), rfc3339(expiration).into());
    }
    obj
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretString;

    #[test]
    fn container_json_needs_a_token_and_an_expiry() {
        let at = DateTime::parse_from_rfc3339("2030-01-02T03:04:05Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let temporary = Credentials::new("ASIA1", "S", Some(SecretString::new("T")), at);
        let json: serde_json::Value =
            serde_json::from_str(&container_credentials_json(&temporary).unwrap()).unwrap();
        assert_eq!(json["AccessKeyId"], "ASIA1");
        assert_eq!(json["SecretAccessKey"], "S");
        assert_eq!(json["Token"], "T");
        assert_eq!(json["Expiration"], "2030-01-02T03:04:05Z");
        assert!(container_credentials_json(&Credentials::new("AKIA", "S", None, at)).is_none());
        let no_expiry = Credentials::new("ASIA1", "S", Some(SecretString::new("T")), None);
        assert!(container_credentials_json(&no_expiry).is_none());
    }
}
