//! What `aws-login request` makes of its words, before anything is sent: the method and
//! URL, the headers (`-H 'Name: value'`), and the body (`-d`, `--data-binary`, `--json`,
//! each text, `@FILE` or `@-`), as curl reads them where curl is clear.

use std::fmt;
use std::io::Read as _;
use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

/// Why the words do not make a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum RequestError {
    /// No URL, or more than `METHOD URL`.
    Target,
    /// The method is not an HTTP token.
    Method(String),
    /// The URL cannot be sent (why).
    Url(String),
    /// `-H` is not `Name: value`, or names a header the signature sets.
    Header(String),
    /// `-d`, `--data-binary` and `--json` mixed.
    MixedData,
    /// A data file or stdin could not be read.
    Data {
        /// `@FILE` or `@-`.
        source_name: String,
        /// Why.
        source: std::io::Error,
    },
    /// The service and region cannot be told from the host.
    CannotInfer(String),
    /// The same header given twice.
    RepeatedHeader(String),
    /// `--service` or `--region-set` cannot go in a signature.
    Scope(String),
    /// An output file cannot be written.
    Output {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Target => f.write_str(
                "give the URL, or the method and the URL: aws-login request [METHOD] URL",
            ),
            Self::Method(m) => write!(f, "{m:?} is not an HTTP method"),
            Self::Url(why) => write!(f, "the URL cannot be sent: {why}"),
            Self::Header(why) => write!(f, "-H {why}"),
            Self::MixedData => f.write_str("-d, --data-binary and --json exclude each other"),
            Self::Data { source_name, .. } => write!(f, "cannot read the data of {source_name}"),
            Self::CannotInfer(what) => write!(f, "{what}"),
            Self::RepeatedHeader(name) => write!(
                f,
                "-H {name} is given twice: give it once, its values joined with ', ' if it takes several"
            ),
            Self::Scope(why) => f.write_str(why),
            Self::Output { path, .. } => write!(f, "cannot write the answer to {path}"),
        }
    }
}

impl std::error::Error for RequestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Data { source, .. } | Self::Output { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl RequestError {
    /// Its kind: what the user typed is a usage error; files are failures.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::Data { .. } | Self::Output { .. } => crate::error_kind::ErrorKind::Failure,
            _ => crate::error_kind::ErrorKind::Usage,
        }
    }
}

/// The method and URL of `[METHOD] URL`; the method is GET, or POST with data.
pub fn target(words: &[String], has_data: bool) -> Result<(String, String), RequestError> {
    let (method, url) = match words {
        [url] => (
            if has_data { "POST" } else { "GET" }.to_owned(),
            url.clone(),
        ),
        [method, url] => (method.clone(), url.clone()),
        _ => return Err(RequestError::Target),
    };
    if !crate::sigv4::is_http_token(&method) {
        return Err(RequestError::Method(method));
    }
    Ok((method, url))
}

/// `url` as it can go on the wire: bytes a URI may not hold raw (spaces, non-ASCII,
/// quotes...) percent-encoded, everything else (existing `%XX`, reserved characters)
/// as written. A fragment is refused: it is never sent.
pub fn wire_url(url: &str) -> Result<String, RequestError> {
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return Err(RequestError::Url(
            "it must start with https:// or http://".into(),
        ));
    }
    if url.contains('#') {
        return Err(RequestError::Url("a #fragment is never sent".into()));
    }
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b) {
            out.push(char::from(b));
        } else if b.is_ascii_control() && b != b' ' {
            return Err(RequestError::Url("it holds a control character".into()));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    let uri: hyper::Uri = out
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| RequestError::Url(e.to_string()))?;
    if !matches!(uri.scheme_str(), Some("https" | "http")) || uri.host().is_none_or(str::is_empty) {
        return Err(RequestError::Url(
            "it must be an http:// or https:// URL with a host".into(),
        ));
    }
    if !crate::http::client::port_ok(&uri) {
        return Err(RequestError::Url("its port is not one (1 to 65535)".into()));
    }
    Ok(out)
}

