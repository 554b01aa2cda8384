//! The credential plan from a table: environment and shared files in, the plan (base and
//! role hops, rendered) or the error out, in the AWS CLI's (botocore's) order.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use aws_login::config::{FileKind, merge, parse};
use aws_login::provider::plan::{Base, Hop, Origin, PlanError, SsoSource, plan};

/// (name, config, credentials, env, profile, named, flag, expected plan or `ERR:` text)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    bool,
    bool,
    &'static str,
);

const KEYS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIAENV"),
    ("AWS_SECRET_ACCESS_KEY", "s"),
];
const NONE: &[(&str, &str)] = &[];
/// No instance metadata: the chain's end is "no credentials".
const NO_IMDS: &[(&str, &str)] = &[("AWS_EC2_METADATA_DISABLED", "true")];
const WEB_ENV: &[(&str, &str)] = &[
    ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
    ("AWS_ROLE_ARN", "arn:aws:iam::1:role/eks"),
];

const CASES: &[Case] = &[
    (
        "IMDS as the last resort",
        "",
        "",
        NONE,
        "default",
        false,
        false,
        "the instance metadata service (IMDSv2)",
    ),
    (
        "IMDS after an empty named profile",
        "[profile e]\nregion = us-east-1\n",
        "",
        NONE,
        "e",
        true,
        false,
        "the instance metadata service (IMDSv2)",
    ),
    (
        "container before IMDS",
        "",
        "",
        &[(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/x",
        )],
        "default",
        false,
        false,
        "the container credentials endpoint",
    ),
    (
        "profile keys before the container",
        "",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/x")],
        "default",
        false,
        false,
        "keys of profile \"default\"",
    ),
    (
        "credential_source EcsContainer",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = EcsContainer\n",
        "",
        NONE,
        "a",
        true,
        false,
        "the container credentials endpoint -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "environment keys",
        "",
        "",
        KEYS,
        "default",
        false,
        false,
        "environment variables",
    ),
    (
        "environment keys over AWS_PROFILE",
        "",
        "[dev]\naws_access_key_id = A\naws_secret_access_key = s\n",
        KEYS,
        "dev",
        true,
        false,
        "environment variables",
    ),
    (
        "--profile over environment keys",
        "",
        "[dev]\naws_access_key_id = A\naws_secret_access_key = s\n",
        KEYS,
        "dev",
        true,
        true,
        "keys of profile \"dev\"",
    ),
    (
        "default profile keys",
        "",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "default",
        false,
        false,
        "keys of profile \"default\"",
    ),
    (
        "keys in the config file",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        "",
        NONE,
        "default",
        false,
        false,
        "keys of profile \"default\"",
    ),
    (
        "three-deep role chain",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n",
        "[c]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "a",
        true,
        false,
        "keys of profile \"c\" -> AssumeRole arn:aws:iam::1:role/b (profile \"b\") -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "cycle",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
        "",
        NONE,
        "a",
        true,
        false,
        "ERR:source_profile links loop: a -> b -> a",
    ),
    (
        "self source with keys",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\n",
        "[a]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "a",
        true,
        false,
        "keys of profile \"a\" -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "self source without keys is a cycle",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\n",
        "",
        NONE,
        "a",
        true,
        false,
        "ERR:source_profile links loop: a -> a",
    ),
    (
        "credential_source Environment",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Environment\n",
        "",
        NONE,
        "a",
        true,
        false,
        "environment variables -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "credential_source Ec2InstanceMetadata",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Ec2InstanceMetadata\n",
        "",
        NONE,
        "a",
        true,
        false,
        "the instance metadata service (IMDSv2) -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "unknown credential_source",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Laptop\n",
        "",
        NONE,
        "a",
        true,
        false,
        "ERR:profile \"a\" has credential_source = Laptop; expected Environment, Ec2InstanceMetadata or EcsContainer",
    ),
    (
        "both sources",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\ncredential_source = Environment\n",
        "",
        NONE,
        "a",
        true,
        false,
        "ERR:profile \"a\" has both source_profile and credential_source; keep one",
    ),
    (
        "role without a source",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n",
        "",
        NONE,
        "a",
        true,
        false,
        "ERR:profile \"a\" has role_arn but no source_profile, credential_source or web_identity_token_file",
    ),
    (
        "missing source profile",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = gone\n",
        "",
        NONE,
        "a",
        true,
        false,
        "ERR:profile \"a\" has source_profile = gone, which does not exist",
    ),
    (
        "web identity in a profile",
        "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\nweb_identity_token_file = /tmp/t\nrole_session_name = gha\n",
        "",
        NONE,
        "ci",
        true,
        false,
        "web identity token (profile ci) for arn:aws:iam::1:role/ci",
    ),
    (
        "web identity from the environment",
        "",
        "",
        WEB_ENV,
        "default",
        false,
        false,
        "web identity token (environment) for arn:aws:iam::1:role/eks",
    ),
    (
        "environment web identity over profile keys",
        "",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        WEB_ENV,
        "default",
        false,
        false,
        "web identity token (environment) for arn:aws:iam::1:role/eks",
    ),
    (
        "profile role chain over environment web identity",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n",
        "[b]\naws_access_key_id = A\naws_secret_access_key = s\n",
        WEB_ENV,
        "a",
        true,
        false,
        "keys of profile \"b\" -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "web identity as a source profile",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = ci\n[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\nweb_identity_token_file = /tmp/t\n",
        "",
        NONE,
        "a",
        true,
        false,
        "web identity token (profile ci) for arn:aws:iam::1:role/ci -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "credential_process before config-file keys",
        "[default]\ncredential_process = /bin/creds\naws_access_key_id = A\naws_secret_access_key = s\n",
        "",
        NONE,
        "default",
        false,
        false,
        "credential_process of profile \"default\"",
    ),
    (
        "credentials-file keys before credential_process",
        "[default]\ncredential_process = /bin/creds\n",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "default",
        false,
        false,
        "keys of profile \"default\"",
    ),
    (
        "credential_process as a source",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = p\n[profile p]\ncredential_process = /bin/creds --x\n",
        "",
        NONE,
        "a",
        true,
        false,
        "credential_process of profile \"p\" -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "sso session",
        "[profile s]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n",
        "",
        NONE,
        "s",
        true,
        false,
        "SSO of profile \"s\"",
    ),
    (
        "sso: account and role are what make a profile SSO (botocore's SSOProvider)",
        "[profile s]\nsso_session = corp\ncredential_process = /bin/creds\n[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n",
        "",
        NONE,
        "s",
        true,
        false,
        "credential_process of profile \"s\"",
    ),
    (
        "sso: the legacy form takes the start URL and region from the profile",
        "[profile s]\nsso_start_url = https://x\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = Admin\n",
        "",
        NONE,
        "s",
        true,
        false,
        "SSO of profile \"s\"",
    ),
    (
        "sso: every missing setting is named, before any request",
        "[profile s]\nsso_account_id = 1\nsso_start_url = https://x\n",
        "",
        NONE,
        "s",
        true,
        false,
        "ERR:profile \"s\" cannot be used: it is configured to use SSO but is missing required configuration: sso_role_name, sso_region",
    ),
    (
        "sso: a session without a start URL",
        "[profile s]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Admin\n[sso-session corp]\nsso_region = us-east-1\n",
        "",
        NONE,
        "s",
        true,
        false,
        "ERR:profile \"s\" cannot be used: it is configured to use SSO but is missing required configuration: sso_start_url",
    ),
    (
        "sso: a session that does not exist",
        "[profile s]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Admin\n",
        "",
        NONE,
        "s",
        true,
        false,
        "ERR:profile \"s\" cannot be used: its sso_session = corp names a section that does not exist (add [sso-session corp] to the config file)",
    ),
    (
        "sso: the profile and its session disagree",
        "[profile s]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n",
        "",
        NONE,
        "s",
        true,
        false,
        "ERR:profile \"s\" cannot be used: the value for sso_region is inconsistent between the profile (eu-west-1) and sso-session corp (us-east-1)",
    ),
    (
        "sso: a session alone (no account, no role) is refused, not passed over for the instance",
        "[profile s]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n",
        "",
        NONE,
        "s",
        true,
        false,
        "ERR:profile \"s\" cannot be used: it is configured to use SSO but is missing required configuration: sso_account_id, sso_role_name",
    ),
    (
        "named profile missing",
        "",
        "",
        NONE,
        "nope",
        true,
        false,
        "ERR:profile \"nope\" not found in the shared config or credentials file",
    ),
    (
        "named profile empty",
        "[profile e]\nregion = us-east-1\n",
        "",
        NO_IMDS,
        "e",
        true,
        false,
        "ERR:profile \"e\" has no credentials (no keys, role_arn, SSO, login_session or credential_process)",
    ),
    (
        "nothing at all",
        "",
        "",
        NO_IMDS,
        "default",
        false,
        false,
        "ERR:no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile, AWS_PROFILE) that has them",
    ),
    (
        "default profile without credentials",
        "[default]\nregion = us-east-1\n",
        "",
        NO_IMDS,
        "default",
        false,
        false,
        "ERR:no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile, AWS_PROFILE) that has them",
    ),
    (
        "half the environment keys (the key id) is an error, not the profile's keys",
        "",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        &[("AWS_ACCESS_KEY_ID", "AKIAENV")],
        "default",
        false,
        false,
        "ERR:AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither (half a key pair is refused rather than passed over for another identity)",
    ),
    (
        "half the environment keys (the secret) is an error too",
        "",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        &[("AWS_SECRET_ACCESS_KEY", "s")],
        "default",
        false,
        false,
        "ERR:AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or neither (half a key pair is refused rather than passed over for another identity)",
    ),
    (
        "half the environment keys under AWS_PROFILE is still an error",
        "",
        "[p]\naws_access_key_id = A\naws_secret_access_key = s\n",
        &[("AWS_ACCESS_KEY_ID", "AKIAENV")],
        "p",
        true,
        false,
        "ERR:AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither (half a key pair is refused rather than passed over for another identity)",
    ),
    (
        "--profile passes over the environment, half keys too",
        "",
        "[p]\naws_access_key_id = A\naws_secret_access_key = s\n",
        &[("AWS_ACCESS_KEY_ID", "AKIAENV")],
        "p",
        true,
        true,
        "keys of profile \"p\"",
    ),
    (
        "a key id without its secret in the credentials file",
        "",
        "[default]\naws_access_key_id = A\n",
        NO_IMDS,
        "default",
        false,
        false,
        "ERR:profile \"default\" has aws_access_key_id but no aws_secret_access_key in the credentials file",
    ),
    (
        "a key id without its secret in the config file",
        "[profile p]\naws_access_key_id = A\n",
        "",
        NO_IMDS,
        "p",
        true,
        false,
        "ERR:profile \"p\" has aws_access_key_id but no aws_secret_access_key in the config file",
    ),
    (
        "a key pair split across the two files",
        "[profile p]\naws_secret_access_key = s\n",
        "[p]\naws_access_key_id = A\n",
        NO_IMDS,
        "p",
        true,
        false,
        "ERR:profile \"p\" has aws_access_key_id but no aws_secret_access_key in the credentials file (the config file has one, but a key pair must come from one file, as the AWS CLI reads them)",
    ),
    (
        "a secret without its key id",
        "",
        "[p]\naws_secret_access_key = s\n",
        NONE,
        "p",
        true,
        false,
        "ERR:profile \"p\" has aws_secret_access_key but no aws_access_key_id in the credentials file",
    ),
    (
        "an empty key id",
        "",
        "[p]\naws_access_key_id =\naws_secret_access_key = s\n",
        NONE,
        "p",
        true,
        false,
        "ERR:profile \"p\" has an empty aws_access_key_id in the credentials file",
    ),
    (
        "an empty key id in one file, a pair in the other",
        "[profile p]\naws_access_key_id = A\naws_secret_access_key = s\n",
        "[p]\naws_access_key_id =\n",
        NONE,
        "p",
        true,
        false,
        "ERR:profile \"p\" has an empty aws_access_key_id in the credentials file",
    ),
    (
        "a key that goes on over indented lines (a token folded into the key id)",
        "",
        "[p]\naws_access_key_id = A\n  aws_session_token = TOKEN\naws_secret_access_key = s\n",
        NONE,
        "p",
        true,
        false,
        "ERR:profile \"p\" cannot be used: aws-login could not read all of what it needs: credentials line 2: skipped: aws_access_key_id goes on over the indented lines below it (an indented line continues the value above it, as the AWS CLI reads the file), so it is left out: unindent those lines",
    ),
    (
        "an indented header does not switch identity",
        "",
        "[default]\naws_access_key_id = ADEF\naws_secret_access_key = SDEF\n\t[dev]\naws_access_key_id = ADEV\naws_secret_access_key = SDEV\n",
        NONE,
        "default",
        false,
        false,
        "ERR:profile \"default\" cannot be used: aws-login could not read all of what it needs: credentials line 5: aws_access_key_id is set again (first at line 2): aws-login will not guess which one you meant (the AWS CLI refuses such a file): keep one; credentials line 6: aws_secret_access_key is set again (first at line 3): aws-login will not guess which one you meant (the AWS CLI refuses such a file): keep one",
    ),
    (
        "a secret alone under credential_process: the process (botocore's order)",
        "[profile p]\ncredential_process = helper\n",
        "[p]\naws_secret_access_key = s\n",
        NONE,
        "p",
        true,
        false,
        "credential_process of profile \"p\"",
    ),
    (
        "a credentials-file key id alone before credential_process: an error (botocore's order)",
        "[profile p]\ncredential_process = helper\n",
        "[p]\naws_access_key_id = A\n",
        NONE,
        "p",
        true,
        false,
        "ERR:profile \"p\" has aws_access_key_id but no aws_secret_access_key in the credentials file",
    ),
    (
        "a config-file key id alone after credential_process: the process",
        "[profile p]\ncredential_process = helper\naws_access_key_id = A\n",
        "",
        NONE,
        "p",
        true,
        false,
        "credential_process of profile \"p\"",
    ),
    (
        "a source profile with keys gives them; its own role_arn is not used (botocore)",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n",
        "[b]\naws_access_key_id = B\naws_secret_access_key = s\n[c]\naws_access_key_id = C\naws_secret_access_key = s\n",
        NONE,
        "a",
        true,
        false,
        "keys of profile \"b\" -> AssumeRole arn:aws:iam::1:role/a (profile \"a\")",
    ),
    (
        "a source profile with only half a key pair",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n",
        "[b]\naws_access_key_id = B\n",
        NONE,
        "a",
        true,
        false,
        "ERR:profile \"b\" has aws_access_key_id but no aws_secret_access_key in the credentials file",
    ),
    (
        "a profile name with spaces in the credentials file",
        "",
        "[Foo Bar]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "Foo Bar",
        true,
        true,
        "keys of profile \"Foo Bar\"",
    ),
    (
        "a quoted profile name with spaces in the config file",
        "[profile \"My MacBook Pro\"]\nrole_arn = arn:aws:iam::1:role/m\nsource_profile = Foo Bar\n",
        "[Foo Bar]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "My MacBook Pro",
        true,
        true,
        "keys of profile \"Foo Bar\" -> AssumeRole arn:aws:iam::1:role/m (profile \"My MacBook Pro\")",
    ),
    (
        "indented keys in the default profile",
        "",
        "[default]\n    aws_access_key_id = A\n    aws_secret_access_key = s\n",
        NONE,
        "default",
        false,
        false,
        "keys of profile \"default\"",
    ),
    (
        "an unreadable line in an unrelated profile does not matter",
        "[profile other]\nthis is not a property\n",
        "[default]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "default",
        false,
        false,
        "keys of profile \"default\"",
    ),
    (
        "an unreadable line in the selected profile does not matter to environment keys",
        "[default]\nthis is not a property\n",
        "",
        KEYS,
        "default",
        false,
        false,
        "environment variables",
    ),
    (
        "an unreadable line in the profile the chain needs is an error naming it",
        "[profile dev]\nregion us-east-1\n",
        "[dev]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "dev",
        true,
        false,
        "ERR:profile \"dev\" cannot be used: aws-login could not read all of what it needs: config line 2: skipped: expected 'key = value' (or 'key: value')",
    ),
    (
        "an unreadable line in a source profile",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\n\u{feff}aws_access_key_id = B\n",
        "",
        NONE,
        "a",
        true,
        false,
        "ERR:profile \"b\" cannot be used: aws-login could not read all of what it needs: config line 5: skipped: it holds a byte-order mark (U+FEFF), invisible in most editors: delete it",
    ),
    (
        "a broken [DEFAULT] line may hold the profile's keys: no IMDS in their place",
        "[DEFAULT]\ncredential_process /usr/bin/helper\n[default]\nregion = us-east-1\n",
        "",
        NONE,
        "default",
        false,
        false,
        "ERR:profile \"default\" cannot be used: aws-login could not read all of what it needs: config line 2: skipped: expected 'key = value' (or 'key: value')",
    ),
    (
        "nothing in what could be read, a broken header elsewhere: no IMDS in its place",
        "[profile x\naws_access_key_id = A\n",
        "",
        NONE,
        "default",
        false,
        false,
        "ERR:no credentials for profile \"default\" in what aws-login could read, and it could not read all of the shared files, which may hold them: config line 1: section header skipped (it seems to name [profile x]), and the lines under it: a section header must end with ']'; config line 2: skipped: under a section header that could not be read; it will not use container or instance credentials in their place (if those are what you want, point AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE at files it can read, or at /dev/null)",
    ),
    (
        "a profile not found names a section that looks like it",
        "[dev]\naws_access_key_id = A\n",
        "[profile dev]\naws_secret_access_key = s\n",
        NONE,
        "dev",
        true,
        false,
        "ERR:profile \"dev\" not found in the shared config or credentials file; note: config line 1: [dev] in the config file is not a profile there (the config file names them [profile dev]); credentials line 1: [profile dev] in the credentials file is the profile \"profile dev\" there (the credentials file names them [dev])",
    ),
    (
        "a session token without a key id",
        "",
        "[p]\naws_session_token = T\n",
        NONE,
        "p",
        true,
        false,
        "ERR:profile \"p\" has aws_session_token but no aws_access_key_id in the credentials file",
    ),
    (
        "a repeated key in [DEFAULT] refuses every profile of the file",
        "",
        "[DEFAULT]\naws_access_key_id = A\naws_access_key_id = B\naws_secret_access_key = s\n[dev]\nregion = x\n",
        NONE,
        "dev",
        true,
        false,
        "ERR:profile \"dev\" cannot be used: aws-login could not read all of what it needs: credentials line 3: aws_access_key_id is set again (first at line 2): aws-login will not guess which one you meant (the AWS CLI refuses such a file): keep one",
    ),
    (
        "a broken line in another profile does not stop IMDS",
        "[profile other]\nbroken\n",
        "",
        NONE,
        "default",
        false,
        false,
        "the instance metadata service (IMDSv2)",
    ),
    (
        "a profile not found says what was skipped",
        "[profile dev\naws_access_key_id = A\n",
        "",
        NONE,
        "dev",
        true,
        false,
        "ERR:profile \"dev\" not found in the shared config or credentials file; aws-login skipped what it could not read in the shared files: config line 1: section header skipped (it seems to name [profile dev]), and the lines under it: a section header must end with ']'; config line 2: skipped: under a section header that could not be read",
    ),
    (
        "invalid duration_seconds",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nduration_seconds = soon\n",
        "[b]\naws_access_key_id = A\naws_secret_access_key = s\n",
        NONE,
        "a",
        true,
        false,
        "ERR:profile \"a\" has an invalid duration_seconds",
    ),
];

