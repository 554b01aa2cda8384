//! The shared-file parser from a table: config and credentials text in, the merged
//! profiles and what was skipped or warned about (file, line, what it affects) out, by
//! botocore's rules (Python's configparser, then botocore's configloader).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use aws_login::config::{Affects, SharedConfig, merge, parse};

/// `profile NAME{k=v,...} sso NAME{...} services NAME{...}`, sorted, `\n` as `|`; then
/// each problem as `!file:line:what` (skipped) or `?file:line:what` (warning).
fn render(c: &SharedConfig) -> String {
    let mut out = Vec::new();
    for (kind, map) in [
        ("profile", &c.profiles),
        ("sso", &c.sso_sessions),
        ("services", &c.services),
    ] {
        for (name, section) in map {
            let props: Vec<String> = section
                .keys()
                .map(|k| format!("{k}={}", section.get(k).unwrap().replace('\n', "|")))
                .collect();
            out.push(format!("{kind} {name}{{{}}}", props.join(",")));
        }
    }
    for p in &c.problems {
        let what = match &p.affects {
            Affects::Unknown => "?".to_owned(),
            Affects::Profile(n) => format!("profile {n}"),
            Affects::SsoSession(n) => format!("sso {n}"),
            Affects::Services(n) => format!("services {n}"),
            Affects::Other(n) => format!("other {n}"),
        };
        let mark = if p.skipped { '!' } else { '?' };
        out.push(format!("{mark}{}:{}:{what}", p.path, p.line));
    }
    out.join(" ")
}

fn run(config: &[u8], credentials: &[u8]) -> String {
    render(&merge(
        &parse(config, "config"),
        &parse(credentials, "credentials"),
    ))
}

