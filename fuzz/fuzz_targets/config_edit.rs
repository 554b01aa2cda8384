//! The config editors on any text: `aws-login login`'s `set_profile_keys`, `dumpcreds
//! --write-profile`'s `set_credentials_keys` and `dumpconfig --merge`'s `merge`. No panic; a second edit changes nothing; and a merge
//! into a file aws-login never wrote (no marker comment) keeps every byte of it: the
//! result starts with the file as it was.
#![no_main]

use aws_login::config::edit::{merge, set_credentials_keys, set_profile_keys};
use aws_login::config::generate::{Assignment, Generated, MARKER_PREFIX, Options, generate};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// What `dumpconfig` would generate for two assignments.
fn generated() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(|| {
        let assignment = |account: &str, role: &str| Assignment {
            account_id: account.into(),
            account_name: format!("acct {account}"),
            email_address: "a@example.com".into(),
            role_name: role.into(),
        };
        let options = Options {
            sso_session: "corp".into(),
            sso_region: "us-east-1".into(),
            start_url: Some("https://d-1234567890.awsapps.com/start".into()),
            region: None,
            template: "{account_name}-{role_name}".into(),
            target_arns: vec![],
            target_source_profile: None,
        };
        let assignments = [
            assignment("111122223333", "Admin"),
            assignment("444455556666", "ReadOnly"),
        ];
        generate(&assignments, &options).expect("the fixed assignments generate")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let keys = [
        ("login_session", "arn:aws:iam::1:user/x"),
        ("region", "eu-west-1"),
    ];
    let (once, _) = set_profile_keys(text, "fuzz", &keys);
    let (twice, changed) = set_profile_keys(&once, "fuzz", &keys);
    assert_eq!(once, twice, "a second edit changed the text");
    assert!(!changed, "a second edit says it changed something");
    // The same for the credentials file's `[NAME]` sections (`dumpcreds --write-profile`).
    let (once, _) = set_credentials_keys(text, "fuzz", &keys);
    let (twice, changed) = set_credentials_keys(&once, "fuzz", &keys);
    assert_eq!(once, twice, "a second credentials edit changed the text");
    assert!(
        !changed,
        "a second credentials edit says it changed something"
    );

    let generated = generated();
    if let Ok((merged, _)) = merge(text, generated, false) {
        if !text.contains(MARKER_PREFIX) {
            assert!(
                merged.starts_with(text),
                "a merge changed bytes it does not own"
            );
        }
        let (again, report) = merge(&merged, generated, false).expect("a merged file merges again");
        assert_eq!(merged, again, "a second merge changed the text");
        assert!(
            report.added.is_empty() && report.updated.is_empty(),
            "{report:?}"
        );
    }
});
