//! The command line as the user typed it: argparse's spellings (`--name=value`, `-h`)
//! turned into argh's, parsed into [`Cli`], and argh's refusals kept free of secrets.

use argh::FromArgs;

use super::Cli;

/// Whether `option` of `command` (`None`: the top level) takes a value, as argh itself
/// says when given the option alone ("No value provided for option").
fn takes_value(command: Option<&str>, option: &str) -> bool {
    let args: Vec<&str> = command.into_iter().chain([option]).collect();
    Cli::from_args(&["aws-login"], &args)
        .err()
        .is_some_and(|e| e.output.starts_with("No value provided for option"))
}

/// The arguments as argh takes them, from what argparse (the Python tool's parser)
/// accepts: `--name=value` for an option that takes a value becomes `--name value`, and
/// `-h` becomes `--help`. Read left to right as argh reads them: an option's value stays
/// as it is (`--role-session-name --x=y`), and nothing after `--`, or after the program
/// `runas` runs, is touched. A switch given a value (`--debug=true`) is left for argh to
/// refuse by its name.
pub fn argparse_style(args: &[&str]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len() + 2);
    let mut command: Option<&str> = None;
    let mut value_next = false;
    let mut rest = false;
    for arg in args {
        if rest || value_next {
            value_next = false;
            out.push((*arg).to_owned());
            continue;
        }
        match *arg {
            "--" => {
                rest = true;
                out.push("--".to_owned());
            }
            "-h" => out.push("--help".to_owned()),
            a if a.starts_with('-') => {
                let split = a
                    .strip_prefix("--")
                    .and_then(|b| b.split_once('='))
                    .filter(|(name, _)| !name.is_empty())
                    .map(|(name, value)| (format!("--{name}"), value))
                    .filter(|(name, _)| takes_value(command, name));
                match split {
                    Some((name, value)) => {
                        out.push(name);
                        out.push(value.to_owned());
                    }
                    None => {
                        value_next = takes_value(command, a);
                        out.push(a.to_owned());
                    }
                }
            }
            a => {
                match command {
                    None => command = Some(a),
                    // `runas PROGRAM ARGS...`: the rest is the program's.
                    Some("runas") => rest = true,
                    Some(_) => {}
                }
                out.push(a.to_owned());
            }
        }
    }
    out
}

/// Parses the command line (without the program name), written as argh or as argparse
/// takes it (see [`argparse_style`]).
pub fn parse_args(args: &[&str]) -> Result<Cli, argh::EarlyExit> {
    let args = argparse_style(args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Cli::from_args(&["aws-login"], &args).map_err(|mut early| {
        early.output = redact_secret_values(&early.output, &args);
        early
    })
}

/// Options whose values are secrets: argh quotes a value it refuses (`Error parsing
/// option '--token-code' with value '123456': duplicate values provided`), and that
/// must not show one.
const SECRET_OPTIONS: [&str; 2] = ["--token-code", "--sso-access-token"];

/// `message` with each quoted value of a [`SECRET_OPTIONS`] option in `args` replaced.
fn redact_secret_values(message: &str, args: &[&str]) -> String {
    let mut out = message.to_owned();
    for pair in args.windows(2) {
        if SECRET_OPTIONS.contains(&pair[0]) && !pair[1].is_empty() {
            out = out.replace(&format!("'{}'", pair[1]), "'<redacted>'");
        }
    }
    out
}
