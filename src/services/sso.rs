//! The IAM Identity Center portal: GetRoleCredentials (`GET /federation/credentials`),
//! ListAccounts and ListAccountRoles (`GET /assignment/...`, every page) and Logout
//! (`POST /logout`), the access token in `x-amz-sso_bearer_token`, unsigned; builders
//! and parsers.

use chrono::DateTime;
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use super::error::{ResponseError, ServiceError};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::secret::SecretString;
use crate::sigv4::encode_query_component;

/// The path and query of GetRoleCredentials.
pub fn get_role_credentials_path(account_id: &str, role_name: &str) -> String {
    let mut path = String::from("/federation/credentials?account_id=");
    encode_query_component(&mut path, account_id);
    path.push_str("&role_name=");
    encode_query_component(&mut path, role_name);
    path
}

/// Parses a GetRoleCredentials response (status, `x-amzn-errortype`, body).
pub fn parse_get_role_credentials(
    status: u16,
    error_type: Option<&str>,
    body: &[u8],
) -> Result<Credentials, ResponseError> {
    role_credentials(
        status,
        &super::rest_json::read_response(status, error_type, body)?,
    )
}

/// The credentials in a GetRoleCredentials document.
fn role_credentials(status: u16, json: &serde_json::Value) -> Result<Credentials, ResponseError> {
    let creds = json
        .get("roleCredentials")
        .ok_or(ResponseError::MissingField {
            status,
            field: "roleCredentials",
        })?;
    let text = |k: &'static str| {
        creds
            .get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or(ResponseError::MissingField { status, field: k })
    };
    let expiration = creds
        .get("expiration")
        .and_then(serde_json::Value::as_i64)
        .and_then(DateTime::from_timestamp_millis)
        .ok_or(ResponseError::InvalidField {
            status,
            field: "expiration",
        })?;
    Ok(Credentials::new(
        text("accessKeyId")?,
        text("secretAccessKey")?,
        Some(SecretString::new(text("sessionToken")?)),
        Some(expiration),
    ))
}

/// Calls GetRoleCredentials with an SSO access token.
pub async fn get_role_credentials(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    access_token: &SecretString,
    account_id: &str,
    role_name: &str,
) -> Result<Credentials, ServiceError> {
    let path = get_role_credentials_path(account_id, role_name);
    super::rest_json::call(
        caller,
        endpoint,
        Method::GET,
        &path,
        None,
        bearer(access_token)?,
        role_credentials,
    )
    .await
}

/// Calls Logout (`POST /logout`, the access token in `x-amz-sso_bearer_token`): the
/// token and the role credentials it gave stop working.
pub async fn logout(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    access_token: &SecretString,
) -> Result<(), ServiceError> {
    super::rest_json::call(
        caller,
        endpoint,
        Method::POST,
        "/logout",
        None,
        bearer(access_token)?,
        |_, _| Ok(()),
    )
    .await
}

/// An account the token may use (ListAccounts' `AccountInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// `accountId`.
    pub account_id: String,
    /// `accountName`.
    pub account_name: Option<String>,
    /// `emailAddress`.
    pub email_address: Option<String>,
}

/// One page of a list: the items and the `nextToken` of the next page, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// `nextToken`.
    pub next_token: Option<String>,
}

/// The path and query of a ListAccounts page (`max_result`, `next_token`).
pub fn list_accounts_path(next_token: Option<&str>) -> String {
    let mut path = String::from("/assignment/accounts?max_result=100");
    if let Some(token) = next_token {
        path.push_str("&next_token=");
        encode_query_component(&mut path, token);
    }
    path
}

/// The path and query of a ListAccountRoles page.
pub fn list_account_roles_path(account_id: &str, next_token: Option<&str>) -> String {
    let mut path = String::from("/assignment/roles?account_id=");
    encode_query_component(&mut path, account_id);
    path.push_str("&max_result=100");
    if let Some(token) = next_token {
        path.push_str("&next_token=");
        encode_query_component(&mut path, token);
    }
    path
}

