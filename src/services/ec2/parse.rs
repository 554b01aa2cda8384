//! EC2's XML answers read: instances (RunInstances, DescribeInstances), state changes
//! (TerminateInstances), an instance attribute, the encoded message of
//! `UnauthorizedOperation`, and any answer as JSON (`ec2 call`). Pure.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::super::ResponseError;
use super::super::xml::{Leaves, read_response};

/// An instance as EC2 describes it (the fields aws-login shows).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Instance {
    /// `instanceId`.
    pub instance_id: String,
    /// `instanceState/name`: pending, running, shutting-down, terminated, stopping, stopped.
    pub state: String,
    /// `stateReason/message`, when EC2 says why (a launch that failed).
    pub state_reason: Option<String>,
    /// `instanceType`.
    pub instance_type: String,
    /// `imageId`.
    pub image_id: String,
    /// `launchTime` (ISO 8601).
    pub launch_time: String,
    /// `placement/availabilityZone`.
    pub availability_zone: String,
    /// `privateIpAddress`.
    pub private_ip: Option<String>,
    /// `ipAddress` (the public one).
    pub public_ip: Option<String>,
    /// `tagSet`: (key, value).
    pub tags: Vec<(String, String)>,
}

impl Instance {
    /// The value of tag `key`.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn missing(status: u16, field: &'static str) -> ResponseError {
    ResponseError::MissingField { status, field }
}

fn instance(status: u16, item: &Leaves) -> Result<Instance, ResponseError> {
    let text = |path: &str| item.get(path).map(str::to_owned);
    let tags = item
        .sections("item/tagSet/item")
        .iter()
        .filter_map(|t| {
            Some((
                t.get("item/key")?.to_owned(),
                t.get("item/value").unwrap_or_default().to_owned(),
            ))
        })
        .collect();
    Ok(Instance {
        instance_id: text("item/instanceId").ok_or_else(|| missing(status, "instanceId"))?,
        state: text("item/instanceState/name").unwrap_or_default(),
        state_reason: text("item/stateReason/message"),
        instance_type: text("item/instanceType").unwrap_or_default(),
        image_id: text("item/imageId").unwrap_or_default(),
        launch_time: text("item/launchTime").unwrap_or_default(),
        availability_zone: text("item/placement/availabilityZone").unwrap_or_default(),
        private_ip: text("item/privateIpAddress"),
        public_ip: text("item/ipAddress"),
        tags,
    })
}

/// `body` read, if its root element is one of `roots` (the action's `…Response`): a 200
/// of some other XML or of HTML (a captive portal, a proxy's page) is not an answer with
/// nothing in it. The fault matrix found an HTML page read as "no instances".
fn answer_of(status: u16, body: &[u8], roots: &[&str]) -> Result<Leaves, ResponseError> {
    let leaves = read_response(status, body)?;
    if roots.contains(&leaves.root()) {
        Ok(leaves)
    } else {
        Err(ResponseError::Malformed {
            status,
            detail: format!("not a {} answer", roots.join(" or ")),
        })
    }
}

/// The instances of a RunInstances or DescribeInstances answer, and the `nextToken` of
/// the next page.
pub fn parse_instances(
    status: u16,
    body: &[u8],
) -> Result<(Vec<Instance>, Option<String>), ResponseError> {
    let leaves = answer_of(
        status,
        body,
        &["DescribeInstancesResponse", "RunInstancesResponse"],
    )?;
    let instances = leaves
        .sections("instancesSet/item")
        .iter()
        .map(|item| instance(status, item))
        .collect::<Result<Vec<_>, _>>()?;
    let next = leaves
        .get("nextToken")
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    Ok((instances, next))
}

/// An image as DescribeImages describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Image {
    /// `imageId`.
    pub image_id: String,
    /// `name`.
    pub name: String,
    /// `imageState`: pending, available, invalid, deregistered...
    pub state: String,
    /// `architecture`: x86_64, arm64...
    pub architecture: String,
}

/// The images of a DescribeImages answer.
pub fn parse_images(status: u16, body: &[u8]) -> Result<Vec<Image>, ResponseError> {
    let leaves = answer_of(status, body, &["DescribeImagesResponse"])?;
    leaves
        .sections("imagesSet/item")
        .iter()
        .map(|item| {
            let text = |p: &str| item.get(p).unwrap_or_default().to_owned();
            Ok(Image {
                image_id: item
                    .get("item/imageId")
                    .ok_or_else(|| missing(status, "imageId"))?
                    .to_owned(),
                name: text("item/name"),
                state: text("item/imageState"),
                architecture: text("item/architecture"),
            })
        })
        .collect()
}

