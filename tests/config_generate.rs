//! `dumpconfig`'s text and its merge, as pure functions: golden files for the generated
//! config (odd account names, duplicates, names equal once sanitised, templates,
//! `--region`, `--target-arn-profiles`), and merges into a hand-written config (comments,
//! continuation lines, `[services]` and another `[sso-session]`, CRLF line endings, no
//! final newline) that change nothing but aws-login's own sections, prune only those, and
//! change nothing the second time. `AWS_LOGIN_UPDATE_GOLDEN=1` rewrites the golden files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use aws_login::config::edit::{MergeError, merge};
use aws_login::config::generate::{
    Assignment, DEFAULT_TEMPLATE, GenerateError, Generated, Options, generate, sanitise,
};

fn assignment(id: &str, name: &str, role: &str) -> Assignment {
    Assignment {
        account_id: id.to_owned(),
        account_name: name.to_owned(),
        email_address: format!("{}@example.com", id),
        role_name: role.to_owned(),
    }
}

/// Accounts as three portal pages would give them, out of order, with odd names.
fn assignments() -> Vec<Assignment> {
    vec![
        assignment("333333333333", "prod", "ReadOnlyAccess"),
        assignment("333333333333", "prod", "AdministratorAccess"),
        assignment("111111111111", "dev team", "AdministratorAccess"),
        assignment("222222222222", "dev-team", "AdministratorAccess"),
        assignment("444444444444", "Shared [EU]; #1", "Power User"),
        assignment("555555555555", "Données Ünicode", "ReadOnlyAccess"),
        assignment("666666666666", "shared", "ReadOnlyAccess"),
        assignment("777777777777", "shared", "ReadOnlyAccess"),
        // The same assignment twice (two pages overlapping): written once.
        assignment("777777777777", "shared", "ReadOnlyAccess"),
    ]
}

fn options() -> Options {
    Options {
        sso_session: "my-sso".into(),
        sso_region: "eu-west-1".into(),
        start_url: Some("https://d-987654321d.awsapps.com/start".into()),
        region: None,
        template: DEFAULT_TEMPLATE.into(),
        target_arns: vec![],
        target_source_profile: None,
    }
}

fn golden(name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/dumpconfig")
        .join(name);
    if std::env::var_os("AWS_LOGIN_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (AWS_LOGIN_UPDATE_GOLDEN=1 writes it)",
            path.display()
        )
    });
    assert_eq!(text, expected, "{name} differs from its golden file");
}

#[test]
fn the_seeds_shape_with_odd_names() {
    let generated = generate(&assignments(), &options()).unwrap();
    golden("default.ini", &generated.render());
    // Stable: the same assignments in another order give the same text.
    let mut reversed = assignments();
    reversed.reverse();
    assert_eq!(
        generate(&reversed, &options()).unwrap().render(),
        generated.render()
    );
}

#[test]
fn templates_region_and_target_profiles() {
    let options = Options {
        region: Some("us-west-2".into()),
        template: "{sso_session}.{account_id}.{role_name}".into(),
        target_arns: vec![
            "arn:aws:iam::999999999999:role/DeployRole".into(),
            "arn:aws:iam::999999999999:role/path/to/AuditRole".into(),
        ],
        target_source_profile: Some("my-sso.333333333333.AdministratorAccess".into()),
        ..options()
    };
    golden(
        "template_region_targets.ini",
        &generate(&assignments(), &options).unwrap().render(),
    );
    let email = Options {
        template: "{account_email}_{role_name}".into(),
        ..self::options()
    };
    let text = generate(&assignments()[..1], &email).unwrap().render();
    assert!(
        text.contains("[profile 333333333333@example.com_ReadOnlyAccess]"),
        "{text}"
    );
}

#[test]
fn bad_templates_targets_and_names_are_refused() {
    let with = |template: &str| Options {
        template: template.into(),
        ..options()
    };
    assert_eq!(
        generate(&assignments(), &with("{account}-{role_name}")),
        Err(GenerateError::UnknownPlaceholder("account".into()))
    );
    assert!(matches!(
        generate(&assignments(), &with("{account_name")),
        Err(GenerateError::BadTemplate(_))
    ));
    let targets = |arn: &str, source: Option<&str>| Options {
        target_arns: vec![arn.into()],
        target_source_profile: source.map(str::to_owned),
        ..options()
    };
    assert!(matches!(
        generate(&assignments(), &targets("arn:aws:iam::1:user/bob", None)),
        Err(GenerateError::NotARoleArn(_))
    ));
    assert!(matches!(
        generate(
            &assignments(),
            &targets("arn:aws:iam::999999999999:role/R", Some("nope"))
        ),
        Err(GenerateError::NoSuchSourceProfile(_))
    ));
    assert_eq!(
        generate(&[], &targets("arn:aws:iam::999999999999:role/R", None)),
        Err(GenerateError::NoSourceProfile)
    );
    assert_eq!(
        sanitise("  a  b [c] #d;e 'f' \"g\" \\h "),
        "a-b-c-d-e-f-g-h"
    );
    assert_eq!(sanitise("Ünïcode-Name"), "Ünïcode-Name");
}

