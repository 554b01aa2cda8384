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

/// The command that opens `url`, or `None` when no browser can be opened here. `env`
/// gives the environment, `os` the system. Pure.
pub fn browser_command(
    url: &str,
    env: &dyn Fn(&str) -> Option<String>,
    os: Os,
) -> Option<Vec<String>> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let with_url = |line: &str| {
        let mut words = crate::shlex::split(line).ok().filter(|w| !w.is_empty())?;
        if words.iter().any(|w| w.contains("%s")) {
            for w in &mut words {
                *w = w.replace("%s", url);
            }
        } else {
            words.push(url.to_owned());
        }
        Some(words)
    };
    if let Some(line) = set("AWS_LOGIN_BROWSER") {
        return with_url(&line);
    }
    if let Some(list) = set("BROWSER")
        && let Some(first) = list.split(':').find(|s| !s.trim().is_empty())
    {
        return with_url(first);
    }
    if set("SSH_CONNECTION").is_some() || set("SSH_TTY").is_some() {
        return None;
    }
    match os {
        Os::MacOs => return Some(vec!["open".into(), url.into()]),
        Os::Windows => {
            // `start`'s first quoted argument is the window title: an empty one, so that
            // the URL is not taken for it.
            let escaped = url.replace('^', "^^").replace('&', "^&");
            return Some(vec![
                "cmd".into(),
                "/c".into(),
                "start".into(),
                String::new(),
                escaped,
            ]);
        }
        Os::Unix => {}
    }
    if set("DISPLAY").is_none()
        && set("WAYLAND_DISPLAY").is_none()
        && set("WSL_DISTRO_NAME").is_none()
    {
        return None;
    }
    let opener = if set("WSL_DISTRO_NAME").is_some() {
        "wslview"
    } else {
        "xdg-open"
    };
    Some(vec![opener.into(), url.into()])
}

/// Starts the browser command, detached from aws-login's terminal (its output would
/// garble the prompt; it is not waited for).
pub fn open(command: &[String]) -> std::io::Result<()> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty browser command"))?;
    std::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
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