/// (name, config file, credentials file, expected rendering)
const CASES: &[(&str, &str, &str, &str)] = &[
    ("empty files", "", "", ""),
    (
        "default profile",
        "[default]\nregion = us-east-1\n",
        "",
        "profile default{region=us-east-1}",
    ),
    (
        "named profile in config",
        "[profile dev]\nregion=eu-west-1",
        "",
        "profile dev{region=eu-west-1}",
    ),
    (
        "named profile in credentials",
        "",
        "[dev]\naws_access_key_id = AK\n",
        "profile dev{aws_access_key_id=AK}",
    ),
    (
        "config section without prefix is not a profile (a hint for profile dev)",
        "[dev]\nregion = x\n",
        "",
        "?config:1:profile dev",
    ),
    (
        "profile prefix in credentials is part of the name",
        "",
        "[profile dev]\nk = v\n",
        "profile profile dev{k=v} ?credentials:1:profile dev",
    ),
    (
        "several spaces after profile",
        "[profile    dev]\nk = v",
        "",
        "profile dev{k=v}",
    ),
    (
        "tab after profile",
        "[profile\tdev]\nk = v",
        "",
        "profile dev{k=v}",
    ),
    (
        "profile without a space is not a profile",
        "[profiledev]\nk = v",
        "",
        "?config:1:other profiledev",
    ),
    (
        "spaces inside the brackets are part of the name (botocore does not trim)",
        "[ profile dev ]\nk = v",
        "[ dev ]\nk = w",
        "profile  dev {k=w}",
    ),
    (
        "profile default after default replaces it",
        "[default]\na = 1\nb = 2\n[profile default]\na = 3\n",
        "",
        "profile default{a=3} !config:4:profile default",
    ),
    (
        "default after profile default replaces it",
        "[profile default]\na = 3\n[default]\na = 1\nb = 2\n",
        "",
        "profile default{a=1,b=2} !config:3:profile default",
    ),
    (
        "default alone",
        "[default]\na = 1\n",
        "",
        "profile default{a=1}",
    ),
    (
        "credentials override config",
        "[profile dev]\nregion = a\nk = config\n",
        "[dev]\nk = creds\n",
        "profile dev{k=creds,region=a}",
    ),
    (
        "credentials default with config default",
        "[default]\nregion = r\n",
        "[default]\naws_access_key_id = A\n",
        "profile default{aws_access_key_id=A,region=r}",
    ),
    (
        "a repeated key affects its profile",
        "[default]\nk = 1\nk = 2\n",
        "",
        "profile default{k=2} !config:3:profile default",
    ),
    (
        "a repeated section affects its profile",
        "[profile a]\nx = 1\n[profile b]\ny = 2\n[profile a]\nz = 3\n",
        "",
        "profile a{x=1,z=3} profile b{y=2} !config:5:profile a",
    ),
    (
        "keys are case-insensitive",
        "[default]\nRegion = us-west-2\nREGION = eu-north-1\n",
        "",
        "profile default{region=eu-north-1} !config:3:profile default",
    ),
    (
        "profile names keep their case",
        "[profile Dev]\nk = v\n",
        "",
        "profile Dev{k=v}",
    ),
    (
        "no spaces around equals",
        "[default]\nk=v\n",
        "",
        "profile default{k=v}",
    ),
    (
        "equals in value",
        "[default]\nk = a=b==\n",
        "",
        "profile default{k=a=b==}",
    ),
    ("empty value", "[default]\nk =\n", "", "profile default{k=}"),
    (
        "key: value",
        "[default]\naws_access_key_id: AK\nregion :us-east-1\n",
        "",
        "profile default{aws_access_key_id=AK,region=us-east-1}",
    ),
    (
        "the first = or : splits",
        "[default]\nrole_arn = arn:aws:iam::1:role/r\nk: a=b\n",
        "",
        "profile default{k=a=b,role_arn=arn:aws:iam::1:role/r}",
    ),
    (
        "comment lines, indented ones too",
        "# top\n; also\n[default]\n# inside\n    # indented\nk = v\n",
        "",
        "profile default{k=v}",
    ),
    (
        "no comments after a value",
        "[default]\nk = v # note\nj = w ; note\n",
        "",
        "profile default{j=w ; note,k=v # note}",
    ),
    (
        "credential_process keeps its semicolons",
        "[default]\ncredential_process = sh -c 'a ; b' # not a comment\n",
        "",
        "profile default{credential_process=sh -c 'a ; b' # not a comment}",
    ),
    (
        "text after a header's bracket is dropped",
        "[default] # note\nk = v\n",
        "",
        "profile default{k=v}",
    ),
    (
        "comment right after header name",
        "[profile dev]#x\nk = v\n",
        "",
        "profile dev{k=v}",
    ),
    (
        "a header's name ends at its last bracket",
        "",
        "[a]b]\nk = v\n",
        "profile a]b{k=v}",
    ),
    (
        "trailing whitespace trimmed",
        "[default]   \nk = v   \t\n",
        "",
        "profile default{k=v}",
    ),
    (
        "indented properties under a header",
        "[default]\n    aws_access_key_id = AK\n    aws_secret_access_key = SK\n",
        "",
        "profile default{aws_access_key_id=AK,aws_secret_access_key=SK}",
    ),
    (
        "indented properties in the credentials file, tabs too",
        "",
        "[default]\n\taws_access_key_id = AK\n\taws_secret_access_key = SK\n",
        "profile default{aws_access_key_id=AK,aws_secret_access_key=SK}",
    ),
    (
        "an indented header",
        "",
        "\t[default]\n  aws_access_key_id = AK\n",
        "profile default{aws_access_key_id=AK}",
    ),
    (
        "a line indented more than the property above continues it",
        "[default]\n  credential_process = 1\n    b = 2\n  c = 3\n",
        "",
        "profile default{c=3,credential_process=1|b = 2}",
    ),
    (
        "continuation lines join with newlines",
        "[default]\ncredential_process = a\n  b\n\tc\n",
        "",
        "profile default{credential_process=a|b|c}",
    ),
    (
        "a blank line inside a value is kept, trailing ones are not",
        "[default]\ncredential_process = a\n\n  b\n\n\nj = c\n",
        "",
        "profile default{credential_process=a||b,j=c}",
    ),
    (
        "a comment inside a value is dropped",
        "[default]\ncredential_process = a\n  # c\n  b\n",
        "",
        "profile default{credential_process=a|b}",
    ),
    (
        "a one-line setting that goes on over indented lines is left out (it may hold keys)",
        "[default]\nregion = us-east-1\n    aws_access_key_id = AKIA1\n    aws_secret_access_key = SECRETX\nk = v\n",
        "",
        "profile default{k=v} !config:2:profile default",
    ),
    (
        "an indented header under a property: the value is left out, the header named",
        "[default]\nk = a\n  [profile x]\n",
        "",
        "profile default{} !config:2:profile default ?config:3:profile x",
    ),
    (
        "an indented header under a property past a comment and a blank line (the config_model fuzz target's find: configparser keeps blank lines in values)",
        "[default]\rk =  \n # between\n\n [profile x]\n",
        "",
        "profile default{k=||[profile x]} !config:2:profile default ?config:5:profile x",
    ),
    (
        "an indented header whose keys repeat the ones above: the profile is refused",
        "",
        "[default]\naws_access_key_id = ADEF\naws_secret_access_key = SDEF\n\t[dev]\naws_access_key_id = ADEV\naws_secret_access_key = SDEV\n",
        "profile default{aws_access_key_id=ADEV,aws_secret_access_key=SDEV} ?credentials:4:profile dev !credentials:5:profile default !credentials:6:profile default",
    ),
    (
        "a [ line without ] that is a property is one",
        "[default]\naws_access_key_id = A\n[weird = x\naws_secret_access_key = S\n",
        "",
        "profile default{[weird=x,aws_access_key_id=A,aws_secret_access_key=S} !config:3:profile default",
    ),
    (
        "sub-properties",
        "[default]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n",
        "",
        "profile default{s3=|max_concurrent_requests = 20|addressing_style = path}",
    ),
    (
        "blank lines between",
        "\n\n[default]\n\nk = v\n\n",
        "",
        "profile default{k=v}",
    ),
    (
        "windows line endings",
        "[default]\r\nk = v\r\n",
        "",
        "profile default{k=v}",
    ),
    (
        "old Mac line endings",
        "[default]\rk = v\rj = w",
        "",
        "profile default{j=w,k=v}",
    ),
    (
        "a UTF-8 byte-order mark at the start is skipped",
        "\u{feff}[default]\nk = v\n",
        "\u{feff}[dev]\nk = w\n",
        "profile default{k=v} profile dev{k=w}",
    ),
    (
        "a byte-order mark before a later header: the header and its lines are skipped",
        "[profile a]\nk = v\n\u{feff}[profile b]\nx = 1\n",
        "",
        "profile a{k=v} !config:3:? !config:4:?",
    ),
    (
        "sso-session section",
        "[sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n",
        "",
        "sso corp{sso_region=us-east-1,sso_start_url=https://d-1.awsapps.com/start}",
    ),
    (
        "quoted sso-session name",
        "[sso-session \"my sso\"]\nsso_region = us-east-1\n",
        "",
        "sso my sso{sso_region=us-east-1}",
    ),
    (
        "services section",
        "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n",
        "",
        "services local{sts=|endpoint_url = http://127.0.0.1:4566}",
    ),
    (
        "a quoted profile name with spaces",
        "[profile \"My MacBook Pro\"]\nk = v\n[profile 'a b']\nj = w\n[profile c\\ d]\nx = y\n",
        "",
        "profile My MacBook Pro{k=v} profile a b{j=w} profile c d{x=y}",
    ),
    (
        "an unquoted profile name with spaces is not a profile",
        "[profile My MacBook Pro]\nk = v\n[profile ok]\nk = v\n",
        "",
        "profile ok{k=v} ?config:1:other profile My MacBook Pro",
    ),
    (
        "an unclosed quote in a profile name",
        "[profile \"a b]\nk = v\n",
        "",
        "?config:1:other profile \"a b",
    ),
    (
        "credentials-file names are taken as written",
        "",
        "[Foo Bar]\nk = v\n[x\"y]\nk = w\n",
        "profile Foo Bar{k=v} profile x\"y{k=w}",
    ),
    (
        "a section whose name starts with profile (botocore's prefix test)",
        "[profiles dev]\nk = v\n",
        "",
        "profile dev{k=v}",
    ),
    (
        "DEFAULT gives its keys to every section of its file",
        "",
        "[DEFAULT]\nregion = r\n[a]\nk = v\n[b]\nregion = own\n",
        "profile a{k=v,region=r} profile b{region=own}",
    ),
    (
        "any key is kept, one with a space with a warning",
        "[default]\na b = c\nk = v\nrole_arn arn:aws:iam::1:role/r\n",
        "",
        "profile default{a b=c,k=v,role_arn arn=aws:iam::1:role/r} ?config:2:profile default ?config:4:profile default",
    ),
    (
        "unicode value",
        "[default]\nk = café 🐱\n",
        "",
        "profile default{k=café 🐱}",
    ),
    (
        "name characters allowed",
        "[profile a_b-c/d.e%f@g:h+i]\nk = v\n",
        "",
        "profile a_b-c/d.e%f@g:h+i{k=v}",
    ),
    (
        "a property before any section is skipped",
        "k = v\n[default]\nj = w\n",
        "",
        "profile default{j=w} !config:1:?",
    ),
    (
        "an indented line before any section is skipped",
        "  k = v\n",
        "",
        "!config:1:?",
    ),
    (
        "one profile in two spellings: the later wins, and the profile is refused",
        "[profile dev]\naws_access_key_id = A\n[profile \"dev\"]\nrole_arn = r\n[services corp]\nsts =\n  endpoint_url = http://x\n[services \"corp\"]\nec2 =\n  endpoint_url = http://y\n",
        "",
        "profile dev{role_arn=r} services corp{ec2=|endpoint_url = http://y} !config:3:profile dev !config:8:services corp",
    ),
    (
        "an unclosed header skips itself and its lines, whatever it named",
        "[default]\na = 1\n[profile dev\nk = v\n[profile ok]\nb = 2\n",
        "",
        "profile default{a=1} profile ok{b=2} !config:3:? !config:4:?",
    ),
    (
        "an empty header",
        "",
        "[]\nk = v\n",
        "!credentials:1:? !credentials:2:?",
    ),
    (
        "a line without = or : affects its section only",
        "[default]\njust words\nk = v\n[profile b]\nj = w\n",
        "",
        "profile b{j=w} profile default{k=v} !config:2:profile default",
    ),
    (
        "a property without a name",
        "[default]\n= v\n",
        "",
        "profile default{} !config:2:profile default",
    ),
    (
        "a bad sub-property",
        "[default]\ns3 =\n  not a property\n",
        "",
        "profile default{s3=|not a property} !config:2:profile default",
    ),
    (
        "a problem in the credentials file names it",
        "",
        "[default]\n???\n",
        "profile default{} !credentials:2:profile default",
    ),
    (
        "a broken line in DEFAULT affects no one profile",
        "",
        "[DEFAULT]\noops\n[a]\nk = v\n",
        "profile a{k=v} !credentials:2:?",
    ),
];