fn run(case: &Case) -> String {
    let (_, config, credentials, env, profile, named, flag, _) = *case;
    let shared = merge(
        &parse(config.as_bytes(), "config"),
        &parse(credentials.as_bytes(), "credentials"),
    );
    let env = |k: &str| {
        env.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    };
    match plan(&shared, profile, named, flag, &env) {
        Ok(p) => p.to_string(),
        Err(e) => format!("ERR:{e}"),
    }
}

#[test]
fn plans_follow_the_aws_cli_order() {
    assert!(CASES.len() >= 30, "{} cases", CASES.len());
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| {
            let got = run(case);
            (got != case.7).then(|| format!("{}:\n  want {}\n  got  {got}", case.0, case.7))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} plans differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn hops_carry_their_profile_settings() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/u\nexternal_id = ext\nrole_session_name = me\nduration_seconds = 7200\nsource_identity = alice\n";
    let shared = merge(
        &parse(config.as_bytes(), "c"),
        &parse(
            b"[b]\naws_access_key_id = A\naws_secret_access_key = s\n",
            "k",
        ),
    );
    let p = plan(&shared, "a", true, false, &|_| None).unwrap();
    // The keys are read while planning: the executor does not read the files again.
    let Base::StaticKeys {
        profile,
        file,
        keys,
    } = &p.base
    else {
        panic!("{p:?}");
    };
    assert_eq!((profile.as_str(), *file), ("b", FileKind::Credentials));
    assert_eq!(keys.access_key_id(), "A");
    assert_eq!(keys.secret_access_key().expose(), "s");
    let Hop::AssumeRole(hop) = &p.hops[0] else {
        panic!("{p:?}");
    };
    assert_eq!(hop.origin, Origin::Profile("a".into()));
    assert_eq!(hop.mfa_serial.as_deref(), Some("arn:aws:iam::1:mfa/u"));
    assert_eq!(hop.external_id.as_deref(), Some("ext"));
    assert_eq!(hop.role_session_name.as_deref(), Some("me"));
    assert_eq!(hop.duration_seconds, Some(7200));
    assert_eq!(hop.source_identity.as_deref(), Some("alice"));
    assert!(matches!(
        plan(&shared, "zz", true, false, &|_| None),
        Err(PlanError::ProfileNotFound { .. })
    ));
}

