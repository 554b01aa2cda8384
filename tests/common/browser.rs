//! A real browser for the tests (Debian's headless chromium, with the flags that keep it
//! off the closed network and a fresh profile), driven through `AWS_LOGIN_BROWSER`, and
//! the small pieces such tests share: a FIFO, a script, a FIFO read that cannot hang.

use std::future::Future;
use std::path::{Path, PathBuf};

/// Chromium's path; `None` (said on stderr) where it is not installed, which fails the
/// test under `CI`: CI installs it and must not skip a browser test.
pub fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed; CI must not skip the browser test"
        );
        #[allow(clippy::print_stderr)] // say what was skipped
        {
            eprintln!("skipped: chromium is not installed");
        }
    }
    found
}

/// A FIFO at `path`.
pub fn fifo(path: &Path) -> PathBuf {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
    path.to_owned()
}

/// An executable shell script at `path` running `body`.
pub fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path.to_owned()
}

/// What is written to the FIFO at `path` (opened for reading now, on a thread of its
/// own): the future ends when the writer closes it (a minute at most, so a browser that
/// never ran fails the test instead of hanging it; the thread is not waited for).
pub fn read_fifo(path: &Path) -> impl Future<Output = String> + use<> {
    let path = path.to_owned();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || tx.send(std::fs::read_to_string(path)));
    async move {
        tokio::time::timeout(std::time::Duration::from_secs(60), rx)
            .await
            .expect("the browser command did not run")
            .unwrap()
            .unwrap()
    }
}

/// Headless chromium behind a wrapper script in `work`: the `AWS_LOGIN_BROWSER` value
/// that opens a page in it, and a future that ends when chromium has loaded the page
/// (and followed its redirects) and written the final DOM to `work/dom.html`.
pub fn headless(chromium: &str, work: &Path) -> (String, impl Future<Output = String> + use<>) {
    let done = fifo(&work.join("chromium-done"));
    let dir = work.display();
    let wrapper = script(
        &work.join("browser.sh"),
        &format!(
            "{chromium} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir='{dir}/profile' --dump-dom \"$1\" > '{dir}/dom.html' 2> '{dir}/chromium.log'\necho done > '{}'",
            done.display()
        ),
    );
    (format!("{} %s", wrapper.display()), read_fifo(&done))
}

/// The DOM chromium ended on, with its log when the test needs to show why.
pub fn dom(work: &Path) -> (String, String) {
    (
        std::fs::read_to_string(work.join("dom.html")).unwrap_or_default(),
        std::fs::read_to_string(work.join("chromium.log")).unwrap_or_default(),
    )
}
