//! Reads the XML of Query-protocol services (STS, EC2) into a flat list of leaf elements
//! and their text, and errors into [`AwsError`]. Pure: bytes in, values out.
//!
//! Results are looked up by path suffix (`Credentials/AccessKeyId`), so element order and
//! elements we do not know do not matter, as in AWS's own parsers.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::error::{AwsError, ResponseError};

/// The leaf elements of a document: (`Root/Parent/Leaf`, text), in document order.
pub(crate) struct Leaves {
    root: String,
    items: Vec<(String, String)>,
}

fn malformed(status: u16, detail: impl Into<String>) -> ResponseError {
    ResponseError::Malformed {
        status,
        detail: detail.into(),
    }
}

impl Leaves {
    /// Parses `body`; `status` only labels errors.
    pub(crate) fn parse(status: u16, body: &[u8]) -> Result<Leaves, ResponseError> {
        let text = std::str::from_utf8(body).map_err(|_| malformed(status, "body is not UTF-8"))?;
        if !text.trim_start().starts_with('<') {
            return Err(malformed(
                status,
                format!("body is not XML ({} bytes)", body.len()),
            ));
        }
        let mut reader = Reader::from_str(text);
        reader.config_mut().trim_text(true);
        let mut path: Vec<String> = Vec::new();
        let mut root = None;
        let mut items = Vec::new();
        let mut pending: Option<String> = None;
        loop {
            let event = reader.read_event().map_err(|e| {
                malformed(
                    status,
                    format!("XML error at byte {}: {e}", reader.buffer_position()),
                )
            })?;
            match event {
                Event::Start(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if root.is_none() {
                        root = Some(name.clone());
                    } else if path.is_empty() {
                        return Err(malformed(status, "more than one root element"));
                    }
                    path.push(name);
                    pending = Some(String::new());
                }
                Event::Empty(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if root.is_none() {
                        root = Some(name.clone());
                    }
                    items.push((format!("{}/{name}", path.join("/")), String::new()));
                    pending = None;
                }
                Event::Text(t) => {
                    let t = t
                        .unescape()
                        .map_err(|e| malformed(status, format!("bad XML text: {e}")))?;
                    if let Some(p) = pending.as_mut() {
                        p.push_str(&t);
                    }
                }
                Event::CData(c) => {
                    if let Some(p) = pending.as_mut() {
                        p.push_str(&String::from_utf8_lossy(&c));
                    }
                }
                Event::End(_) => {
                    if let Some(text) = pending.take() {
                        items.push((path.join("/"), text));
                    }
                    path.pop();
                }
                Event::Eof => break,
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        if !path.is_empty() {
            return Err(malformed(
                status,
                "body ends inside an element (truncated?)",
            ));
        }
        let root = root.ok_or_else(|| malformed(status, "no XML element"))?;
        Ok(Leaves { root, items })
    }

    /// The name of the root element.
    pub(crate) fn root(&self) -> &str {
        &self.root
    }

    /// The text of the first leaf whose path ends with `/suffix`.
    pub(crate) fn get(&self, suffix: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(path, _)| {
                path.strip_suffix(suffix)
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('/'))
            })
            .map(|(_, text)| text.as_str())
    }

    /// The AWS error this document describes, if it is an error document.
    pub(crate) fn aws_error(&self, status: u16) -> Option<AwsError> {
        let code = self.get("Error/Code")?;
        Some(AwsError {
            status,
            kind: self.get("Error/Type").map(str::to_owned),
            code: code.to_owned(),
            message: self.get("Error/Message").unwrap_or_default().to_owned(),
            request_id: self
                .get("RequestId")
                .or_else(|| self.get("RequestID"))
                .map(str::to_owned),
        })
    }
}

/// Reads a response: the leaves of a 2xx result, or the error it describes.
pub(crate) fn read_response(status: u16, body: &[u8]) -> Result<Leaves, ResponseError> {
    let leaves = Leaves::parse(status, body)?;
    if let Some(error) = leaves.aws_error(status) {
        return Err(ResponseError::Aws(error));
    }
    if !(200..300).contains(&status) {
        return Err(malformed(
            status,
            format!(
                "error status with a <{}> body and no error code",
                leaves.root()
            ),
        ));
    }
    Ok(leaves)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_by_suffix_in_order() {
        let body = br#"<?xml version="1.0"?><R xmlns="x"><A><B>1</B><B>2</B><C/></A><D>a &amp; b</D><E><![CDATA[<raw>]]></E></R>"#;
        let l = Leaves::parse(200, body).unwrap();
        assert_eq!(l.root(), "R");
        assert_eq!(l.get("A/B"), Some("1"));
        assert_eq!(l.get("C"), Some(""));
        assert_eq!(l.get("D"), Some("a & b"));
        assert_eq!(l.get("E"), Some("<raw>"));
        assert_eq!(l.get("XB"), None);
    }

    #[test]
    fn sts_and_ec2_errors() {
        let sts = br#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>"#;
        let Err(ResponseError::Aws(e)) = read_response(403, sts) else {
            panic!("not an AWS error");
        };
        assert_eq!(
            (e.kind.as_deref(), e.code.as_str(), e.message.as_str()),
            (Some("Sender"), "AccessDenied", "not allowed")
        );
        assert_eq!(
            e.request_id.as_deref(),
            Some("c6104cbe-af31-11e0-8154-cbc7ccf896c7")
        );
        assert!(e.to_string().contains("request id c6104cbe"), "{e}");
        assert!(e.to_string().contains("hint:"), "{e}");

        let ec2 = br#"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>ab12</RequestID></Response>"#;
        let Err(ResponseError::Aws(e)) = read_response(503, ec2) else {
            panic!("not an AWS error");
        };
        assert_eq!(
            (e.code.as_str(), e.request_id.as_deref()),
            ("RequestLimitExceeded", Some("ab12"))
        );
    }

    #[test]
    fn bad_bodies_are_errors_naming_the_status() {
        for (body, want) in [
            (
                &b"<html><body>502 Bad Gateway</body></html>"[..],
                "no error code",
            ),
            (b"Service Unavailable", "not XML"),
            (b"<A><B>1</B>", "truncated"),
            (b"<A><B>1</C></A>", "XML error"),
            (b"", "not XML"),
            (b"\xff\xfe", "UTF-8"),
        ] {
            let err = read_response(502, body)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("HTTP 502") && err.contains(want), "{err}");
        }
    }

    #[test]
    fn errors_never_quote_the_body() {
        let body = b"<AssumeRoleResponse><Credentials><SecretAccessKey>TOPSECRET</SecretAccessKey>";
        let err = read_response(200, body)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!err.contains("TOPSECRET"), "{err}");
    }
}
