//! Differential: the shared-file parser against a model of the rules botocore's
//! `RawConfigParser` applies, on files built from the fuzzer's bytes out of sections,
//! properties (`=` or `:`, blanks around either side, keys in any case), comments (`#`
//! and `;`, indented or not), blank lines, indented headers and every line ending
//! (`\n`, `\r\n`, a lone `\r`); a header is indented only where it cannot continue a
//! value (configparser reads an indented line after a property, even past blank lines
//! and comments, as a continuation). For these files the model's answer is known exactly:
//! each header's name as written, each key lower-cased and its value trimmed, split at
//! the first `=` or `:`, and nothing reported as a problem.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The bytes, read a choice at a time (zero when they run out).
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn next(&mut self, below: u8) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b % below
    }

    fn text(&mut self, alphabet: &[u8], min: u8, max: u8) -> String {
        let len = min + self.next(max - min + 1);
        (0..len)
            .map(|_| char::from(alphabet[usize::from(self.next(alphabet.len() as u8))]))
            .collect()
    }

    fn blanks(&mut self) -> String {
        [" ", "\t", "", "", "  "][usize::from(self.next(5))].to_owned()
    }
}

type Model = Vec<(String, Vec<(String, String)>)>;

fuzz_target!(|data: &[u8]| {
    let mut c = Choices(data);
    let endings = ["\n", "\r\n", "\r"];
    let mut text = String::new();
    let mut model: Model = Vec::new();
    // After a property, a more indented line continues its value (a header too), even
    // past blank lines and comments: configparser keeps empty lines in values.
    let mut after_property = false;
    let sections = c.next(5);
    for s in 0..sections {
        // Comments and blank lines before the header.
        for _ in 0..c.next(3) {
            match c.next(3) {
                0 => text.push_str(&format!("{}# {}", c.blanks(), c.text(b"ab =:[]", 0, 6))),
                1 => text.push_str(&format!(";{}", c.text(b"ab =:", 0, 6))),
                _ => text.push_str(&c.blanks()),
            }
            text.push_str(endings[usize::from(c.next(3))]);
        }
        let name = format!(
            "{}{s}",
            ["", "profile ", "sso-session ", "default"][usize::from(c.next(4))]
        ) + &c.text(b"abz09-_. ", 0, 5);
        let indent = if after_property {
            String::new()
        } else {
            c.blanks()
        };
        text.push_str(&format!("{indent}[{name}]"));
        after_property = false;
        text.push_str(endings[usize::from(c.next(3))]);
        let mut properties = Vec::new();
        let mut keys = std::collections::HashSet::new();
        for _ in 0..c.next(6) {
            let key = c.text(b"abcXYZ_09", 1, 6);
            if !keys.insert(key.to_ascii_lowercase()) {
                continue;
            }
            let delimiter = if c.next(2) == 0 { "=" } else { ":" };
            let value = c.text(b"aZ9/+=:. -#;", 0, 8);
            text.push_str(&format!(
                "{key}{}{delimiter}{}{value}{}",
                c.blanks(),
                c.blanks(),
                c.blanks()
            ));
            text.push_str(endings[usize::from(c.next(3))]);
            after_property = true;
            if c.next(4) == 0 {
                text.push_str(&format!("{}# between{}", c.blanks(), endings[0]));
            }
            properties.push((key.to_ascii_lowercase(), value.trim().to_owned()));
        }
        model.push((name, properties));
    }

    let parsed = aws_login::config::parse(text.as_bytes(), "model");
    assert!(
        parsed.problems.is_empty(),
        "{text:?}: {:?}",
        parsed.problems
    );
    let got: Model = parsed
        .sections
        .iter()
        .map(|s| {
            let properties = s
                .properties
                .iter()
                .map(|(k, v, _)| (k.clone(), v.clone()))
                .collect();
            (s.name.clone(), properties)
        })
        .collect();
    assert_eq!(got, model, "{text:?}");
});
