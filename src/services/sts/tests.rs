//! STS builders and parsers against recorded bodies and the model's limits.

use super::*;

const ASSUME_ROLE: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
<SourceIdentity>Alice</SourceIdentity>
<AssumedRoleUser>
  <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
  <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
</AssumedRoleUser>
<Credentials>
  <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
  <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
  <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==</SessionToken>
  <Expiration>2019-11-09T13:34:41Z</Expiration>
</Credentials>
<PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

#[test]
fn forms_carry_every_parameter() {
    let code = SecretString::new("123456");
    let req = AssumeRoleRequest {
        role_arn: "arn:aws:iam::123456789012:role/demo",
        role_session_name: "aws-login",
        external_id: Some("ext id"),
        duration_seconds: Some(3600),
        serial_number: Some("arn:aws:iam::123456789012:mfa/alice"),
        token_code: Some(&code),
        policy: Some(r#"{"Version":"2012-10-17"}"#),
        policy_arns: &["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        tags: &[("Project", "x"), ("Team", "y z")],
        transitive_tag_keys: &["Project"],
        source_identity: Some("alice"),
    };
    assert_eq!(
        assume_role_form(&req).as_str(),
        "Action=AssumeRole&Version=2011-06-15\
         &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=aws-login\
         &ExternalId=ext%20id&DurationSeconds=3600\
         &SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456\
         &Policy=%7B%22Version%22%3A%222012-10-17%22%7D\
         &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess\
         &Tags.member.1.Key=Project&Tags.member.1.Value=x&Tags.member.2.Key=Team&Tags.member.2.Value=y%20z\
         &TransitiveTagKeys.member.1=Project&SourceIdentity=alice"
    );
    assert_eq!(
        get_caller_identity_form().as_str(),
        "Action=GetCallerIdentity&Version=2011-06-15"
    );
    assert_eq!(
        get_session_token_form(&SessionTokenRequest {
            duration_seconds: Some(43200),
            serial_number: Some("GAHT12345678"),
            token_code: Some(&code),
        })
        .as_str(),
        "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=43200&SerialNumber=GAHT12345678&TokenCode=123456"
    );
    assert_eq!(
        get_federation_token_form(&FederationTokenRequest {
            name: "Bob",
            policy_arns: &["arn:aws:iam::aws:policy/AdministratorAccess"],
            duration_seconds: Some(900),
            ..Default::default()
        })
        .as_str(),
        "Action=GetFederationToken&Version=2011-06-15&Name=Bob\
         &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAdministratorAccess&DurationSeconds=900"
    );
    let token = SecretString::new("eyJhbGciOiJSUzI1NiJ9.e30.sig");
    let web = assume_role_with_web_identity_form(&WebIdentityRequest {
        role_arn: "arn:aws:iam::123456789012:role/ci",
        role_session_name: "gha",
        web_identity_token: Some(&token),
        ..Default::default()
    });
    assert!(
        web.as_str()
            .ends_with("&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.e30.sig")
    );
    assert!(!format!("{web:?}").contains("eyJ"));
    assert_eq!(
        decode_authorization_message_form("a+b/c=").as_str(),
        "Action=DecodeAuthorizationMessage&Version=2011-06-15&EncodedMessage=a%2Bb%2Fc%3D"
    );
}

#[test]
fn parses_assume_role() {
    let r = parse_assume_role(200, ASSUME_ROLE.as_bytes()).unwrap();
    assert_eq!(r.arn, "arn:aws:sts::123456789012:assumed-role/demo/TestAR");
    assert_eq!(r.assumed_role_id, "ARO123EXAMPLE123:TestAR");
    assert_eq!(r.packed_policy_size, Some(6));
    assert_eq!(r.source_identity.as_deref(), Some("Alice"));
    assert_eq!(r.credentials.access_key_id(), "ASIAIOSFODNN7EXAMPLE");
    assert_eq!(
        r.credentials.secret_access_key().expose(),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    );
    assert!(
        r.credentials
            .session_token()
            .unwrap()
            .expose()
            .starts_with("AQoDYXdzEPT//")
    );
    assert_eq!(
        r.credentials.expiration().map(|e| e.to_rfc3339()),
        Some("2019-11-09T13:34:41+00:00".to_owned())
    );
    let debug = format!("{r:?}");
    assert!(
        !debug.contains("wJalr") && !debug.contains("AQoDYXdz"),
        "{debug}"
    );
}

#[test]
fn parses_the_other_operations() {
    let id = parse_get_caller_identity(
        200,
        br#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
   <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
<UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
<Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#,
    )
    .unwrap();
    assert_eq!(
        (id.user_id.as_str(), id.account.as_str(), id.arn.as_str()),
        (
            "AIDACKCEVSQ6C2EXAMPLE",
            "123456789012",
            "arn:aws:iam::123456789012:user/Alice"
        )
    );

    let creds = br#"<Credentials><SessionToken>TOKEN</SessionToken><SecretAccessKey>SECRET</SecretAccessKey>
<Expiration>2011-07-11T19:55:29.611Z</Expiration><AccessKeyId>ASIAEXAMPLE</AccessKeyId></Credentials>"#;
    let creds = std::str::from_utf8(creds).unwrap();
    let session = format!(
        "<GetSessionTokenResponse><GetSessionTokenResult>{creds}</GetSessionTokenResult></GetSessionTokenResponse>"
    );
    let c = parse_get_session_token(200, session.as_bytes()).unwrap();
    assert_eq!(c.access_key_id(), "ASIAEXAMPLE");
    assert_eq!(
        c.expiration().map(|e| e.timestamp_millis()),
        Some(1_310_414_129_611)
    );

    let federation = format!(
        "<GetFederationTokenResponse><GetFederationTokenResult>{creds}<FederatedUser>\
         <Arn>arn:aws:sts::123456789012:federated-user/Bob</Arn><FederatedUserId>123456789012:Bob</FederatedUserId>\
         </FederatedUser><PackedPolicySize>6</PackedPolicySize></GetFederationTokenResult></GetFederationTokenResponse>"
    );
    let f = parse_get_federation_token(200, federation.as_bytes()).unwrap();
    assert_eq!(f.federated_user_id, "123456789012:Bob");
    assert_eq!(f.arn, "arn:aws:sts::123456789012:federated-user/Bob");

    let web = format!(
        "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>\
         <SubjectFromWebIdentityToken>repo:org/app:ref:refs/heads/main</SubjectFromWebIdentityToken>\
         <Audience>sts.amazonaws.com</Audience>{creds}<Provider>https://token.actions.githubusercontent.com</Provider>\
         <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ci/gha</Arn><AssumedRoleId>AROAX:gha</AssumedRoleId></AssumedRoleUser>\
         </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
    );
    let w = parse_assume_role_with_web_identity(200, web.as_bytes()).unwrap();
    assert_eq!(
        w.subject_from_web_identity_token.as_deref(),
        Some("repo:org/app:ref:refs/heads/main")
    );
    assert_eq!(w.audience.as_deref(), Some("sts.amazonaws.com"));
    assert_eq!(w.packed_policy_size, None);

    let decoded = parse_decode_authorization_message(
        200,
        br#"<DecodeAuthorizationMessageResponse><DecodeAuthorizationMessageResult><DecodedMessage>{"allowed":false,"context":{"action":"ec2:RunInstances"}}</DecodedMessage></DecodeAuthorizationMessageResult></DecodeAuthorizationMessageResponse>"#,
    )
    .unwrap();
    assert_eq!(
        decoded,
        r#"{"allowed":false,"context":{"action":"ec2:RunInstances"}}"#
    );
}

#[test]
fn incomplete_results_are_errors_without_secrets() {
    let no_token = ASSUME_ROLE
        .replace("<SessionToken>", "<X>")
        .replace("</SessionToken>", "</X>");
    assert_eq!(
        parse_assume_role(200, no_token.as_bytes()).err(),
        Some(ResponseError::MissingField {
            status: 200,
            field: "Credentials/SessionToken"
        })
    );
    let bad_date = ASSUME_ROLE.replace("2019-11-09T13:34:41Z", "tomorrow");
    assert_eq!(
        parse_assume_role(200, bad_date.as_bytes()).err(),
        Some(ResponseError::InvalidField {
            status: 200,
            field: "Credentials/Expiration"
        })
    );
    let cut = &ASSUME_ROLE[..ASSUME_ROLE.len() / 2];
    let err = parse_assume_role(200, cut.as_bytes())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("truncated") && !err.contains("wJalr"), "{err}");
    let expired = br#"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"#;
    match parse_get_caller_identity(400, expired) {
        Err(ResponseError::Aws(e)) => {
            assert_eq!(e.code, "ExpiredToken");
            assert!(e.to_string().contains("request id r-1"));
        }
        other => panic!("{other:?}"),
    }
}