fn next_token(json: &serde_json::Value) -> Option<String> {
    json.get("nextToken")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Reads a ListAccounts page.
pub fn parse_list_accounts(
    status: u16,
    json: &serde_json::Value,
) -> Result<Page<AccountInfo>, ResponseError> {
    let list = json
        .get("accountList")
        .and_then(serde_json::Value::as_array)
        .ok_or(ResponseError::MissingField {
            status,
            field: "accountList",
        })?;
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let items = list
        .iter()
        .map(|a| {
            Ok(AccountInfo {
                account_id: text(a, "accountId").ok_or(ResponseError::MissingField {
                    status,
                    field: "accountId",
                })?,
                account_name: text(a, "accountName"),
                email_address: text(a, "emailAddress"),
            })
        })
        .collect::<Result<_, ResponseError>>()?;
    Ok(Page {
        items,
        next_token: next_token(json),
    })
}

/// Reads a ListAccountRoles page: the role names.
pub fn parse_list_account_roles(
    status: u16,
    json: &serde_json::Value,
) -> Result<Page<String>, ResponseError> {
    let list = json
        .get("roleList")
        .and_then(serde_json::Value::as_array)
        .ok_or(ResponseError::MissingField {
            status,
            field: "roleList",
        })?;
    let items = list
        .iter()
        .map(|r| {
            r.get("roleName")
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or(ResponseError::MissingField {
                    status,
                    field: "roleName",
                })
        })
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        next_token: next_token(json),
    })
}

/// The portal's bearer header (`x-amz-sso_bearer_token`).
fn bearer(access_token: &SecretString) -> Result<Vec<(HeaderName, HeaderValue)>, ServiceError> {
    let token =
        HeaderValue::from_str(access_token.expose()).map_err(|_| ResponseError::Malformed {
            status: 0,
            detail: "the SSO access token is not a valid header value".into(),
        })?;
    Ok(vec![(
        HeaderName::from_static("x-amz-sso_bearer_token"),
        token,
    )])
}

/// The most pages a list is followed for (100 items each): a service that never stops
/// handing out `nextToken`s is not followed forever.
pub const MAX_PAGES: usize = 1000;

/// Follows every page of a list: `path` gives a page's path for the previous page's
/// `nextToken`, `parse` reads a page. A `nextToken` that repeats, or pages past
/// [`MAX_PAGES`], are an error: the list would be incomplete, and a caller that prunes
/// by it would remove what is still there.
async fn all_pages<T>(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    access_token: &SecretString,
    path: impl Fn(Option<&str>) -> String,
    parse: fn(u16, &serde_json::Value) -> Result<Page<T>, ResponseError>,
) -> Result<Vec<T>, ServiceError> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    let incomplete = |detail: &str| {
        ServiceError::Response(ResponseError::Malformed {
            status: 200,
            detail: detail.to_owned(),
        })
    };
    for _ in 0..MAX_PAGES {
        let page = super::rest_json::call(
            caller,
            endpoint,
            Method::GET,
            &path(token.as_deref()),
            None,
            bearer(access_token)?,
            parse,
        )
        .await?;
        all.extend(page.items);
        match page.next_token {
            Some(next) if token.as_deref() == Some(next.as_str()) => {
                return Err(incomplete(
                    "the portal gave the same nextToken twice: the list is incomplete",
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

/// Calls ListAccounts over every page.
pub async fn list_accounts(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    access_token: &SecretString,
) -> Result<Vec<AccountInfo>, ServiceError> {
    all_pages(
        caller,
        endpoint,
        access_token,
        list_accounts_path,
        parse_list_accounts,
    )
    .await
}

/// Calls ListAccountRoles over every page: the role names of `account_id`.
pub async fn list_account_roles(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    access_token: &SecretString,
    account_id: &str,
) -> Result<Vec<String>, ServiceError> {
    all_pages(
        caller,
        endpoint,
        access_token,
        |next| list_account_roles_path(account_id, next),
        parse_list_account_roles,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_parses_get_role_credentials() {
        assert_eq!(
            get_role_credentials_path("111122223333", "Power User"),
            "/federation/credentials?account_id=111122223333&role_name=Power%20User"
        );
        let c = parse_get_role_credentials(200, None, br#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"S","sessionToken":"T","expiration":1700000000000}}"#).unwrap();
        assert_eq!(c.access_key_id(), "ASIASSO");
        assert_eq!(c.expiration().map(|e| e.timestamp()), Some(1_700_000_000));
        let err = parse_get_role_credentials(
            401,
            Some("UnauthorizedException:http://internal.amazon.com/"),
            br#"{"message":"Session token not found or invalid"}"#,
        )
        .unwrap_err();
        match err {
            ResponseError::Aws(e) => assert_eq!(
                (e.code.as_str(), e.message.as_str()),
                (
                    "UnauthorizedException",
                    "Session token not found or invalid"
                )
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_get_role_credentials(200, None, b"{}"),
            Err(ResponseError::MissingField {
                field: "roleCredentials",
                ..
            })
        ));
    }
}
