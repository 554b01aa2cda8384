//! Opening a page in the user's browser (the SSO sign-in, the console): `AWS_LOGIN_BROWSER`
//! (a command line, split as a shell would split it without running one; `%s` in it is
//! replaced by the URL, else the URL is added at the end), else `BROWSER` (its first
//! `:`-separated entry, the same way), else the system's opener (`open` on macOS,
//! `cmd /c start` on Windows, `wslview` under WSL, `xdg-open` elsewhere). Without a
//! display (no `DISPLAY` or `WAYLAND_DISPLAY` on Linux) or over SSH, no system opener is
//! used: a browser there would not be the user's. The URL is given to the browser as an
//! argument, never through a shell (on Windows `cmd` reads it, so its `&` and `^` are
//! escaped for `cmd`).

use std::process::Stdio;

/// The operating system, as far as opening a browser goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// macOS: `open`.
    MacOs,
    /// Windows: `cmd /c start`.
    Windows,
    /// Linux and the other Unixes: `xdg-open` (`wslview` under WSL).
    Unix,
}

impl Os {
    /// The system this binary was built for.
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::MacOs
        } else if cfg!(windows) {
            Self::Windows
        } else {
            Self::Unix
        }
    }
}

/// A browser variable that cannot be read as a command line (an unclosed quote, a
/// dangling backslash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBrowserVariable(pub &'static str);

impl std::fmt::Display for BadBrowserVariable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} cannot be read as a command line (an unclosed quote?)",
            self.0
        )
    }
}

impl std::error::Error for BadBrowserVariable {}

/// The commands that may open `url`, to try in order (each entry of `BROWSER`), or none
/// when no browser can be opened here. `env` gives the environment, `os` the system.
/// Errors: a browser variable that cannot be split. Pure.
pub fn browser_commands(
    url: &str,
    env: &dyn Fn(&str) -> Option<String>,
    os: Os,
) -> Result<Vec<Vec<String>>, BadBrowserVariable> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let with_url = |line: &str, name: &'static str| {
        let mut words = crate::shlex::split(line)
            .ok()
            .filter(|w| !w.is_empty())
            .ok_or(BadBrowserVariable(name))?;
        if words.iter().any(|w| w.contains("%s")) {
            for w in &mut words {
                *w = w.replace("%s", url);
            }
        } else {
            words.push(url.to_owned());
        }
        Ok(words)
    };
    if let Some(line) = set("AWS_LOGIN_BROWSER") {
        return Ok(vec![with_url(&line, "AWS_LOGIN_BROWSER")?]);
    }
    if let Some(list) = set("BROWSER") {
        return list
            .split(':')
            .filter(|s| !s.trim().is_empty())
            .map(|entry| with_url(entry, "BROWSER"))
            .collect();
    }
    if set("SSH_CONNECTION").is_some() || set("SSH_TTY").is_some() {
        return Ok(Vec::new());
    }
    match os {
        Os::MacOs => return Ok(vec![vec!["open".into(), url.into()]]),
        Os::Windows => {
            // `start`'s first quoted argument is the window title: an empty one, so that
            // the URL is not taken for it.
            let escaped = url.replace('^', "^^").replace('&', "^&");
            return Ok(vec![vec![
                "cmd".into(),
                "/c".into(),
                "start".into(),
                String::new(),
                escaped,
            ]]);
        }
        Os::Unix => {}
    }
    if set("DISPLAY").is_none()
        && set("WAYLAND_DISPLAY").is_none()
        && set("WSL_DISTRO_NAME").is_none()
    {
        return Ok(Vec::new());
    }
    let opener = if set("WSL_DISTRO_NAME").is_some() {
        "wslview"
    } else {
        "xdg-open"
    };
    Ok(vec![vec![opener.into(), url.into()]])
}

/// The first of [`browser_commands`], or `None` (no browser here, or a variable that
/// cannot be read). Pure.
pub fn browser_command(
    url: &str,
    env: &dyn Fn(&str) -> Option<String>,
    os: Os,
) -> Option<Vec<String>> {
    browser_commands(url, env, os)
        .ok()
        .and_then(|c| c.into_iter().next())
}

/// The program of `command` as it may be shown: `url` (a secret, for the console) put
/// back as `%s` where the command holds it.
pub fn program_name(command: &[String], url: &str) -> String {
    command
        .first()
        .map(|p| {
            if url.is_empty() {
                p.clone()
            } else {
                p.replace(url, "%s")
            }
        })
        .unwrap_or_default()
}