/// Files that are not UTF-8 text, as bytes: (name, config file, expected rendering).
const BYTE_CASES: &[(&str, &[u8], &str)] = &[
    (
        "a UTF-16 file",
        b"\xff\xfe[\x00d\x00e\x00f\x00a\x00u\x00l\x00t\x00]\x00",
        "!config:0:?",
    ),
    (
        "a line that is not UTF-8 affects its section",
        b"[default]\nk = caf\xe9\n[profile b]\nj = w\n",
        "profile b{j=w} profile default{} !config:2:profile default",
    ),
    (
        "a header that is not UTF-8",
        b"[profile caf\xe9]\nk = v\n[default]\nj = w\n",
        "profile default{j=w} !config:1:? !config:2:?",
    ),
    (
        "a NUL byte",
        b"[default]\nk = v\x00\n",
        "profile default{} !config:2:profile default",
    ),
];

#[test]
fn shared_files_parse_as_botocore_reads_them() {
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for (name, config, credentials, want) in CASES {
        let got = run(config.as_bytes(), credentials.as_bytes());
        if got != *want {
            failures.push(format!("{name}:\n  want {want}\n  got  {got}"));
        }
    }
    for (name, config, want) in BYTE_CASES {
        let got = run(config, b"");
        if got != *want {
            failures.push(format!("{name}:\n  want {want}\n  got  {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn sub_properties_and_service_endpoints_are_read() {
    let config = parse(b"[profile dev]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\nec2 =\n  endpoint_url = http://127.0.0.1:4567\n", "c");
    let merged = merge(&config, &parse(b"", "k"));
    assert_eq!(
        merged.service_endpoint("dev", "sts").as_deref(),
        Some("http://127.0.0.1:4566")
    );
    assert_eq!(merged.service_endpoint("dev", "ssm"), None);
    assert_eq!(merged.service_endpoint("nobody", "sts"), None);
}

#[test]
fn a_line_that_lacks_its_equals_sign_is_never_echoed() {
    // The token's `=` padding is the first delimiter: the "key" is most of the line.
    let file = parse(
        b"[default]\naws_session_token FwoGZXIvYXdzEBYaDHTOKENVALUE==\naws_session_token FwoGZXIvYXdzEBYaDHTOKENVALUE==\n",
        "k",
    );
    let merged = merge(&parse(b"", "c"), &file);
    let shown = format!(
        "{:?} {}",
        merged,
        merged
            .problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert!(!shown.contains("TOKENVALUE"), "{shown}");
    assert!(shown.contains("aws_session_token …"), "{shown}");
}

#[test]
fn debug_output_redacts_secret_keys() {
    let creds = parse(b"[default]\naws_access_key_id = AKID\naws_secret_access_key = TOPSECRET\naws_session_token = TOKENVALUE\naws_security_token = LEGACYTOKEN\n", "k");
    let merged = merge(&parse(b"", "c"), &creds);
    let debug = format!("{merged:?}");
    assert!(
        debug.contains("AKID")
            && !debug.contains("TOPSECRET")
            && !debug.contains("TOKENVALUE")
            && !debug.contains("LEGACYTOKEN"),
        "{debug}"
    );
}

#[test]
fn paths_come_from_the_environment_expanded_as_botocore_does() {
    use aws_login::config::files::{expand_vars, paths};
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    // The user database, as a table: the current user is alice, bob also exists.
    let home_of = |user: Option<&str>| match user {
        None => Some("/home/alice".to_owned()),
        Some("bob") => Some("/home/bob/".to_owned()),
        Some(_) => None,
    };
    let show = |p: Option<std::path::PathBuf>| p.map(|p| p.display().to_string());
    let (config, credentials) = paths(&vars(&[("AWS_CONFIG_FILE", "~/custom/config")]), &home_of);
    assert_eq!(show(config).as_deref(), Some("/home/alice/custom/config"));
    assert_eq!(
        show(credentials).as_deref(),
        Some("/home/alice/.aws/credentials")
    );
    let (config, credentials) = paths(
        &vars(&[
            ("AWS_CONFIG_FILE", "$XDG_CONFIG_HOME/aws/config"),
            ("XDG_CONFIG_HOME", "/etc/xdg"),
            ("AWS_SHARED_CREDENTIALS_FILE", "~bob/creds"),
        ]),
        &home_of,
    );
    assert_eq!(show(config).as_deref(), Some("/etc/xdg/aws/config"));
    assert_eq!(show(credentials).as_deref(), Some("/home/bob/creds"));
    // Set but empty: no file, as botocore reads none.
    let (config, _) = paths(&vars(&[("AWS_CONFIG_FILE", "")]), &home_of);
    assert_eq!(config, None);
    // No home at all: no file, never a folder named `~` under the current one.
    let nowhere = |_: Option<&str>| None;
    let (config, credentials) = paths(&vars(&[]), &nowhere);
    assert_eq!((config, credentials), (None, None));
    let (_, credentials) = paths(
        &vars(&[("AWS_SHARED_CREDENTIALS_FILE", "~nobody-here/x")]),
        &home_of,
    );
    assert_eq!(credentials, None);
    // Python's expandvars: $NAME and ${NAME}; unknown ones stay as written.
    let env = vars(&[("A", "1"), ("B_2", "two")]);
    assert_eq!(
        expand_vars("$A/${B_2}/$C/${D}/$/x$", &env),
        "1/two/$C/${D}/$/x$"
    );
    assert_eq!(expand_vars("${A", &env), "${A");
}
