//! No secret anywhere: a distinct secret is planted in every input that can hold one
//! (secret keys, session tokens, SSO access and refresh tokens, the client secret, the
//! DPoP key, console sign-in refresh tokens, MFA codes, the container endpoint's token,
//! `credential_process` output) and in every answer of the fakes (role, SSO, OIDC,
//! sign-in, container and instance credentials, the federation sign-in token). Each command runs
//! with the debug trace on (`AWS_LOGIN_DEBUG=1`); its stderr must hold none of them, and
//! its stdout only what the user asked that command for. Errors, the console link's
//! command, and a panic are swept the same way.

use crate::common;

use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;

use common::homes::{SsoSecrets, login_session_home, sso_home};
use common::mock::{Answer, Request, reply, serve_with};
use common::{aws_login_command, stderr, text};

const SECRET_KEY: &str = "PLANTEDsecretAccessKey01";
const SESSION_TOKEN: &str = "PLANTEDsessionToken02";
const SSO_ACCESS: &str = "PLANTEDssoAccessToken03";
const SSO_REFRESH: &str = "PLANTEDssoRefreshToken04";
const CLIENT_SECRET: &str = "PLANTEDclientSecret05";
const LOGIN_REFRESH: &str = "PLANTEDloginRefresh06";
const LOGIN_SECRET: &str = "PLANTEDloginSecretKey07";
const CONTAINER_TOKEN: &str = "PLANTEDcontainerToken08";
const MFA_CODE: &str = "918273";
const PROCESS_SECRET: &str = "PLANTEDprocessSecret09";
const ROLE_SECRET: &str = "PLANTEDroleSecret10";
const ROLE_TOKEN: &str = "PLANTEDroleToken11";
const SSO_ROLE_SECRET: &str = "PLANTEDssoRoleSecret12";
const SSO_ROLE_TOKEN: &str = "PLANTEDssoRoleToken13";
const NEW_SSO_ACCESS: &str = "PLANTEDnewSsoAccess14";
const NEW_SSO_REFRESH: &str = "PLANTEDnewSsoRefresh15";
const NEW_LOGIN_SECRET: &str = "PLANTEDnewLoginSecret16";
const NEW_LOGIN_REFRESH: &str = "PLANTEDnewLoginRefresh17";
const SIGNIN_TOKEN: &str = "PLANTEDsigninToken18";
const CONTAINER_SECRET: &str = "PLANTEDcontainerSecret19";
const PANIC_TEXT: &str = "PLANTEDpanicText20";
const IMDS_SECRET: &str = "PLANTEDimdsSecret21";

/// Every planted secret, and the DPoP key's PEM lines.
fn all_secrets() -> Vec<String> {
    let mut all: Vec<String> = [
        SECRET_KEY,
        SESSION_TOKEN,
        SSO_ACCESS,
        SSO_REFRESH,
        CLIENT_SECRET,
        LOGIN_REFRESH,
        LOGIN_SECRET,
        CONTAINER_TOKEN,
        MFA_CODE,
        PROCESS_SECRET,
        ROLE_SECRET,
        ROLE_TOKEN,
        SSO_ROLE_SECRET,
        SSO_ROLE_TOKEN,
        NEW_SSO_ACCESS,
        NEW_SSO_REFRESH,
        NEW_LOGIN_SECRET,
        NEW_LOGIN_REFRESH,
        SIGNIN_TOKEN,
        CONTAINER_SECRET,
        PANIC_TEXT,
        IMDS_SECRET,
    ]
    .map(str::to_owned)
    .to_vec();
    all.extend(
        common::homes::dpop_pem()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::to_owned),
    );
    all
}

fn role_credentials(action: &str) -> String {
    format!(
        "<{action}Response><{action}Result><AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser><FederatedUser><Arn>arn:aws:sts::111122223333:federated-user/f</Arn><FederatedUserId>111122223333:f</FederatedUserId></FederatedUser><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>{ROLE_SECRET}</SecretAccessKey><SessionToken>{ROLE_TOKEN}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></{action}Result></{action}Response>"
    )
}

