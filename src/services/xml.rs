//! Reads the XML of Query-protocol services (STS, EC2) into a flat list of leaf elements
//! and their text, and errors into [`AwsError`]. Pure: bytes in, values out.
//!
//! Results are looked up by path suffix (`Credentials/AccessKeyId`), so element order and
//! elements we do not know do not matter, as in AWS's own parsers. Lists (EC2's `<item>`
//! elements) are read with [`Leaves::all`] (every match) and [`Leaves::sections`] (each
//! list element as a document of its own, so the fields of one item stay together).

use quick_xml::Reader;
use quick_xml::events::Event;

use super::error::{AwsError, ResponseError};

/// The leaf elements of a document: (`Root/Parent/Leaf`, text), in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leaves {
    root: String,
    items: Vec<Leaf>,
    /// Every element: its path, its id (ids count elements in document order) and the id
    /// after its last descendant (its descendants are the ids between).
    elements: Vec<(String, usize, usize)>,
}

/// One leaf: its path from the root, its text, and the ids of the elements it is inside.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Leaf {
    path: String,
    text: String,
    inside: Vec<usize>,
}

/// Whether `path` ends with the element path `suffix` (whole names only).
fn ends_with(path: &str, suffix: &str) -> bool {
    path.strip_suffix(suffix)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('/'))
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
        let mut ids: Vec<usize> = Vec::new();
        let mut elements = Vec::new();
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
                    ids.push(elements.len());
                    elements.push((path.join("/"), elements.len(), usize::MAX));
                    pending = Some(String::new());
                }
                Event::Empty(e) => {
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if root.is_none() {
                        root = Some(name.clone());
                    }
                    let full = if path.is_empty() {
                        name
                    } else {
                        format!("{}/{name}", path.join("/"))
                    };
                    let mut inside = ids.clone();
                    let id = elements.len();
                    inside.push(id);
                    elements.push((full.clone(), id, id + 1));
                    items.push(Leaf {
                        path: full,
                        text: String::new(),
                        inside,
                    });
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
                        items.push(Leaf {
                            path: path.join("/"),
                            text,
                            inside: ids.clone(),
                        });
                    }
                    path.pop();
                    if let Some(id) = ids.pop() {
                        let end = elements.len();
                        if let Some(element) = elements.get_mut(id) {
                            element.2 = end;
                        }
                    }
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
        Ok(Leaves {
            root,
            items,
            elements,
        })
    }

    /// The name of the root element.
    pub(crate) fn root(&self) -> &str {
        &self.root
    }

    /// The text of the first leaf whose path ends with `/suffix`.
    pub(crate) fn get(&self, suffix: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|leaf| ends_with(&leaf.path, suffix))
            .map(|leaf| leaf.text.as_str())
    }

    /// The text of every leaf whose path ends with `/suffix`, in document order
    /// (`instancesSet/item/instanceId` gives every instance id).
    #[allow(dead_code)] // EC2's lists (DescribeInstances...) are the first users; tested below.
    pub(crate) fn all(&self, suffix: &str) -> Vec<&str> {
        self.items
            .iter()
            .filter(|leaf| ends_with(&leaf.path, suffix))
            .map(|leaf| leaf.text.as_str())
            .collect()
    }

    /// Each element whose path ends with `/suffix` (`reservationSet/item`), as a document
    /// of its own: its leaves, with paths from that element (`instancesSet/item/...`), so
    /// the fields of one list item are read together. In document order; nested lists are
    /// read again the same way.
    pub(crate) fn sections(&self, suffix: &str) -> Vec<Leaves> {
        self.elements
            .iter()
            .filter(|(path, _, _)| ends_with(path, suffix))
            .map(|(path, id, end)| {
                let prefix = format!("{path}/");
                let name = path.rsplit('/').next().unwrap_or(path).to_owned();
                Leaves {
                    root: name.clone(),
                    items: self
                        .items
                        .iter()
                        .filter(|leaf| leaf.inside.contains(id))
                        .map(|leaf| Leaf {
                            path: format!(
                                "{name}/{}",
                                leaf.path.strip_prefix(&prefix).unwrap_or(&leaf.path)
                            ),
                            text: leaf.text.clone(),
                            inside: leaf.inside.clone(),
                        })
                        .collect(),
                    elements: self
                        .elements
                        .get(*id..*end)
                        .unwrap_or_default()
                        .iter()
                        .map(|(p, e, e_end)| {
                            let relative = p
                                .strip_prefix(&prefix)
                                .map_or_else(|| name.clone(), |rest| format!("{name}/{rest}"));
                            (relative, *e, *e_end)
                        })
                        .collect(),
                }
            })
            .collect()
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
    fn every_match_and_each_list_item_are_read() {
        // The shape of EC2's DescribeInstances: a list of reservations, each with a list
        // of instances, each with a list of its own (groupSet).
        let body = br#"<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-0</requestId>
  <reservationSet>
    <item><reservationId>r-1</reservationId>
      <instancesSet>
        <item><instanceId>i-1</instanceId><instanceState><name>running</name></instanceState>
          <groupSet><item><groupId>sg-1</groupId></item><item><groupId>sg-2</groupId></item></groupSet></item>
        <item><instanceId>i-2</instanceId><instanceState><name>pending</name></instanceState><groupSet/></item>
      </instancesSet>
    </item>
    <item><reservationId>r-2</reservationId>
      <instancesSet><item><instanceId>i-3</instanceId><instanceState><name>stopped</name></instanceState></item></instancesSet>
    </item>
  </reservationSet>
</DescribeInstancesResponse>"#;
        let l = Leaves::parse(200, body).unwrap();
        assert_eq!(l.all("instancesSet/item/instanceId"), ["i-1", "i-2", "i-3"]);
        assert_eq!(l.all("groupSet/item/groupId"), ["sg-1", "sg-2"]);
        assert_eq!(l.get("instanceId"), Some("i-1"));
        let reservations = l.sections("reservationSet/item");
        assert_eq!(reservations.len(), 2);
        assert_eq!(reservations[1].get("reservationId"), Some("r-2"));
        let instances: Vec<(String, String, Vec<String>)> = reservations
            .iter()
            .flat_map(|r| r.sections("instancesSet/item"))
            .map(|i| {
                (
                    i.get("instanceId").unwrap_or_default().to_owned(),
                    i.get("instanceState/name").unwrap_or_default().to_owned(),
                    i.all("groupSet/item/groupId")
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            instances,
            [
                (
                    "i-1".into(),
                    "running".into(),
                    vec!["sg-1".into(), "sg-2".into()]
                ),
                ("i-2".into(), "pending".into(), vec![]),
                ("i-3".into(), "stopped".into(), vec![]),
            ]
        );
        assert!(l.sections("nothing/here").is_empty());
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