/// Headers the signature or the transport sets: given with -H they would be wrong.
const SET_BY_US: [&str; 6] = [
    "host",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "content-length",
    "x-amz-content-sha256",
];

/// A `-H` as curl reads it: `Name: value` (the value trimmed), `Name:` (no such header:
/// one aws-login would add, such as `--json`'s `Accept`, is left out), `Name;` (the header
/// with an empty value). `None` as the value: leave the header out.
pub fn header(text: &str) -> Result<(String, Option<String>), RequestError> {
    let (name, value) = match text.split_once(':') {
        Some((name, value)) => (name, Some(value.trim())),
        None => match text.strip_suffix(';') {
            Some(name) => (name, Some("")),
            None => {
                return Err(RequestError::Header(format!(
                    "{text:?} is not 'Name: value' (or 'Name;' for an empty value)"
                )));
            }
        },
    };
    let empty_means_remove = text.contains(':');
    let name = name.trim();
    if !crate::sigv4::is_http_token(name) {
        return Err(RequestError::Header(format!(
            "{name:?} is not a header name"
        )));
    }
    if SET_BY_US.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return Err(RequestError::Header(format!(
            "{name} is set by aws-login (the URL's host, the signature, the body's length)"
        )));
    }
    let value = value.unwrap_or_default();
    if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
        return Err(RequestError::Header(format!(
            "{name}'s value holds a control character"
        )));
    }
    if !value.is_ascii() {
        return Err(RequestError::Header(format!(
            "{name}'s value is not ASCII, which a signed header cannot be: percent-encode it (or use RFC 2047)"
        )));
    }
    if value.is_empty() && empty_means_remove {
        return Ok((name.to_owned(), None));
    }
    Ok((name.to_owned(), Some(value.to_owned())))
}

/// Where a body comes from.
#[derive(Debug)]
pub enum Data {
    /// Bytes (text given, a `-d @FILE` read whole).
    Bytes(Vec<u8>),
    /// A file sent as it is, streamed (`--data-binary @FILE`, `--json @FILE`).
    File(PathBuf),
    /// Stdin or a pipe (`@-`, `@<(cmd)`), copied to a temporary file first (removed when
    /// this is dropped), so that it can be hashed, sent and sent again in bounded memory.
    Spooled(tempfile::TempPath),
}

impl Data {
    /// The file the body is sent from, if it is not bytes.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::Bytes(_) => None,
            Self::File(p) => Some(p),
            Self::Spooled(p) => Some(p),
        }
    }
}

/// Reads `-d` values: each text, `@FILE` (its line breaks dropped, as curl does) or `@-`
/// (stdin, the same); several are joined with `&`.
pub fn form_data(
    values: &[String],
    stdin: &mut dyn std::io::Read,
) -> Result<Vec<u8>, RequestError> {
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        match value.strip_prefix('@') {
            Some(name) => {
                let bytes = read_source(name, stdin)?;
                out.extend(bytes.into_iter().filter(|b| *b != b'\r' && *b != b'\n'));
            }
            None => out.extend_from_slice(value.as_bytes()),
        }
    }
    Ok(out)
}

/// Reads a `--data-binary` or `--json` value: text as given, `@FILE` a regular file left
/// on disk to be streamed, `@-` (stdin) or a pipe (`@<(cmd)`) copied to a temporary file.
pub fn binary_data(value: &str, stdin: &mut dyn std::io::Read) -> Result<Data, RequestError> {
    let Some(name) = value.strip_prefix('@') else {
        return Ok(Data::Bytes(value.as_bytes().to_vec()));
    };
    let failed = |source| RequestError::Data {
        source_name: format!("@{name}"),
        source,
    };
    let spool = |from: &mut dyn std::io::Read| -> Result<Data, RequestError> {
        let mut file = tempfile::NamedTempFile::new().map_err(failed)?;
        std::io::copy(from, &mut file).map_err(failed)?;
        Ok(Data::Spooled(file.into_temp_path()))
    };
    if name == "-" {
        return spool(stdin);
    }
    let path = PathBuf::from(name);
    let meta = std::fs::metadata(&path).map_err(failed)?;
    if meta.is_file() {
        Ok(Data::File(path))
    } else if meta.is_dir() {
        Err(failed(std::io::Error::other("it is a folder")))
    } else {
        spool(&mut std::fs::File::open(&path).map_err(failed)?)
    }
}

