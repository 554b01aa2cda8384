//! `aws-login ec2`: launch, list and terminate groups of machines, and call any EC2
//! action, from one static binary. Every identity flag applies. `--dry-run` asks EC2
//! whether the call is allowed without doing it (`DryRunOperation`: allowed, exit 0;
//! `UnauthorizedOperation`: not, exit 3). An `UnauthorizedOperation` with an encoded
//! message is decoded with STS DecodeAuthorizationMessage when the caller may, showing
//! the denied action, resource and conditions; otherwise the command that decodes it is
//! shown.

use argh::FromArgs;

use super::session::Session;
use super::{CliError, Context, Output};
use crate::credentials::Credentials;
use crate::endpoints::Service;
use crate::error_kind::ErrorKind;
use crate::http::call::Caller;
use crate::services::{ServiceError, ec2, sts};

pub mod call;
pub mod launch;
pub mod list;
pub mod terminate;
pub mod wait;

/// The tag that names a machine's group.
pub const GROUP_TAG: &str = "aws-login:group";

/// launch, list and terminate groups of EC2 machines; call any EC2 action
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "ec2")]
pub struct Ec2Args {
    #[argh(subcommand)]
    /// what to do
    pub command: Ec2Command,
}

/// The `ec2` commands.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand)]
// Parsed once per run; argh cannot take a boxed subcommand.
#[allow(clippy::large_enum_variant)]
pub enum Ec2Command {
    /// `ec2 launch`
    Launch(launch::LaunchArgs),
    /// `ec2 list`
    List(list::ListArgs),
    /// `ec2 terminate`
    Terminate(terminate::TerminateArgs),
    /// `ec2 call`
    Call(call::CallArgs),
}

/// Runs `ec2`.
pub fn run(args: &Ec2Args, ctx: &Context<'_>) -> Result<Output, CliError> {
    match &args.command {
        Ec2Command::Launch(a) => launch::run(a, ctx),
        Ec2Command::List(a) => list::run(a, ctx),
        Ec2Command::Terminate(a) => terminate::run(a, ctx),
        Ec2Command::Call(a) => call::run(a, ctx),
    }
}

/// What STS DecodeAuthorizationMessage said about a denial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// `context.action`.
    pub action: String,
    /// `context.resource`.
    pub resource: String,
    /// `context.conditions`: `key = value, value`.
    pub conditions: Vec<String>,
    /// Whether a statement denied it explicitly.
    pub explicit_deny: bool,
}

/// Reads the decoded message's JSON. Pure.
pub fn denial(decoded: &str) -> Option<Denial> {
    let json: serde_json::Value = serde_json::from_str(decoded).ok()?;
    let context = json.get("context")?;
    let text = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let conditions = context
        .pointer("/conditions/items")
        .and_then(serde_json::Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    let values: Vec<String> = item
                        .pointer("/values/items")
                        .and_then(serde_json::Value::as_array)
                        .map(|vs| vs.iter().map(|v| text(v.get("value"))).collect())
                        .unwrap_or_default();
                    format!("{} = {}", text(item.get("key")), values.join(", "))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Denial {
        action: text(context.get("action")),
        resource: text(context.get("resource")),
        conditions,
        explicit_deny: json
            .get("explicitDeny")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
    })
}

/// Why an EC2 command failed, beyond its call's own error.
#[derive(Debug)]
#[non_exhaustive]
pub enum Ec2Error {
    /// EC2 said `UnauthorizedOperation`.
    Unauthorized {
        /// The action.
        action: String,
        /// The request id.
        request_id: Option<String>,
        /// The decoded denial, when STS decoded it.
        denial: Option<Box<Denial>>,
        /// The encoded message, when it could not be decoded here.
        encoded: Option<String>,
    },
    /// A bad flag value.
    Usage(String),
    /// `--wait` saw an instance fail or the wait run out.
    Wait(String),
    /// The confirmation was not given.
    Declined,
    /// RunInstances was sent and its answer was lost or unreadable: the machines may
    /// have started.
    Uncertain {
        /// The client token that gets them without starting more.
        client_token: String,
        /// What happened.
        cause: String,
        /// Its kind.
        kind: ErrorKind,
    },
}

impl Ec2Error {
    /// Its kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthorized { .. } => ErrorKind::Aws,
            Self::Usage(_) => ErrorKind::Usage,
            Self::Wait(_) | Self::Declined => ErrorKind::Failure,
            Self::Uncertain { kind, .. } => *kind,
        }
    }
}

