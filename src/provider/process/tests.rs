//! credential_process: splitting, output, the time limit and the helpers it leaves.
use super::*;

#[test]
fn splits_as_botocore_does_without_running_a_shell() {
    let ok = |line: &str| split(line).unwrap();
    assert_eq!(
        ok("aws-login dumpcreds --credential-helper"),
        ["aws-login", "dumpcreds", "--credential-helper"]
    );
    assert_eq!(
        ok("  a\t'b c'  \"d \\\"e\\\" $f\" g\\ h "),
        ["a", "b c", "d \"e\" $f", "g h"]
    );
    assert_eq!(
        ok("'/path with space/bin' --x=\"1 2\""),
        ["/path with space/bin", "--x=1 2"]
    );
    assert_eq!(ok("a''b \"\""), ["ab", ""]);
    assert_eq!(ok("echo \"\\n\""), ["echo", "\\n"]);
    // Python's shlex keeps a backslash before `$` inside double quotes.
    assert_eq!(ok("echo \"\\$HOME\""), ["echo", "\\$HOME"]);
    assert!(split("a 'b").is_err());
    assert!(split("a \"b").is_err());
    assert!(split("   ").is_err());
}

#[test]
fn reads_version_1_json() {
    let c = parse_output(br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","SessionToken":"T","Expiration":"2030-01-02T03:04:05Z"}"#).unwrap();
    assert_eq!(c.access_key_id(), "AK");
    assert_eq!(c.session_token().unwrap().expose(), "T");
    assert_eq!(c.expiration().map(|e| e.timestamp()), Some(1_893_553_445));
    let c = parse_output(br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK"}"#).unwrap();
    assert!(c.session_token().is_none() && c.expiration().is_none());
    for (bad, why) in [
        (&b"nope"[..], "not JSON"),
        (br#"{"AccessKeyId":"AK","SecretAccessKey":"SK"}"#, "no Version"),
        (br#"{"Version":2,"AccessKeyId":"AK","SecretAccessKey":"SK"}"#, "Version is not 1"),
        (br#"{"Version":1,"SecretAccessKey":"TOPSECRET"}"#, "no AccessKeyId"),
        (br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"TOPSECRET","Expiration":"soon"}"#, "RFC 3339"),
    ] {
        let err = parse_output(bad).unwrap_err().to_string();
        assert!(err.contains(why) && !err.contains("TOPSECRET"), "{err}");
    }
}

#[tokio::test]
async fn a_process_that_hangs_is_stopped_at_the_timeout() {
    let options = Options {
        timeout: Some(Duration::from_millis(200)),
        ..Options::default()
    };
    let err = run("/bin/sh -c 'exec sleep 30'", &options)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProcessError::Timeout { exited: false, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("/bin/sh"), "{err}");
}

#[tokio::test]
async fn a_process_that_floods_is_stopped_at_once() {
    let options = Options {
        timeout: Some(Duration::from_secs(3600)),
        ..Options::default()
    };
    let err = run(
        "/bin/sh -c 'while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done'",
        &options,
    )
    .await
    .unwrap_err();
    let ProcessError::TooMuchOutput { read, .. } = err else {
        panic!("{err:?}");
    };
    assert!(
        read > MAX_OUTPUT && read <= MAX_OUTPUT + 64 * 1024,
        "{read}"
    );
}

#[test]
fn the_chain_refuses_the_same_step_and_nesting_past_the_limit() {
    let env = |value: String| move |k: &str| (k == CHAIN_VARIABLE).then(|| value.clone());
    let outer = Chain::default();
    assert!(
        outer
            .check("loop", "aws-login dumpcreds --credential-helper", 0)
            .is_ok()
    );
    let inner = Chain::from_env(&env(outer.child_value(
        "loop",
        "aws-login dumpcreds --credential-helper",
        "r1",
    )));
    let err = inner
        .check("loop", "aws-login dumpcreds --credential-helper", 0)
        .unwrap_err();
    assert!(
        matches!(&err, ProcessError::Recursion { chain, .. } if chain == &["loop", "loop"]),
        "{err:?}"
    );
    assert!(err.to_string().contains("without end"), "{err}");
    // Another profile, or another command for the same profile, is not a loop.
    assert!(
        inner
            .check("base", "aws-login dumpcreds --credential-helper", 0)
            .is_ok()
    );
    assert!(inner.check("loop", "other-helper", 0).is_ok());
    let mut deep = Chain::default();
    for i in 0..MAX_DEPTH {
        deep = Chain::from_env(&env(deep.child_value(&format!("p{i}"), "x", "r")));
    }
    assert!(matches!(
        deep.check("q", "y", 0),
        Err(ProcessError::TooDeep { .. })
    ));
    assert_eq!(Chain::from_env(&env("not json".into())), Chain::default());
    // A chain emptied by `env -i` still stops at the depth aws-login sees above it.
    assert!(matches!(
        Chain::default().check("q", "y", MAX_DEPTH),
        Err(ProcessError::TooDeep { .. })
    ));
}

#[test]
fn the_time_limit_comes_from_the_environment() {
    let env = |v: &'static str| move |k: &str| (k == TIMEOUT_VARIABLE).then(|| v.to_owned());
    assert_eq!(timeout_from_env(&|_| None).unwrap(), None);
    assert_eq!(
        timeout_from_env(&env("2.5")).unwrap(),
        Some(Duration::from_millis(2500))
    );
    for bad in ["0", "-1", "soon", "inf"] {
        assert!(timeout_from_env(&env(bad)).is_err(), "{bad}");
    }
}