/// Tries each of `commands` in turn with `start` (one of [`open`], [`open_checked`]):
/// the program that took the page, or each failure (`program: reason`, the URL shown as
/// `%s`).
pub fn open_first(
    commands: &[Vec<String>],
    url: &str,
    start: &dyn Fn(&[String]) -> std::io::Result<()>,
) -> Result<String, Vec<String>> {
    let mut failures = Vec::new();
    for command in commands {
        let program = program_name(command, url);
        match start(command) {
            Ok(()) => return Ok(program),
            Err(e) => failures.push(format!("{program:?}: {e}")),
        }
    }
    Err(failures)
}

/// Starts the browser command, detached from aws-login's terminal (its output would
/// garble the prompt; it is not waited for).
pub fn open(command: &[String]) -> std::io::Result<()> {
    spawn(command).map(drop)
}

/// Starts the browser command as [`open`] does, and gives its process back (for a
/// caller that watches it while doing something else).
pub fn spawn(command: &[String]) -> std::io::Result<std::process::Child> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty browser command"))?;
    std::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

/// Starts the browser command and watches it for up to `grace`: a launcher (`xdg-open`,
/// `open`, `wslview`) hands the page over and exits within it, and one that exits with
/// a failure there (no browser it could use) is an error; a command still running then
/// is a browser showing the page, left running. For a link that is lost if the browser
/// did not get it (the console's).
pub fn open_checked(command: &[String], grace: std::time::Duration) -> std::io::Result<()> {
    let mut child = spawn(command)?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(grace) {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(std::io::Error::other(format!("it exited with {status}"))),
        Ok(Err(e)) => Err(e),
        // Still running: a browser in the foreground.
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_browser_is_chosen_as_documented() {
        let url = "https://oidc.us-east-1.amazonaws.com/authorize?a=1&b=2";
        assert_eq!(
            browser_command(
                url,
                &with(&[("AWS_LOGIN_BROWSER", "chromium --headless=new '%s'")]),
                Os::Unix
            ),
            Some(vec!["chromium".into(), "--headless=new".into(), url.into()])
        );
        assert_eq!(
            browser_command(
                url,
                &with(&[("BROWSER", "firefox:lynx"), ("DISPLAY", ":0")]),
                Os::Unix
            ),
            Some(vec!["firefox".into(), url.into()])
        );
        assert_eq!(
            browser_command(url, &with(&[("DISPLAY", ":0")]), Os::Unix),
            Some(vec!["xdg-open".into(), url.into()])
        );
        assert_eq!(
            browser_command(url, &with(&[]), Os::Unix),
            None,
            "no display"
        );
        assert_eq!(
            browser_command(
                url,
                &with(&[("DISPLAY", ":0"), ("SSH_CONNECTION", "1 2 3 4")]),
                Os::Unix
            ),
            None,
            "over SSH"
        );
        assert_eq!(
            browser_command(url, &with(&[]), Os::MacOs),
            Some(vec!["open".into(), url.into()])
        );
        // Each entry of BROWSER, to try in turn; a variable that cannot be split.
        assert_eq!(
            browser_commands(
                url,
                &with(&[("BROWSER", "/nonexistent:lynx -dump")]),
                Os::Unix
            ),
            Ok(vec![
                vec!["/nonexistent".into(), url.into()],
                vec!["lynx".into(), "-dump".into(), url.into()]
            ])
        );
        assert_eq!(
            browser_commands(
                url,
                &with(&[("AWS_LOGIN_BROWSER", "x 'unclosed %s")]),
                Os::Unix
            ),
            Err(BadBrowserVariable("AWS_LOGIN_BROWSER"))
        );
        assert_eq!(
            program_name(&["%s".replace("%s", url), "x".into()], url),
            "%s"
        );
        assert_eq!(
            browser_command(url, &with(&[]), Os::Windows),
            Some(vec![
                "cmd".into(),
                "/c".into(),
                "start".into(),
                String::new(),
                "https://oidc.us-east-1.amazonaws.com/authorize?a=1^&b=2".into()
            ])
        );
        assert_eq!(
            browser_command(url, &with(&[("WSL_DISTRO_NAME", "Ubuntu")]), Os::Unix),
            Some(vec!["wslview".into(), url.into()])
        );
    }
}