impl std::fmt::Display for Ec2Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized {
                action,
                request_id,
                denial,
                encoded,
            } => {
                write!(f, "EC2 {action}: not authorized (UnauthorizedOperation")?;
                if let Some(id) = request_id {
                    write!(f, ", request id {id}")?;
                }
                f.write_str(")")?;
                if let Some(d) = denial {
                    write!(f, ": denied action {} on {}", d.action, d.resource)?;
                    if d.explicit_deny {
                        f.write_str(" (an explicit Deny statement matched)")?;
                    }
                    if !d.conditions.is_empty() {
                        write!(f, "; conditions: {}", d.conditions.join("; "))?;
                    }
                }
                if let Some(encoded) = encoded {
                    write!(
                        f,
                        "; the reason is encoded: decode it (needs sts:DecodeAuthorizationMessage) with `aws-login decode-authorization-message '{encoded}'`"
                    )?;
                }
                Ok(())
            }
            Self::Usage(message) | Self::Wait(message) => f.write_str(message),
            Self::Declined => f.write_str("not confirmed: nothing was terminated"),
            Self::Uncertain {
                client_token,
                cause,
                ..
            } => write!(
                f,
                "RunInstances was sent but its answer was lost ({cause}): the machines may have started; run the same command with --client-token {client_token} to get them without starting more"
            ),
        }
    }
}

impl std::error::Error for Ec2Error {}

impl From<Ec2Error> for CliError {
    fn from(e: Ec2Error) -> Self {
        CliError::Ec2(Box::new(e))
    }
}

/// What a call's answer means: done, or a dry run that would have been allowed.
pub enum Outcome<T> {
    /// The call's result.
    Done(T),
    /// `DryRunOperation`: allowed.
    DryRunAllowed,
}

/// The session's pieces an EC2 command needs.
pub struct Ec2Context<'e, 's, 'c> {
    /// The session.
    pub session: &'s Session<'c>,
    /// The caller.
    pub caller: &'e Caller<'s>,
    /// The credentials.
    pub credentials: &'e Credentials,
    /// The EC2 endpoint.
    pub endpoint: crate::endpoints::Endpoint,
}

impl Ec2Context<'_, '_, '_> {
    /// What an EC2 call's result means: its value, a dry run allowed, or the failure
    /// (an `UnauthorizedOperation` decoded when the caller may).
    pub async fn outcome<T>(
        &self,
        action: &str,
        result: Result<T, ServiceError>,
    ) -> Result<Outcome<T>, CliError> {
        let error = match result {
            Ok(value) => return Ok(Outcome::Done(value)),
            Err(e) => e,
        };
        let Some(aws) = error.aws() else {
            return Err(CliError::Call {
                step: "EC2",
                source: Box::new(error),
            });
        };
        match aws.code.as_str() {
            "DryRunOperation" => Ok(Outcome::DryRunAllowed),
            "UnauthorizedOperation" => {
                let encoded = ec2::encoded_authorization_message(&aws.message).map(str::to_owned);
                let mut denial_found = None;
                if let Some(message) = &encoded {
                    let sts_endpoint = self.session.endpoint(Service::Sts)?;
                    if let Ok(decoded) = sts::decode_authorization_message(
                        self.caller,
                        &sts_endpoint,
                        self.credentials,
                        message,
                    )
                    .await
                    {
                        denial_found = denial(&decoded);
                    }
                }
                Err(Ec2Error::Unauthorized {
                    action: action.to_owned(),
                    request_id: aws.request_id.clone(),
                    encoded: if denial_found.is_some() {
                        None
                    } else {
                        encoded
                    },
                    denial: denial_found.map(Box::new),
                }
                .into())
            }
            _ => Err(CliError::Call {
                step: "EC2",
                source: Box::new(error),
            }),
        }
    }
}

/// The dry run's verdict on stderr, exit 0.
pub fn dry_run_allowed(action: &str) -> Output {
    Output {
        stderr: format!(
            "Dry run: EC2 {action} would be allowed (DryRunOperation); nothing was done."
        ),
        ..Output::default()
    }
}

/// Runs `job` with the session's caller, credentials and EC2 endpoint.
pub fn with_ec2<T>(
    session: &Session<'_>,
    job: impl AsyncFnOnce(&Ec2Context<'_, '_, '_>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    super::block_on(async {
        let caller = session.caller()?;
        let credentials = session.credentials(&caller).await?;
        let endpoint = session.endpoint(Service::Ec2)?;
        let ctx = Ec2Context {
            session,
            caller: &caller,
            credentials: &credentials,
            endpoint,
        };
        job(&ctx).await
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoded_denial_names_action_resource_and_conditions() {
        let decoded = r#"{"allowed":false,"explicitDeny":true,"matchedStatements":{"items":[]},"failures":{"items":[]},"context":{"principal":{"id":"AIDA","name":"bob","arn":"arn:aws:iam::1:user/bob"},"action":"ec2:RunInstances","resource":"arn:aws:ec2:eu-west-1:1:instance/*","conditions":{"items":[{"key":"ec2:InstanceType","values":{"items":[{"value":"t3.micro"}]}},{"key":"aws:Region","values":{"items":[{"value":"eu-west-1"}]}}]}}}"#;
        assert_eq!(
            denial(decoded),
            Some(Denial {
                action: "ec2:RunInstances".into(),
                resource: "arn:aws:ec2:eu-west-1:1:instance/*".into(),
                conditions: vec![
                    "ec2:InstanceType = t3.micro".into(),
                    "aws:Region = eu-west-1".into()
                ],
                explicit_deny: true,
            })
        );
        assert_eq!(denial("not json"), None);
    }
}