fn read_source(name: &str, stdin: &mut dyn std::io::Read) -> Result<Vec<u8>, RequestError> {
    let mut bytes = Vec::new();
    let read = if name == "-" {
        stdin.read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(name).and_then(|mut f| f.read_to_end(&mut bytes).map(drop))
    };
    read.map_err(|source| RequestError::Data {
        source_name: format!("@{name}"),
        source,
    })?;
    Ok(bytes)
}

/// A file's length and SHA-256 (hex), read once in chunks: what its signature needs,
/// before it is sent from disk.
pub fn hash_file(path: &std::path::Path) -> Result<(u64, String), RequestError> {
    let failed = |source| RequestError::Data {
        source_name: format!("@{}", path.display()),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(failed)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; crate::http::body::CHUNK];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(failed)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_and_url_as_curl_reads_them() {
        let w = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(target(&w(&["https://x"]), false).unwrap().0, "GET");
        assert_eq!(target(&w(&["https://x"]), true).unwrap().0, "POST");
        assert_eq!(target(&w(&["PUT", "https://x"]), true).unwrap().0, "PUT");
        assert!(matches!(target(&w(&[]), false), Err(RequestError::Target)));
        assert!(matches!(
            target(&w(&["GE T", "https://x"]), false),
            Err(RequestError::Method(_))
        ));
        assert_eq!(
            wire_url("https://h.example/a b/é?q=1 2").unwrap(),
            "https://h.example/a%20b/%C3%A9?q=1%202"
        );
        assert_eq!(
            wire_url("https://h/a%2Fb//c/../d").unwrap(),
            "https://h/a%2Fb//c/../d"
        );
        assert!(wire_url("https://h/#frag").is_err());
        assert!(wire_url("ftp://h/").is_err());
        assert!(wire_url("https://h/\x01").is_err());
    }

    #[test]
    fn headers_and_data() {
        assert_eq!(
            header("X-Custom:  a b ").unwrap(),
            ("X-Custom".to_owned(), Some("a b".to_owned()))
        );
        assert_eq!(header("Accept:").unwrap(), ("Accept".to_owned(), None));
        assert_eq!(
            header("X-Empty;").unwrap(),
            ("X-Empty".to_owned(), Some(String::new()))
        );
        assert!(header("X-U: \u{fc}").is_err());
        for bad in [
            "nocolon",
            "Bad Name: v",
            "Authorization: x",
            "host: h",
            "X-Amz-Date: 1",
        ] {
            assert!(header(bad).is_err(), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("form");
        std::fs::write(&file, "a=1\r\nb=2\n").unwrap();
        let mut stdin: &[u8] = b"c=3\n";
        let values = vec![
            "x=0".to_owned(),
            format!("@{}", file.display()),
            "@-".to_owned(),
        ];
        assert_eq!(form_data(&values, &mut stdin).unwrap(), b"x=0&a=1b=2&c=3");
        let mut none: &[u8] = b"";
        assert!(matches!(
            binary_data(&format!("@{}", file.display()), &mut none).unwrap(),
            Data::File(f) if f == file
        ));
        let mut raw: &[u8] = b"\x00\x01\n";
        let spooled = binary_data("@-", &mut raw).unwrap();
        assert_eq!(
            std::fs::read(spooled.path().unwrap()).unwrap(),
            b"\x00\x01\n"
        );
        assert!(binary_data(&format!("@{}", dir.path().display()), &mut none).is_err());
        assert!(binary_data("@/nonexistent", &mut none).is_err());
        assert_eq!(
            hash_file(&file).unwrap(),
            (9, hex::encode(Sha256::digest(b"a=1\r\nb=2\n")))
        );
    }
}