/// One instance's state change (TerminateInstances).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// `instanceId`.
    pub instance_id: String,
    /// `previousState/name`.
    pub previous: String,
    /// `currentState/name`.
    pub current: String,
}

/// The state changes of a TerminateInstances answer.
pub fn parse_terminate(status: u16, body: &[u8]) -> Result<Vec<StateChange>, ResponseError> {
    let leaves = answer_of(status, body, &["TerminateInstancesResponse"])?;
    leaves
        .sections("instancesSet/item")
        .iter()
        .map(|item| {
            Ok(StateChange {
                instance_id: item
                    .get("item/instanceId")
                    .ok_or_else(|| missing(status, "instanceId"))?
                    .to_owned(),
                previous: item
                    .get("item/previousState/name")
                    .unwrap_or_default()
                    .to_owned(),
                current: item
                    .get("item/currentState/name")
                    .unwrap_or_default()
                    .to_owned(),
            })
        })
        .collect()
}

/// The value of a DescribeInstanceAttribute answer (`userData/value`, or the first
/// `.../value`); `None` when the attribute is empty.
pub fn parse_instance_attribute(status: u16, body: &[u8]) -> Result<Option<String>, ResponseError> {
    let leaves = answer_of(status, body, &["DescribeInstanceAttributeResponse"])?;
    Ok(leaves.get("value").map(str::to_owned))
}

/// The encoded part of an `UnauthorizedOperation` message ("... Encoded authorization
/// failure message: XYZ"), for STS DecodeAuthorizationMessage.
pub fn encoded_authorization_message(message: &str) -> Option<&str> {
    let (_, encoded) = message.split_once("Encoded authorization failure message:")?;
    let encoded = encoded.trim();
    (!encoded.is_empty() && !encoded.contains(char::is_whitespace)).then_some(encoded)
}

/// The deepest nesting `xml_to_json` reads (EC2's answers are a few levels deep).
const MAX_DEPTH: usize = 64;

/// An element read: its name, its text, its children in order.
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or(&name).to_owned()
}

fn to_json(element: &Element) -> serde_json::Value {
    use serde_json::Value;
    if element.children.is_empty() {
        // EC2's lists end in `Set` and are empty elements when they hold nothing.
        return if element.text.is_empty() && element.name.ends_with("Set") {
            Value::Array(Vec::new())
        } else {
            Value::String(element.text.clone())
        };
    }
    if element
        .children
        .iter()
        .all(|c| c.name == "item" || c.name == "member")
    {
        return Value::Array(element.children.iter().map(to_json).collect());
    }
    let mut map = serde_json::Map::new();
    for child in &element.children {
        let value = to_json(child);
        match map.get_mut(&child.name) {
            Some(Value::Array(list)) if child.name.ends_with("Set") => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = match first {
                    Value::Array(mut list) => {
                        list.push(value);
                        Value::Array(list)
                    }
                    other => Value::Array(vec![other, value]),
                };
            }
            None => {
                map.insert(child.name.clone(), value);
            }
        }
    }
    Value::Object(map)
}

/// Any EC2 answer as JSON: each element an object of its children, a list (`...Set`
/// of `<item>`s) an array, a leaf its text; the root element's content is the value.
/// Errors: the AWS error the answer describes, or XML that does not parse.
pub fn xml_to_json(status: u16, body: &[u8]) -> Result<serde_json::Value, ResponseError> {
    read_response(status, body)?;
    let malformed = |detail: &str| ResponseError::Malformed {
        status,
        detail: detail.to_owned(),
    };
    let text = std::str::from_utf8(body).map_err(|_| malformed("body is not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) if stack.len() >= MAX_DEPTH => {
                return Err(malformed("the XML is nested too deep"));
            }
            Ok(Event::Start(e)) => stack.push(Element {
                name: local(e.name().as_ref()),
                text: String::new(),
                children: Vec::new(),
            }),
            Ok(Event::Empty(e)) => {
                let element = Element {
                    name: local(e.name().as_ref()),
                    text: String::new(),
                    children: Vec::new(),
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Ok(Event::Text(t)) => {
                let t = t.unescape().map_err(|_| malformed("bad XML text"))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::End(_)) => {
                let element = stack.pop().ok_or_else(|| malformed("unbalanced XML"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return Err(malformed("body is not well-formed XML")),
        }
    }
    let root = root.ok_or_else(|| malformed("no root element"))?;
    Ok(match to_json(&root) {
        serde_json::Value::String(s) if s.is_empty() => serde_json::json!({}),
        value => value,
    })
}