/// One fake for every service: STS (by Action), the SSO portal, OIDC, sign-in, the
/// console federation endpoint and a container endpoint. Its answers carry the planted
/// answer secrets; `credential_process` fails on purpose with `bad-process`.
fn fake(req: &Request) -> Answer {
    let json =
        |status, body: String| reply(status, &body).with_header("content-type", "application/json");
    match (req.method(), req.path()) {
        ("POST", "/") => match req.decoded_form().get("Action").map(String::as_str) {
            Some("GetCallerIdentity") => reply(
                200,
                "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:user/u</Arn><UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
            ),
            Some(action @ ("AssumeRole" | "GetSessionToken" | "GetFederationToken")) => {
                reply(200, &role_credentials(action))
            }
            _ => reply(
                400,
                "<ErrorResponse><Error><Code>InvalidAction</Code><Message>no</Message></Error></ErrorResponse>",
            ),
        },
        ("GET", "/federation/credentials") => json(
            200,
            format!(
                r#"{{"roleCredentials":{{"accessKeyId":"ASIASSO","secretAccessKey":"{SSO_ROLE_SECRET}","sessionToken":"{SSO_ROLE_TOKEN}","expiration":4102444800000}}}}"#
            ),
        ),
        ("POST", "/token") => json(
            200,
            format!(
                r#"{{"accessToken":"{NEW_SSO_ACCESS}","tokenType":"Bearer","expiresIn":28800,"refreshToken":"{NEW_SSO_REFRESH}"}}"#
            ),
        ),
        ("POST", "/v1/token") => json(
            200,
            format!(
                r#"{{"accessToken":{{"accessKeyId":"ASIANEW","secretAccessKey":"{NEW_LOGIN_SECRET}","sessionToken":"NEWTOKEN"}},"tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"{NEW_LOGIN_REFRESH}"}}"#
            ),
        ),
        ("GET", "/federation") => json(200, format!(r#"{{"SigninToken":"{SIGNIN_TOKEN}"}}"#)),
        ("PUT", "/latest/api/token") => reply(200, "IMDS-TOKEN"),
        ("GET", "/latest/meta-data/") => reply(200, "iam/\ninstance-id"),
        ("GET", "/latest/meta-data/instance-id") => reply(200, "i-1"),
        ("GET", "/latest/meta-data/iam/") => reply(200, "security-credentials/"),
        ("GET", "/latest/meta-data/iam/security-credentials/") => reply(200, "r"),
        ("GET", "/latest/meta-data/iam/security-credentials/r") => reply(
            200,
            &format!(
                r#"{{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"{IMDS_SECRET}","Token":"T","Expiration":"2099-01-01T00:00:00Z"}}"#
            ),
        ),
        ("GET", "/creds") if req.header("authorization") == Some(CONTAINER_TOKEN) => json(
            200,
            format!(
                r#"{{"AccessKeyId":"ASIACONT","SecretAccessKey":"{CONTAINER_SECRET}","Token":"T","Expiration":"2099-01-01T00:00:00Z"}}"#
            ),
        ),
        _ => reply(404, ""),
    }
}

/// What a command may print on stdout: the secrets it was asked for.
struct Case {
    name: &'static str,
    args: Vec<String>,
    /// The inputs: `keys` (long-term keys and a session token in the environment),
    /// `sso`, `sso-expired`, `login`, `container`, `process`, `none`.
    inputs: &'static str,
    /// Secrets stdout may hold (what the command exists to print).
    stdout_may_hold: &'static [&'static str],
    /// Whether it must succeed (`false`: an error path, which must still be clean).
    succeeds: bool,
}

fn case(
    name: &'static str,
    args: &[&str],
    inputs: &'static str,
    stdout_may_hold: &'static [&'static str],
    succeeds: bool,
) -> Case {
    Case {
        name,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        inputs,
        stdout_may_hold,
        succeeds,
    }
}

