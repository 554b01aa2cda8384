//! `dumpcreds` output read back the way its consumers read it: bash and sh really `eval`
//! the POSIX form; PowerShell, fish and cmd forms are checked by their quoting rules;
//! JSON, credential_process, env, ini and GitHub forms are parsed back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use std::io::Write;
use std::process::{Command, Stdio};

use aws_login::credentials::Credentials;
use aws_login::output::{OutForm, credential_process_json, render};
use aws_login::secret::SecretString;
use chrono::DateTime;

/// Credentials whose secret and token hold every character a shell could trip on.
fn nasty() -> Credentials {
    Credentials::new(
        "ASIA'KEY\"$ID",
        "se'cr\"et $HOME `id` \\n \\' ; & | * ? ~ é ‘’ !x %PATH%",
        Some(SecretString::new("tok'en/+== $(rm -rf /) \\")),
        DateTime::from_timestamp(1_700_000_000, 0),
    )
}

fn run_shell(shell: &str, script: &str) -> Option<Vec<String>> {
    let mut child = Command::new(shell)
        .arg("-s")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .env("AWS_SESSION_TOKEN", "stale")
        .env("AWS_SECURITY_TOKEN", "stale-legacy")
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(script.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    assert!(out.status.success(), "{shell} failed");
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .split('\0')
            .map(str::to_owned)
            .collect(),
    )
}

const PRINT: &str = r#"printf '%s\0' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "${AWS_SESSION_TOKEN-unset}" "$AWS_CREDENTIAL_EXPIRATION" "${AWS_SECURITY_TOKEN-unset}""#;

#[test]
fn posix_shells_eval_the_exports_exactly() {
    let creds = nasty();
    let script = render(OutForm::Linux, &creds, "default").unwrap();
    let mut ran = 0;
    for shell in ["bash", "sh", "dash", "zsh"] {
        let Some(values) = run_shell(shell, &format!("{script}{PRINT}")) else {
            continue;
        };
        ran += 1;
        assert_eq!(values[0], creds.access_key_id(), "{shell}");
        assert_eq!(values[1], creds.secret_access_key().expose(), "{shell}");
        assert_eq!(
            values[2],
            creds.session_token().unwrap().expose(),
            "{shell}"
        );
        assert_eq!(values[3], "2023-11-14T22:13:20Z", "{shell}");
        // The legacy name is read first (botocore's order): a stale one must not stay.
        assert_eq!(values[4], "unset", "{shell}");
    }
    assert!(ran >= 1, "no POSIX shell found to run the test with");
    assert_eq!(render(OutForm::Mac, &creds, "default").unwrap(), script);
}

#[test]
fn static_keys_clear_a_stale_session_token() {
    let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None);
    let script = render(OutForm::Linux, &creds, "default").unwrap();
    let values = run_shell("bash", &format!("{script}{PRINT}")).expect("bash");
    assert_eq!(values[2], "unset");
    assert_eq!(values[4], "unset");
    let ps = render(OutForm::PowerShell, &creds, "default").unwrap();
    assert!(ps.contains("Remove-Item Env:AWS_SESSION_TOKEN"), "{ps}");
    let cmd = render(OutForm::Windows, &creds, "default").unwrap();
    assert!(cmd.contains("set AWS_SESSION_TOKEN=\r\n"), "{cmd}");
    let fish = render(OutForm::Fish, &creds, "default").unwrap();
    assert!(fish.contains("set -e AWS_SESSION_TOKEN"), "{fish}");
    assert!(fish.contains("set -e AWS_SECURITY_TOKEN"), "{fish}");
    assert!(ps.contains("Remove-Item Env:AWS_SECURITY_TOKEN"), "{ps}");
    assert!(cmd.contains("set AWS_SECURITY_TOKEN=\r\n"), "{cmd}");
}

/// Reads a single-quoted PowerShell string starting at `s`: `''` (or a doubled
/// typographic quote) is one quote; returns the value and the rest.
fn powershell_unquote(s: &str) -> (String, &str) {
    let quotes = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    let mut chars = s.char_indices().peekable();
    assert!(quotes.contains(&chars.next().unwrap().1));
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        if quotes.contains(&c) {
            match chars.peek() {
                Some((_, d)) if *d == c => {
                    value.push(c);
                    chars.next();
                }
                _ => return (value, &s[i + c.len_utf8()..]),
            }
        } else {
            value.push(c);
        }
    }
    panic!("unterminated PowerShell string");
}

