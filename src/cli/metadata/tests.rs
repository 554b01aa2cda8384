//! `metadata`'s pure parts: paths, listings, answers.
use super::*;

#[test]
fn paths_are_resolved_under_latest() {
    for (arg, want) in [
        (None, "meta-data/"),
        (Some("instance-id"), "meta-data/instance-id"),
        (Some("placement/region"), "meta-data/placement/region"),
        (
            Some("/latest/meta-data/tags/instance/Name"),
            "meta-data/tags/instance/Name",
        ),
        (Some("latest/user-data"), "user-data"),
        (Some("user-data"), "user-data"),
        (
            Some("dynamic/instance-identity/document"),
            "dynamic/instance-identity/document",
        ),
        (Some("meta-data"), "meta-data/"),
        (Some("iam/"), "meta-data/iam/"),
    ] {
        assert_eq!(resolve_path(arg).unwrap(), want, "{arg:?}");
    }
    let long = "a".repeat(1025);
    for bad in [
        "", "../x", "a/../b", "a b", "x?y", "./x", "a\nb", "%2e%2e/x", "é", "iam//x", &long,
    ] {
        assert!(resolve_path(Some(bad)).is_err(), "{bad:?}");
    }
}

#[test]
fn entries_that_would_steer_a_walk_are_left_out() {
    let listing = "ok\n../user-data\n..\n#frag\nx y\na/b\n%2e\nlist/\n1=key";
    let names: Vec<String> = entries(listing).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["ok", "list", "1"]);
}

#[test]
fn listings_values_and_json() {
    assert_eq!(
        entries("ami-id\nplacement/\npublic-keys/\n0=my-key\n"),
        [
            ("ami-id".to_owned(), "ami-id".to_owned()),
            ("placement".to_owned(), "placement/".to_owned()),
            ("public-keys".to_owned(), "public-keys/".to_owned()),
            ("0".to_owned(), "0/".to_owned()),
        ]
    );
    let text = |a: Answer| match a {
        Answer::Text(t) => t,
        Answer::Bytes(_) => panic!("bytes"),
    };
    assert_eq!(
        text(answer("meta-data/instance-id", b"i-1", false)),
        "i-1\n"
    );
    assert_eq!(text(answer("user-data", b"#!/bin/sh", false)), "#!/bin/sh");
    assert!(matches!(
        answer("user-data", &[0x1f, 0x8b, 0xff], false),
        Answer::Bytes(_)
    ));
    assert_eq!(
        text(answer("meta-data/x", br#"{"a":1}"#, true)),
        "{\n  \"a\": 1\n}\n"
    );
    assert_eq!(text(answer("meta-data/x", b"plain", true)), "\"plain\"\n");
    assert_eq!(
        text(answer("meta-data/", b"a\nb/", true)),
        "[\n  \"a\",\n  \"b/\"\n]\n"
    );
}