fn command(case: &Case, addr: SocketAddr, dir: &Path) -> tokio::process::Command {
    let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
    let mut cmd = aws_login_command(&args);
    let url = format!("http://{addr}");
    cmd.env("AWS_LOGIN_DEBUG", "1")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", &url)
        .env("AWS_ENDPOINT_URL_SSO", &url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &url)
        .env("AWS_ENDPOINT_URL_SIGNIN", &url)
        .env("AWS_LOGIN_BROWSER", "/bin/false %s")
        .env("HOME", dir);
    let sso = |minutes| {
        let secrets = SsoSecrets {
            access_token: SSO_ACCESS,
            refresh_token: SSO_REFRESH,
            client_secret: CLIENT_SECRET,
        };
        sso_home(dir, minutes, &secrets);
    };
    match case.inputs {
        "keys" => {
            cmd.env("AWS_ACCESS_KEY_ID", "AKIAPLANTED")
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                .env("AWS_SESSION_TOKEN", SESSION_TOKEN);
        }
        "long-term-keys" => {
            cmd.env("AWS_ACCESS_KEY_ID", "AKIAPLANTED")
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        }
        "sso" | "sso-expired" => {
            sso(if case.inputs == "sso" { 60 } else { -5 });
            cmd.env_remove("AWS_CONFIG_FILE").env("AWS_PROFILE", "dev");
        }
        "login" => {
            let (config, cache) = login_session_home(dir, 2, LOGIN_REFRESH, LOGIN_SECRET);
            cmd.env("AWS_CONFIG_FILE", config)
                .env("AWS_LOGIN_CACHE_DIRECTORY", cache)
                .env("AWS_PROFILE", "dev");
        }
        "container" => {
            cmd.env("AWS_CONTAINER_CREDENTIALS_FULL_URI", format!("{url}/creds"))
                .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN);
        }
        "process" => {
            // Valid JSON with a secret, and an expiry that cannot be read: an error that
            // must not quote the output.
            let script = dir.join("helper.sh");
            std::fs::write(
                &script,
                format!("printf '{{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"{PROCESS_SECRET}\",\"Expiration\":\"soon {PROCESS_SECRET}\"}}'\n"),
            )
            .unwrap();
            let config = dir.join("config");
            std::fs::write(
                &config,
                format!(
                    "[default]\ncredential_process = /bin/sh {}\n",
                    script.display()
                ),
            )
            .unwrap();
            cmd.env("AWS_CONFIG_FILE", config);
        }
        "keys-write" => {
            cmd.env("AWS_ACCESS_KEY_ID", "AKIAPLANTED")
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
                .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));
        }
        "imds" => {
            cmd.env_remove("AWS_EC2_METADATA_DISABLED")
                .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url);
        }
        "panic" => {
            cmd.env("AWS_LOGIN_TEST_PANIC", format!("formatting {PANIC_TEXT}"))
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        }
        _ => {}
    }
    cmd
}

