//! What a sign-in shows and uses on the command line, for `sso login` and the seed's
//! `--start-url`: the lines on stderr (a live one on a terminal), the browser, the flow,
//! the system's random source.

use std::time::Duration;

use super::Context;
use crate::sso::browser;
use crate::sso::login::{Flow, LoginUi};
use crate::sso::pkce::NoRandom;

/// The system CSPRNG.
pub(crate) fn system_random(buf: &mut [u8]) -> Result<(), NoRandom> {
    use ring::rand::SecureRandom as _;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| NoRandom)
}

/// What the user sees on stderr, and the browser.
pub(crate) struct StderrUi<'a> {
    ctx: &'a Context<'a>,
    /// Whether to open a browser.
    open: bool,
    /// What is waited for ("the browser sign-in", "approval of the code").
    what: std::cell::Cell<&'static str>,
    /// The browser command started, and its name, while it is watched: a launcher that
    /// exits with a failure in the first seconds (`xdg-open` finding no browser) did not
    /// show the page, which is said.
    browser: std::cell::RefCell<Option<(std::process::Child, String)>>,
}

/// How long a started browser command is watched for a failed exit.
const BROWSER_GRACE: Duration = Duration::from_secs(3);

impl<'a> StderrUi<'a> {
    /// The UI of `ctx`; `open`: open a browser on the page.
    pub(crate) fn new(ctx: &'a Context<'a>, open: bool) -> Self {
        Self {
            ctx,
            open,
            what: std::cell::Cell::new("the sign-in"),
            browser: std::cell::RefCell::new(None),
        }
    }
}

/// The flow of a sign-in: the device code flow when asked, or when no browser can be
/// opened here and `--no-browser` does not say the user will open the page (said on
/// stderr); else PKCE.
pub(crate) fn choose_flow(
    ctx: &Context<'_>,
    use_device_code: bool,
    no_browser: bool,
    listen_port: Option<u16>,
) -> Flow {
    // The redirect comes back to this machine: without a browser here (no display, an
    // SSH session), the device code flow, which any device can complete.
    let browser_here =
        browser::browser_command("about:blank", ctx.env, browser::Os::current()).is_some();
    if use_device_code {
        Flow::DeviceCode
    } else if !browser_here && !no_browser {
        (ctx.stderr)(
            "No browser can be opened here (no display, or an SSH session): using the device code flow, which any device can complete (--no-browser keeps the browser flow).",
        );
        Flow::DeviceCode
    } else {
        Flow::Pkce { listen_port }
    }
}

impl LoginUi for StderrUi<'_> {
    fn show(&self, url: &str, user_code: Option<&str>) {
        let stderr = self.ctx.stderr;
        let what = match user_code {
            Some(code) => {
                stderr(
                    "To sign in, open this page (on any device) and check that it shows the code:",
                );
                stderr(&format!("  {url}"));
                stderr(&format!("  code: {code}"));
                "approval of the code"
            }
            None => {
                stderr("To sign in, open this page in a browser on this machine:");
                stderr(&format!("  {url}"));
                "the browser sign-in"
            }
        };
        self.what.set(what);
        if self.open {
            match browser::browser_commands(url, self.ctx.env, browser::Os::current()) {
                Ok(commands) if commands.is_empty() => {
                    stderr("(no browser can be opened here: open the page yourself)");
                }
                Ok(commands) => {
                    let started = std::cell::RefCell::new(None);
                    let start = |command: &[String]| {
                        let child = browser::spawn(command)?;
                        *started.borrow_mut() = Some(child);
                        Ok(())
                    };
                    match browser::open_first(&commands, url, &start) {
                        Ok(program) => {
                            *self.browser.borrow_mut() =
                                started.into_inner().map(|child| (child, program));
                        }
                        Err(failures) => stderr(&format!(
                            "(the browser could not be started: {}; open the page yourself)",
                            failures.join("; ")
                        )),
                    }
                }
                Err(e) => stderr(&format!("({e}: open the page yourself)")),
            }
        }
        match self.ctx.progress {
            Some(progress) => progress(&format!("waiting for {what}…")),
            None => stderr(&format!("waiting for {what} (Ctrl-C to stop)")),
        }
    }

    fn waiting(&self, waited: Duration) {
        let mut watched = self.browser.borrow_mut();
        if let Some((child, program)) = watched.as_mut() {
            match child.try_wait() {
                Ok(Some(status)) if !status.success() => {
                    let line = format!(
                        "(the browser command {program:?} exited with {status}: it did not show the page; open it yourself)"
                    );
                    if let Some(progress) = self.ctx.progress {
                        progress("");
                    }
                    (self.ctx.stderr)(&line);
                    *watched = None;
                }
                Ok(Some(_)) | Err(_) => *watched = None,
                Ok(None) if waited >= BROWSER_GRACE => *watched = None,
                Ok(None) => {}
            }
        }
        drop(watched);
        if let Some(progress) = self.ctx.progress {
            let what = self.what.get();
            let s = waited.as_secs();
            progress(&format!("waiting for {what}… {}:{:02}", s / 60, s % 60));
        }
    }

    fn done(&self) {
        if let Some(progress) = self.ctx.progress {
            progress("");
        }
    }

    fn note(&self, line: &str) {
        (self.ctx.stderr)(line);
    }
}