#[test]
fn the_profile_is_chosen_in_botocores_order() {
    use aws_login::provider::plan::selected_profile;
    let pick = |flag: Option<&str>, pairs: &[(&str, &str)]| {
        let env = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        };
        let choice = selected_profile(flag, &env);
        format!("{} from {}", choice.name, choice.from)
    };
    assert_eq!(pick(None, &[]), "default from default");
    assert_eq!(pick(None, &[("AWS_PROFILE", "b")]), "b from AWS_PROFILE");
    assert_eq!(
        pick(None, &[("AWS_DEFAULT_PROFILE", "a")]),
        "a from AWS_DEFAULT_PROFILE"
    );
    assert_eq!(
        pick(None, &[("AWS_PROFILE", "b"), ("AWS_DEFAULT_PROFILE", "a")]),
        "a from AWS_DEFAULT_PROFILE"
    );
    assert_eq!(
        pick(None, &[("AWS_PROFILE", "b"), ("AWS_DEFAULT_PROFILE", "")]),
        "b from AWS_PROFILE"
    );
    assert_eq!(
        pick(
            Some("c"),
            &[("AWS_PROFILE", "b"), ("AWS_DEFAULT_PROFILE", "a")]
        ),
        "c from --profile"
    );
    assert_eq!(
        pick(None, &[("AWS_PROFILE", "My MacBook Pro")]),
        "My MacBook Pro from AWS_PROFILE"
    );
}

#[test]
fn sso_settings_are_resolved_while_planning() {
    let config = "[profile s]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nsso_start_url = https://d-1.awsapps.com/start\n[sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-west-1\n";
    let shared = merge(&parse(config.as_bytes(), "c"), &parse(b"", "k"));
    let p = plan(&shared, "s", true, false, &|_| None).unwrap();
    let want = SsoSource {
        profile: "s".into(),
        account_id: "111122223333".into(),
        role_name: "Admin".into(),
        start_url: "https://d-1.awsapps.com/start".into(),
        region: "eu-west-1".into(),
        session: Some("corp".into()),
    };
    assert_eq!(p.base, Base::Sso(want.clone()));
    // The AWS CLI caches an sso-session's token under the session's name, a legacy
    // profile's under its start URL.
    assert_eq!(want.cache_key(), "corp");
    let legacy = SsoSource {
        session: None,
        ..want
    };
    assert_eq!(legacy.cache_key(), "https://d-1.awsapps.com/start");
}