#[tokio::test]
async fn no_command_shows_a_secret_it_was_not_asked_for() {
    let (_, addr) = serve_with(fake).await;
    let role = "arn:aws:iam::111122223333:role/r";
    let mfa = "arn:aws:iam::111122223333:mfa/u";
    let dir_for_runas = tempfile::tempdir().unwrap();
    let child_saw = dir_for_runas.path().join("child-token");
    let save_token = format!(
        "printf %s \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" > {}",
        child_saw.display()
    );
    let request_url = format!("http://{addr}/");
    let cases = vec![
        case(
            "getcallerid, keys and a session token",
            &["getcallerid"],
            "keys",
            &[],
            true,
        ),
        case(
            "getcallerid, a role with MFA",
            &[
                "getcallerid",
                "--assume-roles",
                role,
                "--mfa-serial",
                mfa,
                "--token-code",
                MFA_CODE,
            ],
            "long-term-keys",
            &[],
            true,
        ),
        case(
            "getcallerid, GetSessionToken with MFA",
            &[
                "getcallerid",
                "--get-session-token",
                "--mfa-serial",
                mfa,
                "--token-code",
                MFA_CODE,
            ],
            "long-term-keys",
            &[],
            true,
        ),
        case(
            "getcallerid, GetFederationToken",
            &["getcallerid", "--get-federation-token"],
            "long-term-keys",
            &[],
            true,
        ),
        case("getcallerid, SSO", &["getcallerid"], "sso", &[], true),
        case(
            "getcallerid, SSO refreshed",
            &["getcallerid"],
            "sso-expired",
            &[],
            true,
        ),
        case(
            "getcallerid, console sign-in session refreshed",
            &["getcallerid"],
            "login",
            &[],
            true,
        ),
        case(
            "getcallerid, container endpoint",
            &["getcallerid"],
            "container",
            &[],
            true,
        ),
        case(
            "getcallerid, credential_process output refused",
            &["getcallerid"],
            "process",
            &[],
            false,
        ),
        case(
            "dumpcreds, keys",
            &["dumpcreds"],
            "keys",
            &[SECRET_KEY, SESSION_TOKEN],
            true,
        ),
        case(
            "dumpcreds, a role with MFA",
            &[
                "dumpcreds",
                "--assume-roles",
                role,
                "--mfa-serial",
                mfa,
                "--token-code",
                MFA_CODE,
            ],
            "long-term-keys",
            &[ROLE_SECRET, ROLE_TOKEN],
            true,
        ),
        case(
            "dumpcreds, SSO",
            &["dumpcreds"],
            "sso",
            &[SSO_ROLE_SECRET, SSO_ROLE_TOKEN],
            true,
        ),
        case(
            "dumpcreds, console sign-in session",
            &["dumpcreds"],
            "login",
            &[NEW_LOGIN_SECRET],
            true,
        ),
        case(
            "dumpcreds, container",
            &["dumpcreds"],
            "container",
            &[CONTAINER_SECRET],
            true,
        ),
        case(
            "console --no-browser, keys",
            &["console", "--no-browser"],
            "keys",
            &[SIGNIN_TOKEN],
            true,
        ),
        // The link goes to stdout when the browser fails; stderr says why, without it.
        case(
            "console with a browser that fails",
            &["console"],
            "keys",
            &[SIGNIN_TOKEN],
            true,
        ),
        case(
            "presign, keys",
            &["presign", "https://examplebucket.s3.amazonaws.com/k"],
            "keys",
            &[SESSION_TOKEN],
            true,
        ),
        case(
            "request -v, keys",
            &[
                "request",
                "-v",
                "--service",
                "sts",
                "-d",
                "Action=GetCallerIdentity&Version=2011-06-15",
                &request_url,
            ],
            "keys",
            &[],
            true,
        ),
        case(
            "runas, a role",
            &["runas", "--assume-roles", role, "--", "true"],
            "keys",
            &[],
            true,
        ),
        case(
            "runas --credentials-server",
            &[
                "runas",
                "--credentials-server",
                "--assume-roles",
                role,
                "-c",
                &save_token,
            ],
            "long-term-keys",
            &[],
            true,
        ),
        case(
            "dumpcreds --write-profile: the file has them, the terminal not",
            &["dumpcreds", "--write-profile", "swept"],
            "keys-write",
            &[],
            true,
        ),
        case(
            "metadata --recursive walks past the instance role's credentials",
            &["metadata", "--recursive", "--json", "meta-data/"],
            "imds",
            &[],
            true,
        ),
        case("a panic", &["getcallerid"], "panic", &[], false),
    ];
    let mut failures = Vec::new();
    let secrets = all_secrets();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let out = command(case, addr, dir.path()).output().await.unwrap();
        let (out_text, err_text) = (text(&out.stdout), stderr(&out));
        if out.status.success() != case.succeeds {
            failures.push(format!(
                "{}: exit {:?}\n{err_text}",
                case.name,
                out.status.code()
            ));
        }
        if out.status.signal().is_some() {
            failures.push(format!(
                "{}: killed by signal {:?}",
                case.name,
                out.status.signal()
            ));
        }
        for secret in &secrets {
            if err_text.contains(secret.as_str()) {
                failures.push(format!("{}: stderr shows {secret}\n{err_text}", case.name));
            }
            if out_text.contains(secret.as_str())
                && !case.stdout_may_hold.contains(&secret.as_str())
            {
                failures.push(format!("{}: stdout shows {secret}\n{out_text}", case.name));
            }
        }
        for wanted in case.stdout_may_hold {
            // What the command is for is there: the sweep looks at real output.
            if !out_text.contains(wanted) {
                failures.push(format!(
                    "{}: stdout lacks what was asked for\n{out_text}",
                    case.name
                ));
            }
        }
        if case.name.starts_with("runas --credentials-server") {
            let token = std::fs::read_to_string(&child_saw).unwrap_or_default();
            if token.len() < 16 {
                failures.push(format!("{}: the program got no endpoint token", case.name));
            } else if err_text.contains(&token) || out_text.contains(&token) {
                failures.push(format!("{}: the endpoint's token was shown", case.name));
            }
        }
        if case.inputs == "panic"
            && (out.status.code() != Some(101) || !err_text.contains("internal error"))
        {
            failures.push(format!(
                "{}: {:?}\n{err_text}",
                case.name,
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
