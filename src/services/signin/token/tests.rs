//! The token requests and answers, as the service model and botocore have them.

use super::*;

#[test]
fn the_refresh_is_asked_for_and_read_as_the_model_has_it() {
    let body = refresh_body(
        "arn:aws:signin:::devtools/same-device",
        &SecretString::new("R1"),
    );
    assert_eq!(
        body.expose(),
        r#"{"clientId":"arn:aws:signin:::devtools/same-device","grantType":"refresh_token","refreshToken":"R1"}"#
    );
    assert!(!format!("{body:?}").contains("R1"));
    let answer = serde_json::json!({
        "accessToken": {"accessKeyId": "ASIA2", "secretAccessKey": "S2", "sessionToken": "T2"},
        "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": "R2"});
    let refreshed = parse_refresh(200, &answer).unwrap();
    assert_eq!(refreshed.access_key_id, "ASIA2");
    assert_eq!(refreshed.expires_in, 900);
    assert_eq!(refreshed.refresh_token.expose(), "R2");
    for bad in [
        serde_json::json!(0),
        serde_json::json!(-5),
        serde_json::json!("900"),
        serde_json::json!(900.5),
        serde_json::json!(1e30),
        serde_json::json!(i64::MAX),
    ] {
        let mut odd = answer.clone();
        odd["expiresIn"] = bad.clone();
        assert!(
            matches!(
                parse_refresh(200, &odd),
                Err(ResponseError::Malformed { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        parse_refresh(200, &serde_json::json!({})),
        Err(ResponseError::MissingField {
            field: "accessKeyId",
            ..
        })
    ));
}

#[test]
fn the_code_exchange_is_asked_for_and_read_as_the_aws_cli_does() {
    let body = code_body(
        "arn:aws:signin:::devtools/cross-device",
        &SecretString::new("CODE-1"),
        &SecretString::new("VERIFIER-1"),
        "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation",
    );
    let json: serde_json::Value = serde_json::from_str(body.expose()).unwrap();
    assert_eq!(json["grantType"], "authorization_code");
    assert_eq!(json["code"], "CODE-1");
    assert_eq!(json["codeVerifier"], "VERIFIER-1");
    assert_eq!(
        json["redirectUri"],
        "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation"
    );
    assert_eq!(json["clientId"], "arn:aws:signin:::devtools/cross-device");
    assert!(!format!("{body:?}").contains("CODE-1"));
    let answer = serde_json::json!({
        "accessToken": {"accessKeyId": "ASIA1", "secretAccessKey": "S1", "sessionToken": "T1"},
        "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": "R1", "idToken": "a.b.c"});
    let granted = parse_granted(200, &answer).unwrap();
    assert_eq!(granted.token_type, "aws_sigv4");
    assert_eq!(granted.id_token.expose(), "a.b.c");
    assert!(!format!("{granted:?}").contains("S1"));
    let mut no_id = answer.clone();
    no_id.as_object_mut().unwrap().remove("idToken");
    assert!(matches!(
        parse_granted(200, &no_id),
        Err(ResponseError::MissingField {
            field: "idToken",
            ..
        })
    ));
}

#[test]
fn the_endpoint_is_the_regions_sign_in_host_or_the_override() {
    let none = |_: &str| None;
    assert_eq!(
        endpoint("eu-west-1", &none).unwrap().url,
        "https://eu-west-1.signin.aws.amazon.com"
    );
    // Every partition's, as botocore 1.44.5's rules give them.
    for (region, url) in [
        ("cn-north-1", "https://cn-north-1.signin.amazonaws.cn"),
        (
            "us-gov-west-1",
            "https://us-gov-west-1.signin.amazonaws-us-gov.com",
        ),
        (
            "us-iso-east-1",
            "https://us-iso-east-1.signin.c2shome.ic.gov",
        ),
        (
            "us-isob-east-1",
            "https://us-isob-east-1.signin.sc2shome.sgov.gov",
        ),
        (
            "us-isof-south-1",
            "https://us-isof-south-1.signin.csphome.hci.ic.gov",
        ),
        (
            "eu-isoe-west-1",
            "https://eu-isoe-west-1.signin.csphome.adc-e.uk",
        ),
        (
            "eusc-de-east-1",
            "https://eusc-de-east-1.signin.amazonaws-eusc.eu",
        ),
    ] {
        assert_eq!(endpoint(region, &none).unwrap().url, url);
    }
    let fips = |k: &str| (k == "AWS_USE_FIPS_ENDPOINT").then(|| "true".to_owned());
    assert_eq!(
        endpoint("us-gov-west-1", &fips).unwrap().url,
        "https://signin-fips.amazonaws-us-gov.com"
    );
    assert_eq!(
        endpoint("us-east-2", &fips).unwrap().url,
        "https://signin-fips.us-east-2.amazonaws.com"
    );
    let env = |k: &str| (k == "AWS_ENDPOINT_URL_SIGNIN").then(|| "http://127.0.0.1:9".to_owned());
    assert_eq!(
        endpoint("eu-west-1", &env).unwrap().url,
        "http://127.0.0.1:9"
    );
}

#[test]
fn each_denial_says_what_to_do() {
    let said = |code: &str| denied(&serde_json::json!({"error": code, "message": "m"}));
    assert_eq!(
        said("TOKEN_EXPIRED"),
        Denied::SignInAgain("TOKEN_EXPIRED".into())
    );
    assert_eq!(
        said("USER_CREDENTIALS_CHANGED"),
        Denied::SignInAgain("USER_CREDENTIALS_CHANGED".into())
    );
    assert_eq!(
        said("INSUFFICIENT_PERMISSIONS"),
        Denied::InsufficientPermissions
    );
    assert!(
        said("INSUFFICIENT_PERMISSIONS")
            .to_string()
            .contains(POLICY)
    );
    assert_eq!(said("AUTHCODE_EXPIRED"), Denied::CodeExpired);
    assert_eq!(
        said("invalid_grant"),
        Denied::Other {
            code: "invalid_grant".into(),
            message: Some("m".into())
        }
    );
    assert_eq!(
        said("invalid_grant").to_string(),
        "the sign-in service refused CreateOAuth2Token (invalid_grant: m)"
    );
}
