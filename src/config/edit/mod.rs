//! `dumpconfig --merge`: the generated sections put into a user's config file, everything
//! else kept byte for byte (comments, blank lines, continuation lines, other sections,
//! CRLF or lone-CR line endings, a missing final newline, a byte-order mark). Pure: text in,
//! text and a report out.
//!
//! - A section is aws-login's when it holds the marker comment
//!   ([`super::generate::MARKER_PREFIX`]) for the same `sso-session`; any other section is
//!   hand-written and never changed (a generated profile whose name a hand-written one
//!   already has is written under another name, and reported).
//! - aws-login's sections get their generated keys set in place (a line whose value is
//!   already right is not touched; a missing key goes after the section's last property,
//!   or in place of its commented-out `#key = ...` line); keys the user added stay.
//! - New sections are appended at the end, a blank line apart, in the file's line ending.
//! - With `prune`, aws-login's profiles that Identity Center no longer assigns are removed
//!   (the section's own lines: header, properties, marker; comments around it stay).

mod lines;
mod set;

pub use set::{set_credentials_keys, set_profile_keys};

use super::Affects;
use super::generate::{Generated, Section};
use lines::{
    Block, Line, assignment_of, blocks, content, dominant_ending, header_name, indent_of, is_blank,
    own_end, property_key, property_value, split_lines,
};

/// What a merge did, by profile (or session) name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Sections added.
    pub added: Vec<String>,
    /// aws-login's sections whose keys changed.
    pub updated: Vec<String>,
    /// aws-login's sections already right.
    pub unchanged: Vec<String>,
    /// aws-login's profiles removed (`prune`).
    pub pruned: Vec<String>,
    /// aws-login's profiles no longer assigned, kept (no `prune`).
    pub stale: Vec<String>,
    /// aws-login's profiles of a name chosen by the user (`configure sso`) that are for
    /// another account or role (left as they are).
    pub repointed: Vec<String>,
    /// aws-login's profiles for an assignment another profile also has (kept, even with
    /// `prune`: the assignment lasts).
    pub duplicates: Vec<String>,
    /// Hand-written sections that have a generated section's name (left as they are; a
    /// generated profile then gets another name, said here).
    pub hand_written: Vec<String>,
}

/// Why a merge cannot be done (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// A hand-written `[sso-session NAME]` points at another start URL.
    SessionConflict {
        /// The session name.
        name: String,
        /// Its `sso_start_url` in the file.
        existing: String,
    },
}

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SessionConflict { name, existing } => write!(
                f,
                "the file already has a hand-written [sso-session {name}] for {existing}: choose another --sso-session-name"
            ),
        }
    }
}

impl std::error::Error for MergeError {}

/// Sets `section`'s keys in the block at `block`; whether anything changed.
fn update(lines: &mut Vec<Line>, block: &Block, section: &Section, newline: &'static str) -> bool {
    let mut changed = false;
    let mut end = block.end;
    for (key, value) in &section.keys {
        let found =
            (block.header + 1..end).find(|&i| property_key(&lines[i]).as_deref() == Some(key));
        match found {
            Some(i) if property_value(&lines[i]) == value => {}
            // Scopes the user widened (`configure sso`, by hand) stay.
            Some(_) if key == "sso_registration_scopes" => {}
            Some(i) => {
                let indent = content(&lines[i])[..indent_of(&lines[i])].to_owned();
                lines[i].text = format!("{indent}{key} = {value}");
                // Its continuation lines go with the old value.
                let own = indent_of(&lines[i]);
                while i + 1 < end
                    && !is_blank(&lines[i + 1])
                    && header_name(&lines[i + 1]).is_none()
                    && indent_of(&lines[i + 1]) > own
                {
                    lines.remove(i + 1);
                    end -= 1;
                }
                changed = true;
            }
            None => {
                let commented = (block.header + 1..end).find(|&i| {
                    content(&lines[i])
                        .trim()
                        .strip_prefix('#')
                        .and_then(|r| r.split_once('='))
                        .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case(key))
                });
                let text = format!("{key} = {value}");
                match commented {
                    Some(i) => lines[i].text = text,
                    None => {
                        let at = own_end(
                            lines,
                            &Block {
                                end,
                                ..block.clone()
                            },
                        ) + 1;
                        if lines[at - 1].end.is_empty() {
                            lines[at - 1].end = newline;
                        }
                        lines.insert(at, Line { text, end: newline });
                        end += 1;
                    }
                }
                changed = true;
            }
        }
    }
    changed
}

