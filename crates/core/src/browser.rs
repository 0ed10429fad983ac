//! The system browser, for the Sonos login: the app and `roomtone-cli` open it the same way.
//!
//! Only an HTTPS page (or one on this computer) is opened. A `BROWSER` command in the
//! environment takes precedence, as on Linux (the tests use it); otherwise the platform's
//! own opener (`xdg-open`, `open`, the URL handler of Windows). The browser is a program of
//! its own, living long after the sign-in: it gets an environment without Roomtone's
//! secrets, so a client secret given to Roomtone never reaches it or what it starts.

use crate::signin::Opener;
use std::ffi::OsString;
use std::process::{Command, Stdio};
use url::Url;

/// Variables that hold secrets, for Roomtone or for the relay and simulator run beside it.
pub const SECRET_VARIABLES: &[&str] = &[
    crate::config::env::CLIENT_SECRET,
    "ROOMTONE_RELAY_CLIENT_SECRET",
    "ROOMTONE_RELAY_STATS_TOKEN",
    "ROOMTONE_SIM_CLIENT_SECRET",
];

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl SystemBrowser {
    /// The command that opens `url`, given the `BROWSER` variable's value.
    pub fn command(url: &Url, browser: Option<OsString>) -> Command {
        let mut command = match browser.filter(|b| !b.is_empty()) {
            Some(browser) => Command::new(browser),
            None if cfg!(target_os = "macos") => Command::new("open"),
            None if cfg!(target_os = "windows") => {
                let mut c = Command::new("rundll32");
                c.arg("url.dll,FileProtocolHandler");
                c
            }
            None => Command::new("xdg-open"),
        };
        command.arg(url.as_str()).stdin(Stdio::null());
        for name in SECRET_VARIABLES {
            command.env_remove(name);
        }
        command
    }
}

impl Opener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        if !roomtone_sonos::secure_or_loopback(url) {
            return Err(format!(
                "refusing to open a non-HTTPS login page: {}",
                url.host_str().unwrap_or_default()
            ));
        }
        let mut command = Self::command(url, std::env::var_os("BROWSER"));
        let program = command.get_program().to_string_lossy().into_owned();
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| format!("{program}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_http_page_elsewhere_is_never_opened() {
        let url = Url::parse("http://example.com/login").unwrap();
        let err = SystemBrowser.open(&url).unwrap_err();
        assert!(err.contains("non-HTTPS"), "{err}");
    }

    #[test]
    fn browser_wins_over_the_platform_opener() {
        let url = Url::parse("https://api.sonos.com/login/v3/oauth").unwrap();
        let command = SystemBrowser::command(&url, Some("my-browser".into()));
        assert_eq!(command.get_program(), "my-browser");
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, [url.as_str()]);
        let default = SystemBrowser::command(&url, Some("".into()));
        assert_ne!(default.get_program(), "");
    }
}