#[test]
fn powershell_lines_round_trip_by_rule() {
    let creds = nasty();
    let text = render(OutForm::PowerShell, &creds, "default").unwrap();
    let mut got = Vec::new();
    for line in text.lines() {
        if line == "Remove-Item Env:AWS_SECURITY_TOKEN -ErrorAction SilentlyContinue" {
            continue;
        }
        let (name, rest) = line
            .strip_prefix("$Env:")
            .unwrap()
            .split_once(" = ")
            .unwrap();
        let (value, tail) = powershell_unquote(rest);
        assert_eq!(tail, "", "{line}");
        got.push((name.to_owned(), value));
    }
    assert_eq!(
        got[1],
        (
            "AWS_SECRET_ACCESS_KEY".to_owned(),
            creds.secret_access_key().expose().to_owned()
        )
    );
    assert_eq!(got[2].1, creds.session_token().unwrap().expose());
}

#[test]
fn fish_lines_round_trip_by_rule() {
    let creds = nasty();
    let text = render(OutForm::Fish, &creds, "default").unwrap();
    let line = text.lines().nth(1).unwrap();
    let quoted = line
        .strip_prefix("set -gx AWS_SECRET_ACCESS_KEY '")
        .unwrap()
        .strip_suffix('\'')
        .unwrap();
    let mut value = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().unwrap()),
            '\'' => panic!("unescaped quote in {line}"),
            c => value.push(c),
        }
    }
    assert_eq!(value, creds.secret_access_key().expose());
}

#[test]
fn cmd_refuses_what_it_cannot_quote() {
    // The first variable cmd cannot carry is named: here the key id holds a `"`.
    let err = render(OutForm::Windows, &nasty(), "default").unwrap_err();
    assert_eq!(err.variable, "AWS_ACCESS_KEY_ID");
    assert!(!err.to_string().contains("KEY\""), "{err}");
    let percent = Credentials::new("AKID", "100%", None, None);
    let err = render(OutForm::Windows, &percent, "default").unwrap_err();
    assert_eq!(err.variable, "AWS_SECRET_ACCESS_KEY");
    assert!(!err.to_string().contains("100%"), "{err}");
    let plain = Credentials::new("AKID", "a&b|c", Some(SecretString::new("t+/=")), None);
    assert_eq!(
        render(OutForm::Windows, &plain, "default").unwrap(),
        "set \"AWS_ACCESS_KEY_ID=AKID\"\r\nset \"AWS_SECRET_ACCESS_KEY=a&b|c\"\r\nset \"AWS_SESSION_TOKEN=t+/=\"\r\nset AWS_SECURITY_TOKEN=\r\nset AWS_CREDENTIAL_EXPIRATION=\r\n"
    );
}

#[test]
fn json_and_credential_process_parse_back() {
    let creds = nasty();
    let process: serde_json::Value =
        serde_json::from_str(&credential_process_json(&creds)).unwrap();
    assert_eq!(process["Version"], 1);
    assert_eq!(
        process["SecretAccessKey"],
        creds.secret_access_key().expose()
    );
    assert_eq!(
        process["SessionToken"],
        creds.session_token().unwrap().expose()
    );
    assert_eq!(process["Expiration"], "2023-11-14T22:13:20Z");
    let json: serde_json::Value =
        serde_json::from_str(&render(OutForm::Json, &creds, "default").unwrap()).unwrap();
    assert_eq!(json["AccessKeyId"], creds.access_key_id());
    assert!(json.get("Version").is_none());
    let never = Credentials::new("AKID", "s", None, None);
    let process: serde_json::Value =
        serde_json::from_str(&credential_process_json(&never)).unwrap();
    assert!(process.get("Expiration").is_none() && process.get("SessionToken").is_none());
}

#[test]
fn env_ini_and_github_forms() {
    let creds = Credentials::new("AKID", "sec/ret+", Some(SecretString::new("TOKEN==")), None);
    assert_eq!(
        render(OutForm::Env, &creds, "default").unwrap(),
        "AWS_ACCESS_KEY_ID=AKID\nAWS_SECRET_ACCESS_KEY=sec/ret+\nAWS_SESSION_TOKEN=TOKEN==\n"
    );
    assert_eq!(
        render(OutForm::Ini, &creds, "deploy").unwrap(),
        "[deploy]\naws_access_key_id = AKID\naws_secret_access_key = sec/ret+\naws_session_token = TOKEN==\n"
    );
    let gh = render(OutForm::Github, &creds, "default").unwrap();
    let lines: Vec<&str> = gh.lines().collect();
    assert_eq!(&lines[..2], ["::add-mask::sec/ret+", "::add-mask::TOKEN=="]);
    assert!(lines.contains(&"AWS_SESSION_TOKEN=TOKEN=="));
    let broken = Credentials::new("AKID", "two\nlines", None, None);
    for form in [OutForm::Env, OutForm::Ini, OutForm::Github] {
        assert_eq!(
            render(form, &broken, "x").unwrap_err().variable,
            "AWS_SECRET_ACCESS_KEY"
        );
    }
    assert_eq!("PowerShell".parse::<OutForm>(), Ok(OutForm::PowerShell));
    assert!("csv".parse::<OutForm>().unwrap_err().contains("linux, mac"));
}
