//! EC2's Query API (API version 2016-11-15): POST form bodies signed for `ec2`, XML
//! answers (`<Response><Errors><Error>` errors with `<RequestID>`). Request builders and
//! parsers are pure; each call is a thin function over [`super::query::call`], with the
//! transport's retries (EC2 throttles with `RequestLimitExceeded`, which the retry policy
//! knows).
//!
//! - List parameters are numbered from 1 (`InstanceId.1`, `Filter.1.Name`,
//!   `Filter.1.Value.1`, `TagSpecification.1.Tag.1.Key`), as the EC2 API reference's
//!   "Query parameters" page describes.
//! - RunInstances carries a `ClientToken` (at most 64 ASCII characters) so that a retry
//!   after a lost answer returns the same instances instead of starting more (EC2 User
//!   Guide, "Ensuring idempotency").
//! - `DryRun=true` makes EC2 answer `DryRunOperation` (allowed) or
//!   `UnauthorizedOperation` (not allowed) without doing anything.

mod parse;

pub use parse::{
    Image, Instance, StateChange, encoded_authorization_message, parse_images,
    parse_instance_attribute, parse_instances, parse_terminate, xml_to_json,
};

use super::ServiceError;
use super::query::{self, QueryForm};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::Caller;

/// The API version every request names.
pub const VERSION: &str = "2016-11-15";

/// The signing name.
pub const SERVICE: &str = "ec2";

/// The most user data RunInstances takes, in bytes before base64 encoding (EC2 User
/// Guide, "Run commands when you launch an EC2 instance with user data input": 16 KB).
pub const MAX_USER_DATA: usize = 16 * 1024;

/// The form of `action`: `Action=...&Version=2016-11-15`.
pub fn form(action: &str) -> QueryForm {
    QueryForm::new(action, VERSION)
}

/// Appends a numbered list: `name.1=a&name.2=b`.
pub fn list(form: &mut QueryForm, name: &str, values: &[String]) {
    for (i, value) in values.iter().enumerate() {
        form.param(&format!("{name}.{}", i + 1), value);
    }
}

/// Appends filters: `Filter.N.Name`, `Filter.N.Value.M`.
pub fn filters(form: &mut QueryForm, filters: &[(String, Vec<String>)]) {
    for (i, (name, values)) in filters.iter().enumerate() {
        let n = i + 1;
        form.param(&format!("Filter.{n}.Name"), name);
        for (j, value) in values.iter().enumerate() {
            form.param(&format!("Filter.{n}.Value.{}", j + 1), value);
        }
    }
}

/// Appends tag specifications: the same tags on each resource type.
pub fn tag_specifications(form: &mut QueryForm, types: &[&str], tags: &[(String, String)]) {
    if tags.is_empty() {
        return;
    }
    for (i, resource) in types.iter().enumerate() {
        let n = i + 1;
        form.param(&format!("TagSpecification.{n}.ResourceType"), resource);
        for (j, (key, value)) in tags.iter().enumerate() {
            let m = j + 1;
            form.param(&format!("TagSpecification.{n}.Tag.{m}.Key"), key);
            form.param(&format!("TagSpecification.{n}.Tag.{m}.Value"), value);
        }
    }
}

/// The instance profile of RunInstances, by ARN or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceProfile {
    /// `IamInstanceProfile.Arn`.
    Arn(String),
    /// `IamInstanceProfile.Name`.
    Name(String),
}

/// A RunInstances request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunInstances {
    /// `ImageId`.
    pub image_id: String,
    /// `InstanceType`.
    pub instance_type: String,
    /// `MinCount` and `MaxCount` (all or nothing).
    pub count: u32,
    /// `UserData`, already base64-encoded.
    pub user_data: Option<String>,
    /// `KeyName`.
    pub key_name: Option<String>,
    /// `SecurityGroupId.N`.
    pub security_group_ids: Vec<String>,
    /// `SubnetId`.
    pub subnet_id: Option<String>,
    /// `IamInstanceProfile`.
    pub instance_profile: Option<InstanceProfile>,
    /// Tags for the instances and their volumes.
    pub tags: Vec<(String, String)>,
    /// `ClientToken`.
    pub client_token: String,
    /// `DryRun`.
    pub dry_run: bool,
}

/// The form of a RunInstances request.
pub fn run_instances_form(req: &RunInstances) -> QueryForm {
    let mut f = form("RunInstances");
    f.param("ImageId", &req.image_id)
        .param("InstanceType", &req.instance_type)
        .param("MinCount", &req.count.to_string())
        .param("MaxCount", &req.count.to_string())
        .param("ClientToken", &req.client_token)
        .opt("UserData", req.user_data.as_deref())
        .opt("KeyName", req.key_name.as_deref())
        .opt("SubnetId", req.subnet_id.as_deref());
    list(&mut f, "SecurityGroupId", &req.security_group_ids);
    match &req.instance_profile {
        Some(InstanceProfile::Arn(arn)) => {
            f.param("IamInstanceProfile.Arn", arn);
        }
        Some(InstanceProfile::Name(name)) => {
            f.param("IamInstanceProfile.Name", name);
        }
        None => {}
    }
    tag_specifications(&mut f, &["instance", "volume"], &req.tags);
    if req.dry_run {
        f.param("DryRun", "true");
    }
    f
}

