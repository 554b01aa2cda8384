//! The Query forms of STS requests (`Action`, `Version` and the members, in the
//! service model's names).

use super::*;

fn duration(form: &mut QueryForm, seconds: Option<u32>) {
    if let Some(s) = seconds {
        form.param("DurationSeconds", &s.to_string());
    }
}

fn policy_arns(form: &mut QueryForm, arns: &[&str]) {
    for (i, arn) in arns.iter().enumerate() {
        form.param(&format!("PolicyArns.member.{}.arn", i + 1), arn);
    }
}

fn tags(form: &mut QueryForm, tags: &[(&str, &str)]) {
    for (i, (key, value)) in tags.iter().enumerate() {
        form.param(&format!("Tags.member.{}.Key", i + 1), key);
        form.param(&format!("Tags.member.{}.Value", i + 1), value);
    }
}

/// The body of GetCallerIdentity.
pub fn get_caller_identity_form() -> QueryForm {
    QueryForm::new("GetCallerIdentity", VERSION)
}

/// The body of AssumeRole.
pub fn assume_role_form(req: &AssumeRoleRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("AssumeRole", VERSION);
    form.param("RoleArn", req.role_arn)
        .param("RoleSessionName", req.role_session_name)
        .opt("ExternalId", req.external_id);
    duration(&mut form, req.duration_seconds);
    form.opt("SerialNumber", req.serial_number)
        .opt("TokenCode", req.token_code.map(SecretString::expose))
        .opt("Policy", req.policy);
    policy_arns(&mut form, req.policy_arns);
    tags(&mut form, req.tags);
    for (i, key) in req.transitive_tag_keys.iter().enumerate() {
        form.param(&format!("TransitiveTagKeys.member.{}", i + 1), key);
    }
    form.opt("SourceIdentity", req.source_identity);
    form
}

/// The body of GetSessionToken.
pub fn get_session_token_form(req: &SessionTokenRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("GetSessionToken", VERSION);
    duration(&mut form, req.duration_seconds);
    form.opt("SerialNumber", req.serial_number)
        .opt("TokenCode", req.token_code.map(SecretString::expose));
    form
}

/// The body of GetFederationToken.
pub fn get_federation_token_form(req: &FederationTokenRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("GetFederationToken", VERSION);
    form.param("Name", req.name).opt("Policy", req.policy);
    policy_arns(&mut form, req.policy_arns);
    duration(&mut form, req.duration_seconds);
    tags(&mut form, req.tags);
    form
}

/// The body of AssumeRoleWithWebIdentity (sent without a signature).
pub fn assume_role_with_web_identity_form(req: &WebIdentityRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("AssumeRoleWithWebIdentity", VERSION);
    form.param("RoleArn", req.role_arn)
        .param("RoleSessionName", req.role_session_name)
        .opt(
            "WebIdentityToken",
            req.web_identity_token.map(SecretString::expose),
        )
        .opt("ProviderId", req.provider_id);
    duration(&mut form, req.duration_seconds);
    form.opt("Policy", req.policy);
    policy_arns(&mut form, req.policy_arns);
    form
}

/// The body of DecodeAuthorizationMessage.
pub fn decode_authorization_message_form(encoded_message: &str) -> QueryForm {
    let mut form = QueryForm::new("DecodeAuthorizationMessage", VERSION);
    form.param("EncodedMessage", encoded_message);
    form
}
