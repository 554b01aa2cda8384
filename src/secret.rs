//! A string that holds a secret: it prints as `<redacted>` in `Debug` and `Display`.
//!
//! It does not zero memory on drop or lock pages; it only keeps secrets out of logs and
//! error messages, which is where they leak in practice.

use std::fmt;

/// A secret value (secret access key, session token, OIDC token...).
///
/// The only way to read it is [`SecretString::expose`], which makes every use greppable.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call this only where the value must leave the process
    /// (a signature, an HTTP header, output the user asked for).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// Parsing never fails: any text can be a secret. This makes it a command-line option
/// type (argh takes every `FromStr`), so `--token-code` never shows in `Debug`.
impl std::str::FromStr for SecretString {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A URL as messages show it: `scheme://user:pass@host` as `scheme://<redacted>@host`,
/// and `user:pass@host:port` without a scheme (proxy variables are often written so) as
/// `<redacted>@host:port`. Everything before the last `@` after the scheme goes, also
/// when the rest does not parse: a URL being refused is still shown, never its password.
pub fn redact_userinfo(url: &str) -> String {
    let start = url.find("://").map_or(0, |s| s + 3);
    match url[start..].rfind('@') {
        Some(at) => format!("{}<redacted>{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_redacted_with_or_without_a_scheme() {
        for (url, shown) in [
            ("http://user:pw@proxy:3128", "http://<redacted>@proxy:3128"),
            ("alice:S3cr3t@127.0.0.1:8080", "<redacted>@127.0.0.1:8080"),
            ("http://u:p@ss@h/", "http://<redacted>@h/"),
            ("http://proxy:3128", "http://proxy:3128"),
            ("proxy:3128", "proxy:3128"),
        ] {
            assert_eq!(redact_userinfo(url), shown, "{url}");
        }
    }

    #[test]
    fn debug_and_display_redact() {
        let s = SecretString::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    }
}
