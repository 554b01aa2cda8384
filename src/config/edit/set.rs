//! Keys set in one profile of a hand-written config file, as the AWS CLI's
//! `ConfigFileWriter.update_config` does for `aws login` and `aws configure set`: the
//! profile's section (`[default]` or `[profile NAME]`; the last one of that name, which is
//! the one botocore reads) gets each key in place, or after its last property, or in place
//! of its commented-out `#key = …` line; a profile not in the file is appended as a new
//! section. Everything else stays byte for byte. Pure.

use super::super::Affects;
use super::super::FileKind;
use super::super::generate::Section;
use super::lines::{Line, blocks_by, dominant_ending, is_blank, split_lines};
use super::update;

/// `text` (a config file) with `keys` set in profile `profile`'s section, and whether
/// anything changed.
pub fn set_profile_keys(text: &str, profile: &str, keys: &[(&str, &str)]) -> (String, bool) {
    set_keys(text, FileKind::Config, profile, keys)
}

/// `text` (a shared credentials file, whose sections are `[NAME]`) with `keys` set in
/// profile `profile`'s section, and whether anything changed: `dumpcreds
/// --write-profile`, as `aws configure set` writes the credentials file.
pub fn set_credentials_keys(text: &str, profile: &str, keys: &[(&str, &str)]) -> (String, bool) {
    set_keys(text, FileKind::Credentials, profile, keys)
}

fn set_keys(text: &str, kind: FileKind, profile: &str, keys: &[(&str, &str)]) -> (String, bool) {
    let mut lines = split_lines(text);
    let newline = dominant_ending(&lines);
    let header = match kind {
        FileKind::Config if profile != "default" => format!("profile {profile}"),
        _ => profile.to_owned(),
    };
    let section = Section {
        header: header.clone(),
        name: profile.to_owned(),
        comment_above: None,
        keys: keys
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        trailing: Vec::new(),
        assignment: None,
        named_by_user: true,
    };
    let classify: fn(&str) -> Affects = match kind {
        FileKind::Config => super::super::normalize::classify_config,
        FileKind::Credentials => |name| Affects::Profile(name.to_owned()),
    };
    let found = blocks_by(&lines, classify);
    let changed = match found
        .iter()
        .rev()
        .find(|b| b.what == Affects::Profile(profile.to_owned()))
    {
        Some(block) => update(&mut lines, block, &section, newline),
        None => {
            if let Some(last) = lines.last_mut()
                && last.end.is_empty()
            {
                last.end = newline;
            }
            if lines.last().is_some_and(|l| !is_blank(l)) {
                lines.push(Line {
                    text: String::new(),
                    end: newline,
                });
            }
            lines.push(Line {
                text: format!("[{header}]"),
                end: newline,
            });
            for (key, value) in keys {
                lines.push(Line {
                    text: format!("{key} = {value}"),
                    end: newline,
                });
            }
            true
        }
    };
    let mut out = String::with_capacity(text.len() + 128);
    for line in &lines {
        out.push_str(&line.text);
        out.push_str(line.end);
    }
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: &str = "arn:aws:iam::111122223333:user/alice";

    #[test]
    fn a_key_goes_into_the_profile_and_nothing_else_moves() {
        let text = "# mine\r\n[default]\r\nregion = eu-west-1\r\n\r\n[profile dev]\r\n# note\r\noutput = json\r\n\r\n[profile other]\r\nregion = us-east-1";
        let (out, changed) = set_profile_keys(text, "dev", &[("login_session", SESSION)]);
        assert!(changed);
        assert_eq!(
            out,
            format!(
                "# mine\r\n[default]\r\nregion = eu-west-1\r\n\r\n[profile dev]\r\n# note\r\noutput = json\r\nlogin_session = {SESSION}\r\n\r\n[profile other]\r\nregion = us-east-1"
            )
        );
        // Again: nothing to do.
        let (again, changed) = set_profile_keys(&out, "dev", &[("login_session", SESSION)]);
        assert!(!changed);
        assert_eq!(again, out);
        // A new value replaces the old one in place.
        let (moved, changed) =
            set_profile_keys(&out, "dev", &[("login_session", "arn:aws:iam::1:root")]);
        assert!(changed);
        assert!(moved.contains("output = json\r\nlogin_session = arn:aws:iam::1:root\r\n"));
        assert_eq!(moved.matches("login_session").count(), 1);
    }

    #[test]
    fn a_missing_profile_is_appended_and_default_has_its_own_header() {
        let (out, changed) = set_profile_keys(
            "[profile a]\nregion = x",
            "new",
            &[("login_session", SESSION), ("region", "eu-central-1")],
        );
        assert!(changed);
        assert_eq!(
            out,
            format!(
                "[profile a]\nregion = x\n\n[profile new]\nlogin_session = {SESSION}\nregion = eu-central-1\n"
            )
        );
        let (out, _) = set_profile_keys("", "default", &[("login_session", SESSION)]);
        assert_eq!(out, format!("[default]\nlogin_session = {SESSION}\n"));
        // `[profile default]` is the default profile too.
        let (out, _) = set_profile_keys(
            "[profile default]\nregion = x\n",
            "default",
            &[("login_session", SESSION)],
        );
        assert_eq!(
            out,
            format!("[profile default]\nregion = x\nlogin_session = {SESSION}\n")
        );
    }
}
