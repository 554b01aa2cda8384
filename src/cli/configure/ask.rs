//! `configure sso`'s questions: each answered by its flag, or typed on the terminal
//! with the default in brackets, checked, and asked again (three times) when a typed
//! answer does not pass; and the numbered choice among accounts or roles.

use super::ConfigureError;
use crate::cli::{CliError, Context};
use crate::config::generate;

/// Asks questions on the terminal: the flag's value when given, else the typed answer,
/// else the default.
pub(super) struct Asker<'c> {
    pub(super) ctx: &'c Context<'c>,
}

impl Asker<'_> {
    /// [`Asker::ask`], the answer checked: a flag's value once (an error), a typed one
    /// asked for again (three times) with what is expected. An empty answer is `None`
    /// unless `default` gives one.
    pub(super) fn ask_checked(
        &self,
        flag: Option<&str>,
        question: &str,
        default: Option<&str>,
        what: &'static str,
        check: Check,
    ) -> Result<Option<String>, ConfigureError> {
        let invalid = |answer: &str, expected: String| ConfigureError::Invalid {
            what,
            answer: answer.to_owned(),
            expected,
        };
        if let Some(given) = flag.map(str::trim) {
            if given.is_empty() {
                return Ok(None);
            }
            check(given).map_err(|e| invalid(given, e))?;
            return Ok(Some(given.to_owned()));
        }
        for attempt in 1..=ATTEMPTS {
            let answer = self.ask(None, question, default).filter(|a| !a.is_empty());
            let Some(answer) = answer else {
                return Ok(None);
            };
            match check(&answer) {
                Ok(()) => return Ok(Some(answer)),
                Err(expected) if attempt < ATTEMPTS => {
                    (self.ctx.stderr)(&format!(
                        "{answer:?} is not a valid {what}: expected {expected}"
                    ));
                }
                Err(expected) => return Err(invalid(&answer, expected)),
            }
        }
        Ok(None)
    }

    /// The answer to `question` (`label [default]: `); `None` when there is none and no
    /// default.
    pub(super) fn ask(
        &self,
        flag: Option<&str>,
        question: &str,
        default: Option<&str>,
    ) -> Option<String> {
        if let Some(given) = flag {
            return Some(given.trim().to_owned());
        }
        let shown = default.unwrap_or("None");
        self.typed(&format!("{question} [{shown}]: "))
            .or_else(|| default.map(str::to_owned))
    }

    /// The line typed after `question` on the terminal, trimmed; `None` without a
    /// terminal or for an empty line.
    pub(super) fn typed(&self, question: &str) -> Option<String> {
        if !self.ctx.can_prompt {
            return None;
        }
        (self.ctx.prompt)(question)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    /// [`Asker::ask`], an answer required.
    pub(super) fn require(
        &self,
        flag: Option<&str>,
        question: &str,
        default: Option<&str>,
        what: &'static str,
        flag_name: &'static str,
    ) -> Result<String, ConfigureError> {
        self.ask(flag, question, default)
            .filter(|a| !a.is_empty())
            .ok_or(ConfigureError::Unanswered {
                what,
                flag: flag_name,
            })
    }

    /// One of `items` (shown as `labels`): the one given by `flag` (matched by `key`),
    /// the only one, or the one whose number is typed.
    pub(super) fn choose<T>(
        &self,
        items: Vec<T>,
        flag: Option<&str>,
        key: impl Fn(&T) -> String,
        label: impl Fn(&T) -> String,
        what: &'static str,
        flag_name: &'static str,
    ) -> Result<T, CliError> {
        let stderr = self.ctx.stderr;
        if let Some(wanted) = flag.map(str::trim) {
            let listed: Vec<String> = items.iter().map(&key).collect();
            return items.into_iter().find(|i| key(i) == wanted).ok_or_else(|| {
                ConfigureError::Invalid {
                    what,
                    answer: wanted.to_owned(),
                    expected: format!("one of {}", listed.join(", ")),
                }
                .into()
            });
        }
        match items.len() {
            0 => Err(ConfigureError::NothingAssigned(what.to_owned()).into()),
            1 => {
                let only = items
                    .into_iter()
                    .next()
                    .ok_or(ConfigureError::NothingAssigned(what.to_owned()))?;
                stderr(&format!(
                    "The only {what} available to you is {}; using it.",
                    label(&only)
                ));
                Ok(only)
            }
            n => {
                stderr(&format!("There are {n} {what}s available to you:"));
                for (i, item) in items.iter().enumerate() {
                    stderr(&format!("  {:>3}. {}", i + 1, label(item)));
                }
                let answer = self.typed(&format!("Which {what}? (1-{n}): ")).ok_or(
                    ConfigureError::Unanswered {
                        what,
                        flag: flag_name,
                    },
                )?;
                let index = answer
                    .parse::<usize>()
                    .ok()
                    .filter(|i| (1..=n).contains(i))
                    .ok_or_else(|| ConfigureError::Invalid {
                        what,
                        answer: answer.clone(),
                        expected: format!("a number from 1 to {n}"),
                    })?;
                items
                    .into_iter()
                    .nth(index - 1)
                    .ok_or_else(|| ConfigureError::NothingAssigned(what.to_owned()).into())
            }
        }
    }
}

/// The output formats the AWS CLI takes.
pub(super) const OUTPUT_FORMATS: [&str; 5] = ["json", "yaml", "yaml-stream", "text", "table"];

/// A check of an answer: what it should be, when it is not.
pub(super) type Check = fn(&str) -> Result<(), String>;

pub(super) fn check_region(answer: &str) -> Result<(), String> {
    crate::endpoints::check_region(answer)
        .map_err(|_| "a region such as eu-west-1 (lower-case letters, digits and -)".into())
}

pub(super) fn check_output(answer: &str) -> Result<(), String> {
    if OUTPUT_FORMATS.contains(&answer) {
        Ok(())
    } else {
        Err(format!("one of {}", OUTPUT_FORMATS.join(", ")))
    }
}

pub(super) fn check_name(answer: &str) -> Result<(), String> {
    if generate::sanitise(answer) == answer {
        Ok(())
    } else {
        Err("a name without spaces, brackets, quotes, # or ;".into())
    }
}

pub(super) fn check_scopes(answer: &str) -> Result<(), String> {
    if answer.contains(char::is_control) {
        Err("scopes on one line, separated by commas".into())
    } else {
        Ok(())
    }
}

/// How many times a typed answer that does not pass is asked for again.
const ATTEMPTS: usize = 3;
