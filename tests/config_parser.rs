//! The shared-file parser from a table: config and credentials text in, the merged
//! profiles (rendered compactly) or the error (file and line) out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use aws_login::config::{SharedConfig, merge, parse};

/// `profile NAME{k=v,...} sso NAME{...} services NAME{...}`, sorted; `\n` as `|`.
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
    out.join(" ")
}

fn run(config: &str, credentials: &str) -> Result<String, String> {
    let c = parse(config, "config").map_err(|e| e.to_string())?;
    let k = parse(credentials, "credentials").map_err(|e| e.to_string())?;
    Ok(render(&merge(&c, &k)))
}

/// (name, config file, credentials file, expected rendering or `ERR:` + error text)
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
        "config section without prefix is ignored",
        "[dev]\nregion = x\n",
        "",
        "",
    ),
    (
        "profile prefix in credentials is not special",
        "",
        "[profile dev]\nk = v\n",
        "",
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
        "",
    ),
    (
        "spaces inside brackets",
        "[ profile dev ]\nk = v",
        "",
        "profile dev{k=v}",
    ),
    (
        "profile default wins over default",
        "[default]\na = 1\nb = 2\n[profile default]\na = 3\n",
        "",
        "profile default{a=3}",
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
        "later duplicate key wins",
        "[default]\nk = 1\nk = 2\n",
        "",
        "profile default{k=2}",
    ),
    (
        "duplicate sections merge",
        "[profile a]\nx = 1\n[profile b]\ny = 2\n[profile a]\nz = 3\n",
        "",
        "profile a{x=1,z=3} profile b{y=2}",
    ),
    (
        "keys are case-insensitive",
        "[default]\nRegion = us-west-2\nREGION = eu-north-1\n",
        "",
        "profile default{region=eu-north-1}",
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
        "comment lines",
        "# top\n; also\n[default]\n# inside\nk = v\n",
        "",
        "profile default{k=v}",
    ),
    (
        "inline comment after whitespace",
        "[default]\nk = v # note\nj = w ; note\n",
        "",
        "profile default{j=w,k=v}",
    ),
    (
        "hash without whitespace stays",
        "[default]\nk = v#not-a-comment\n",
        "",
        "profile default{k=v#not-a-comment}",
    ),
    (
        "comment after a header",
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
        "trailing whitespace trimmed",
        "[default]   \nk = v   \t\n",
        "",
        "profile default{k=v}",
    ),
    (
        "continuation lines join with newlines",
        "[default]\nk = a\n  b\n\tc\n",
        "",
        "profile default{k=a|b|c}",
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
        "sso-session section",
        "[sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n",
        "",
        "sso corp{sso_region=us-east-1,sso_start_url=https://d-1.awsapps.com/start}",
    ),
    (
        "services section",
        "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n",
        "",
        "services local{sts=|endpoint_url = http://127.0.0.1:4566}",
    ),
    (
        "invalid profile name ignored",
        "[profile a b]\nk = v\n[profile ok]\nk = v\n",
        "",
        "profile ok{k=v}",
    ),
    (
        "invalid key ignored",
        "[default]\na b = c\nk = v\n",
        "",
        "profile default{k=v}",
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
        "property before any section",
        "k = v\n",
        "",
        "ERR:config line 1: a property before any [section]",
    ),
    (
        "unclosed header",
        "[default\nk = v\n",
        "",
        "ERR:config line 1: a section header must end with ']'",
    ),
    (
        "line without equals",
        "[default]\njust words\n",
        "",
        "ERR:config line 2: expected 'key = value'",
    ),
    (
        "property without a name",
        "[default]\n= v\n",
        "",
        "ERR:config line 2: a property has no name before '='",
    ),
    (
        "continuation with no property",
        "[default]\n  k = v\n",
        "",
        "ERR:config line 2: an indented line that continues no property",
    ),
    (
        "indented line before any section",
        "  k = v\n",
        "",
        "ERR:config line 1: an indented line before any section",
    ),
    (
        "bad sub-property",
        "[default]\ns3 =\n  not a property\n",
        "",
        "ERR:config line 3: sub-property: expected 'key = value'",
    ),
    (
        "error names the credentials file",
        "",
        "[default]\n???\n",
        "ERR:credentials line 2: expected 'key = value'",
    ),
];

#[test]
fn shared_files_parse_as_the_sdks_specify() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for (name, config, credentials, want) in CASES {
        let got = match run(config, credentials) {
            Ok(rendered) => rendered,
            Err(e) => format!("ERR:{e}"),
        };
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
    let config = parse("[profile dev]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\nec2 =\n  endpoint_url = http://127.0.0.1:4567\n", "c").unwrap();
    let merged = merge(&config, &[]);
    assert_eq!(
        merged.service_endpoint("dev", "sts").as_deref(),
        Some("http://127.0.0.1:4566")
    );
    assert_eq!(merged.service_endpoint("dev", "ssm"), None);
    assert_eq!(merged.service_endpoint("nobody", "sts"), None);
}

#[test]
fn debug_output_redacts_secret_keys() {
    let creds = parse("[default]\naws_access_key_id = AKID\naws_secret_access_key = TOPSECRET\naws_session_token = TOKENVALUE\n", "k").unwrap();
    let merged = merge(&[], &creds);
    let debug = format!("{merged:?}");
    assert!(
        debug.contains("AKID") && !debug.contains("TOPSECRET") && !debug.contains("TOKENVALUE"),
        "{debug}"
    );
}

#[test]
fn paths_come_from_the_environment_with_home_expanded() {
    use aws_login::config::files::paths;
    let env = |k: &str| match k {
        "HOME" => Some("/home/alice".to_owned()),
        "AWS_CONFIG_FILE" => Some("~/custom/config".to_owned()),
        _ => None,
    };
    let (config, credentials) = paths(&env);
    assert_eq!(config.to_str(), Some("/home/alice/custom/config"));
    assert_eq!(credentials.to_str(), Some("/home/alice/.aws/credentials"));
}