/// What is done to a block of the file.
enum Change<'g> {
    /// Its keys set to the section's.
    Update(&'g Section),
    /// Removed (`prune`).
    Remove,
}

/// `generated` merged into `text`; with `prune`, aws-login's profiles for the same
/// `sso-session` that `generated` no longer has are removed. A profile aws-login wrote
/// before keeps its name while its assignment (account and role, or role ARN) lasts, so
/// a name never moves to another account between runs; a new profile whose name is
/// taken gets the account id appended (then a number).
pub fn merge(
    text: &str,
    generated: &Generated,
    prune: bool,
) -> Result<(String, Report), MergeError> {
    let mut lines = split_lines(text);
    let newline = dominant_ending(&lines);
    let mut report = Report::default();
    let found = blocks(&lines);
    let ours = |b: &Block| b.marked_for.as_deref() == Some(generated.sso_session.as_str());
    let mut changes: Vec<(usize, Change<'_>)> = Vec::new();
    let mut to_append: Vec<Section> = Vec::new();

    // The session: aws-login's is updated; a hand-written one must agree.
    match found
        .iter()
        .position(|b| b.what == Affects::SsoSession(generated.sso_session.clone()))
    {
        Some(i) if ours(&found[i]) => changes.push((i, Change::Update(&generated.session))),
        Some(i) => {
            let block = &found[i];
            let existing = (block.header + 1..block.end)
                .find(|&l| property_key(&lines[l]).as_deref() == Some("sso_start_url"))
                .map(|l| property_value(&lines[l]).to_owned());
            let wanted = generated
                .session
                .keys
                .iter()
                .find(|(k, _)| k == "sso_start_url")
                .map(|(_, v)| v.as_str());
            let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
            if let (Some(existing), Some(wanted)) = (existing, wanted)
                && !same(&existing, wanted)
            {
                return Err(MergeError::SessionConflict {
                    name: generated.sso_session.clone(),
                    existing,
                });
            }
            report.hand_written.push(generated.session.header.clone());
        }
        None => to_append.push(generated.session.clone()),
    }

    // Each profile: aws-login's block for the same assignment, else the block of its
    // name, else a new one.
    let our_profiles: Vec<usize> = (0..found.len())
        .filter(|&i| ours(&found[i]) && matches!(found[i].what, Affects::Profile(_)))
        .collect();
    let had_ours = !our_profiles.is_empty();
    let mut claimed: Vec<usize> = Vec::new();
    let names_in_file: Vec<String> = found
        .iter()
        .filter_map(|b| match &b.what {
            Affects::Profile(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    let mut new_names: Vec<String> = Vec::new();
    for section in &generated.profiles {
        let by_assignment = section
            .assignment
            .as_ref()
            .filter(|_| !section.named_by_user)
            .and_then(|wanted| {
                our_profiles.iter().copied().find(|&i| {
                    !claimed.contains(&i)
                        && assignment_of(&lines, &found[i]).as_ref() == Some(wanted)
                })
            });
        let by_name = || {
            found
                .iter()
                .position(|b| b.what == Affects::Profile(section.name.clone()))
        };
        let hit = by_assignment.or_else(by_name);
        // A name never moves to another account or role: aws-login's profile of this
        // name for another assignment is not this one's.
        let same_assignment = |i: usize| {
            let had = assignment_of(&lines, &found[i]);
            had.is_none() || section.assignment.is_none() || had == section.assignment
        };
        match hit {
            Some(i) if ours(&found[i]) && !claimed.contains(&i) && same_assignment(i) => {
                claimed.push(i);
                changes.push((i, Change::Update(section)));
            }
            Some(i) if ours(&found[i]) && section.named_by_user && !same_assignment(i) => {
                report.repointed.push(section.name.clone());
            }
            taken_or_none => {
                let mut section = section.clone();
                if taken_or_none.is_some() || new_names.contains(&section.name) {
                    let account = section
                        .assignment
                        .as_deref()
                        .and_then(|a| a.split(['/', ':']).find(|p| p.len() == 12))
                        .unwrap_or("new")
                        .to_owned();
                    let base = format!("{}-{account}", section.name);
                    let mut name = base.clone();
                    let mut n = 2;
                    while names_in_file.contains(&name) || new_names.contains(&name) {
                        name = format!("{base}-{n}");
                        n += 1;
                    }
                    if taken_or_none.is_some_and(|i| !ours(&found[i])) {
                        report
                            .hand_written
                            .push(format!("{} (the generated one is {name})", section.name));
                    }
                    section.header = format!("profile {name}");
                    section.name = name;
                }
                new_names.push(section.name.clone());
                to_append.push(section);
            }
        }
    }
    let assigned: Vec<&str> = generated
        .profiles
        .iter()
        .filter_map(|s| s.assignment.as_deref())
        .collect();
    for &i in &our_profiles {
        if !claimed.contains(&i) {
            let Affects::Profile(name) = &found[i].what else {
                continue;
            };
            // Another profile of an assignment that lasts, or one whose assignment
            // cannot be read: never removed.
            let still = assignment_of(&lines, &found[i]);
            if still.as_deref().is_none_or(|a| assigned.contains(&a)) {
                report.duplicates.push(name.clone());
                continue;
            }
            if prune {
                changes.push((i, Change::Remove));
                report.pruned.push(name.clone());
            } else {
                report.stale.push(name.clone());
            }
        }
    }

    // Applied from the bottom up, so the blocks above keep their lines.
    changes.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
    for (i, change) in &changes {
        let block = &found[*i];
        let name = match &block.what {
            Affects::Profile(n) => n.clone(),
            _ => generated.session.header.clone(),
        };
        match change {
            Change::Update(section) => {
                if update(&mut lines, block, section, newline) {
                    report.updated.push(name);
                } else {
                    report.unchanged.push(name);
                }
            }
            Change::Remove => {
                let mut last = own_end(&lines, block);
                // One blank line after it goes too, so no double gap is left.
                if last + 1 < block.end && is_blank(&lines[last + 1]) {
                    last += 1;
                }
                lines.drain(block.header..=last);
            }
        }
    }
    report.updated.reverse();
    report.unchanged.reverse();

    // New sections at the end.
    if !to_append.is_empty() {
        if let Some(last) = lines.last_mut()
            && last.end.is_empty()
        {
            last.end = newline;
        }
        let mut first_profile = !had_ours;
        for mut section in to_append {
            if lines.last().is_some_and(|l| !is_blank(l)) {
                lines.push(Line {
                    text: String::new(),
                    end: newline,
                });
            }
            let profile = section.header.starts_with("profile ");
            if profile {
                if !first_profile {
                    section.comment_above = None;
                }
                first_profile = false;
            }
            lines.extend(split_lines(
                &section.render(&generated.sso_session, newline),
            ));
            report.added.push(if profile {
                section.name.clone()
            } else {
                section.header.clone()
            });
        }
    }
    let mut out = String::with_capacity(text.len() + 256);
    for line in &lines {
        out.push_str(&line.text);
        out.push_str(line.end);
    }
    Ok((out, report))
}
