//! The constraints a service model puts on request members (length, range, pattern), so
//! a request that the service would refuse is refused before it is sent, with the member
//! named, as botocore's parameter validation does (botocore checks the minimums; aws-login
//! checks every bound the model gives, and each pattern read as a whole-value match, as
//! the services apply them).
//!
//! Lengths count Unicode characters (the Smithy `@length` rule). Pure.

use std::fmt;

/// A request member that breaks its model's constraints. Never holds the value (it may be
/// a secret: an MFA code, a token); says its length or what kind of character is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The operation (`AssumeRole`).
    pub operation: &'static str,
    /// The member (`RoleSessionName`, `PolicyArns.member.1.arn`).
    pub parameter: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} {}",
            self.parameter, self.operation, self.problem
        )
    }
}

impl std::error::Error for ParamError {}

/// Which characters a string member may hold, and how to say it.
#[derive(Debug, Clone, Copy)]
pub struct Chars {
    /// The test for one character.
    pub allowed: fn(char) -> bool,
    /// What the allowed characters are, for the message.
    pub described: &'static str,
}

/// A string member's shape.
#[derive(Debug, Clone, Copy)]
pub struct StringShape {
    /// The fewest characters.
    pub min: usize,
    /// The most characters, when the model bounds it.
    pub max: Option<usize>,
    /// The pattern, when the model gives one.
    pub chars: Option<Chars>,
}

/// Checks one string member.
pub fn check_string(
    operation: &'static str,
    parameter: &str,
    value: &str,
    shape: &StringShape,
) -> Result<(), ParamError> {
    let error = |problem: String| ParamError {
        operation,
        parameter: parameter.to_owned(),
        problem,
    };
    let len = value.chars().count();
    let bounds = match shape.max {
        Some(max) if max == shape.min => format!("exactly {max}"),
        Some(max) => format!("{} to {max}", shape.min),
        None => format!("at least {}", shape.min),
    };
    if len < shape.min || shape.max.is_some_and(|max| len > max) {
        return Err(error(format!(
            "must be {bounds} characters long (it is {len})"
        )));
    }
    if let Some(chars) = shape.chars
        && let Some((at, _)) = value
            .chars()
            .enumerate()
            .find(|(_, c)| !(chars.allowed)(*c))
    {
        return Err(error(format!(
            "may hold only {} (character {} is not one)",
            chars.described,
            at + 1
        )));
    }
    Ok(())
}

/// Checks one integer member against its range.
pub fn check_range(
    operation: &'static str,
    parameter: &str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<(), ParamError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ParamError {
            operation,
            parameter: parameter.to_owned(),
            problem: format!("must be from {min} to {max} (it is {value})"),
        })
    }
}

/// Checks how many items a list member holds.
pub fn check_count(
    operation: &'static str,
    parameter: &str,
    count: usize,
    max: usize,
) -> Result<(), ParamError> {
    if count <= max {
        Ok(())
    } else {
        Err(ParamError {
            operation,
            parameter: parameter.to_owned(),
            problem: format!("may hold at most {max} items (it holds {count})"),
        })
    }
}

/// `\w` as the models mean it: ASCII letters, digits and `_`.
pub fn word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: StringShape = StringShape {
        min: 2,
        max: Some(64),
        chars: Some(Chars {
            allowed: |c| word(c) || "+=,.@-".contains(c),
            described: "letters, digits and _+=,.@-",
        }),
    };

    #[test]
    fn lengths_count_characters_and_patterns_match_the_whole_value() {
        assert!(check_string("Op", "Name", "ok", &NAME).is_ok());
        assert!(check_string("Op", "Name", &"é".repeat(2), &NAME).is_err());
        let err = check_string("Op", "Name", "a", &NAME).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Name of Op must be 2 to 64 characters long (it is 1)"
        );
        let err = check_string("Op", "Name", "my session", &NAME).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Name of Op may hold only letters, digits and _+=,.@- (character 3 is not one)"
        );
        assert!(check_string("Op", "Name", &"a".repeat(65), &NAME).is_err());
        assert_eq!(
            check_range("Op", "DurationSeconds", 0, 900, 43200)
                .unwrap_err()
                .to_string(),
            "DurationSeconds of Op must be from 900 to 43200 (it is 0)"
        );
        assert!(check_range("Op", "DurationSeconds", 900, 900, 43200).is_ok());
        assert!(check_count("Op", "Tags", 51, 50).is_err());
    }
}