/// A DescribeInstances page request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DescribeInstances {
    /// `InstanceId.N`.
    pub instance_ids: Vec<String>,
    /// `Filter.N`.
    pub filters: Vec<(String, Vec<String>)>,
    /// `MaxResults` (5-1000; not with instance ids).
    pub max_results: Option<u32>,
    /// `DryRun`.
    pub dry_run: bool,
}

/// The form of one DescribeInstances page (`next_token` from the page before).
pub fn describe_instances_form(req: &DescribeInstances, next_token: Option<&str>) -> QueryForm {
    let mut f = form("DescribeInstances");
    list(&mut f, "InstanceId", &req.instance_ids);
    filters(&mut f, &req.filters);
    if let Some(max) = req.max_results.filter(|_| req.instance_ids.is_empty()) {
        f.param("MaxResults", &max.to_string());
    }
    f.opt("NextToken", next_token);
    if req.dry_run {
        f.param("DryRun", "true");
    }
    f
}

/// The form of TerminateInstances.
pub fn terminate_instances_form(instance_ids: &[String], dry_run: bool) -> QueryForm {
    let mut f = form("TerminateInstances");
    list(&mut f, "InstanceId", instance_ids);
    if dry_run {
        f.param("DryRun", "true");
    }
    f
}

/// The form of DescribeInstanceAttribute.
pub fn describe_instance_attribute_form(instance_id: &str, attribute: &str) -> QueryForm {
    let mut f = form("DescribeInstanceAttribute");
    f.param("InstanceId", instance_id)
        .param("Attribute", attribute);
    f
}

/// The form of DescribeImages for `image_ids`.
pub fn describe_images_form(image_ids: &[String]) -> QueryForm {
    let mut f = form("DescribeImages");
    list(&mut f, "ImageId", image_ids);
    f
}

/// DescribeImages: the images named.
pub async fn describe_images(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    image_ids: &[String],
) -> Result<Vec<Image>, ServiceError> {
    let form = describe_images_form(image_ids);
    call(caller, endpoint, credentials, form, parse_images).await
}

/// Sends `form`, signed with `credentials`, and reads the XML answer with `parse`.
pub async fn call<T>(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    form: QueryForm,
    parse: fn(u16, &[u8]) -> Result<T, super::ResponseError>,
) -> Result<T, ServiceError> {
    query::call(caller, endpoint, SERVICE, form, Some(credentials), parse).await
}

/// RunInstances: the instances started.
pub async fn run_instances(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    req: &RunInstances,
) -> Result<Vec<Instance>, ServiceError> {
    call(
        caller,
        endpoint,
        credentials,
        run_instances_form(req),
        |status, body| parse_instances(status, body).map(|(i, _)| i),
    )
    .await
}

/// DescribeInstances over every page (`NextToken` to the end).
pub async fn describe_instances(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    req: &DescribeInstances,
) -> Result<Vec<Instance>, ServiceError> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let form = describe_instances_form(req, token.as_deref());
        let (page, next) = call(caller, endpoint, credentials, form, parse_instances).await?;
        all.extend(page);
        match next {
            Some(next) if token.as_deref() == Some(next.as_str()) => {
                return Err(incomplete(
                    "EC2 gave the same NextToken twice: the list is incomplete",
                ));
            }
            Some(next) => token = Some(next),
            None => return Ok(all),
        }
    }
    Err(incomplete(
        "the list goes on past 1000 pages: it is incomplete",
    ))
}

/// The most pages a list is followed for.
pub const MAX_PAGES: usize = 1000;

fn incomplete(detail: &str) -> ServiceError {
    ServiceError::Response(super::ResponseError::Malformed {
        status: 200,
        detail: detail.to_owned(),
    })
}

/// A filter value that matches `value` exactly: EC2 reads `*` and `?` in filter values
/// as wildcards, and `\` escapes them (EC2 API reference, "Filtering").
pub fn exact(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// TerminateInstances: each instance's state change.
pub async fn terminate_instances(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    instance_ids: &[String],
    dry_run: bool,
) -> Result<Vec<StateChange>, ServiceError> {
    let form = terminate_instances_form(instance_ids, dry_run);
    call(caller, endpoint, credentials, form, parse_terminate).await
}

/// DescribeInstanceAttribute: the attribute's value (user data: base64).
pub async fn describe_instance_attribute(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    instance_id: &str,
    attribute: &str,
) -> Result<Option<String>, ServiceError> {
    let form = describe_instance_attribute_form(instance_id, attribute);
    call(
        caller,
        endpoint,
        credentials,
        form,
        parse_instance_attribute,
    )
    .await
}

/// Any action: the answer as JSON ([`xml_to_json`]). An action that only reads
/// (`Describe...`, `Get...`, `List...`), or that carries a `ClientToken`, is retried as
/// usual; any other is sent again only when it cannot have reached EC2.
pub async fn call_action(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    action: &str,
    form: QueryForm,
) -> Result<serde_json::Value, ServiceError> {
    let idempotent = ["Describe", "Get", "List"]
        .iter()
        .any(|p| action.starts_with(p))
        || form.as_str().contains("&ClientToken=");
    query::call_once_or_more(
        caller,
        endpoint,
        SERVICE,
        form,
        Some(credentials),
        xml_to_json,
        idempotent,
    )
    .await
}

#[cfg(test)]
mod tests;