/// A user's own config: comments, a continuation line, sub-properties, a `[services]`
/// section, another `[sso-session]`, a hand-written profile whose name the generator
/// also makes, CRLF line endings and no final newline.
const HAND_WRITTEN: &str = "# my config\r\n[default]\r\nregion = eu-central-1\r\ns3 =\r\n  addressing_style = path\r\n\r\n; work\r\n[profile work]\r\nrole_arn = arn:aws:iam::123456789012:role/Work\r\nsource_profile = default\r\ncredential_process = /usr/bin/helper\r\n   --flag\r\n\r\n[services local]\r\nsts =\r\n  endpoint_url = http://127.0.0.1:4566\r\n\r\n[sso-session other]\r\nsso_start_url = https://other.awsapps.com/start\r\nsso_region = us-east-1\r\n\r\n[profile prod-ReadOnlyAccess]\r\n# written by hand: never touched\r\nsso_session = other\r\nsso_account_id = 333333333333\r\nsso_role_name = ReadOnlyAccess";

fn generated_for(assignments: &[Assignment], region: Option<&str>) -> Generated {
    generate(
        assignments,
        &Options {
            region: region.map(str::to_owned),
            ..options()
        },
    )
    .unwrap()
}

#[test]
fn a_merge_keeps_every_hand_written_byte() {
    let generated = generated_for(&assignments(), None);
    let (merged, report) = merge(HAND_WRITTEN, &generated, false).unwrap();
    // Everything that was there is still there, byte for byte, then what was added.
    assert!(merged.starts_with(HAND_WRITTEN), "{merged:?}");
    let added = &merged[HAND_WRITTEN.len()..];
    assert!(
        added.starts_with(
            "\r\n\r\n# This is your Identity Center portal entry...\r\n[sso-session my-sso]\r\n"
        ),
        "{added:?}"
    );
    assert!(
        !added.replace("\r\n", "").contains('\n'),
        "the file's CRLF line endings"
    );
    assert_eq!(
        report.hand_written,
        ["prod-ReadOnlyAccess (the generated one is prod-ReadOnlyAccess-333333333333)"]
    );
    assert_eq!(
        report.added.len(),
        generated.profiles.len() + 1,
        "the session too"
    );
    golden("merged_crlf.ini", &merged);
    // A second run changes nothing.
    let (again, report) = merge(&merged, &generated, true).unwrap();
    assert_eq!(again, merged);
    assert!(report.added.is_empty() && report.updated.is_empty() && report.pruned.is_empty());
}

#[test]
fn updates_and_prunes_touch_only_generated_sections() {
    let first = generated_for(&assignments(), None);
    let (merged, _) = merge(HAND_WRITTEN, &first, false).unwrap();
    // The user adds a key of their own to a generated profile.
    let merged = merged.replace(
        "[profile prod-AdministratorAccess]\r\n# generated by aws-login dumpconfig (sso-session my-sso)\r\n",
        "[profile prod-AdministratorAccess]\r\n# generated by aws-login dumpconfig (sso-session my-sso)\r\noutput = json\r\n",
    );
    // Later: one account is gone, one role is new, and --region is given.
    let mut now: Vec<Assignment> = assignments()
        .into_iter()
        .filter(|a| a.account_id != "111111111111")
        .collect();
    now.push(assignment("333333333333", "prod", "Billing"));
    let second = generated_for(&now, Some("us-west-2"));

    let (kept, report) = merge(&merged, &second, false).unwrap();
    assert_eq!(report.stale, ["dev-team-AdministratorAccess-111111111111"]);
    assert_eq!(report.added, ["prod-Billing"]);
    assert!(kept.contains("[profile dev-team-AdministratorAccess-111111111111]"));
    // The other dev-team profile keeps its name, though its collision is gone.
    assert!(kept.contains("[profile dev-team-AdministratorAccess-222222222222]"));
    assert!(!kept.contains("[profile dev-team-AdministratorAccess]"));

    let (pruned, report) = merge(&merged, &second, true).unwrap();
    assert_eq!(report.pruned, ["dev-team-AdministratorAccess-111111111111"]);
    assert!(!pruned.contains("111111111111"));
    // The hand-written part is untouched, the user's own key kept, --region set in place
    // of the commented-out line.
    assert!(pruned.starts_with(HAND_WRITTEN), "{pruned:?}");
    assert!(
        pruned.contains("[profile prod-AdministratorAccess]\r\n# generated by aws-login dumpconfig (sso-session my-sso)\r\noutput = json\r\nsso_session = my-sso\r\nsso_account_id = 333333333333\r\nsso_role_name = AdministratorAccess\r\nregion = us-west-2\r\n"),
        "{pruned:?}"
    );
    golden("pruned_crlf.ini", &pruned);
    let (again, _) = merge(&pruned, &second, true).unwrap();
    assert_eq!(again, pruned, "a second run changes nothing");
}

#[test]
fn an_empty_or_lf_file_and_a_conflicting_session() {
    let generated = generated_for(&assignments()[..2], None);
    let (fresh, _) = merge("", &generated, false).unwrap();
    assert_eq!(fresh, generated.render());
    let lf = "[default]\nregion = us-east-1";
    let (merged, _) = merge(lf, &generated, false).unwrap();
    assert!(merged.starts_with("[default]\nregion = us-east-1\n\n# This is your"));
    assert!(!merged.contains('\r'));
    let conflict = "[sso-session my-sso]\nsso_start_url = https://else.awsapps.com/start\n";
    assert_eq!(
        merge(conflict, &generated, false),
        Err(MergeError::SessionConflict {
            name: "my-sso".into(),
            existing: "https://else.awsapps.com/start".into()
        })
    );
    // The same start URL by hand: kept as it is, profiles added.
    let same = "[sso-session my-sso]\nsso_start_url = https://d-987654321d.awsapps.com/start/\nsso_region = eu-west-1\n";
    let (merged, report) = merge(same, &generated, false).unwrap();
    assert!(merged.starts_with(same));
    assert_eq!(report.hand_written, ["sso-session my-sso"]);
}
