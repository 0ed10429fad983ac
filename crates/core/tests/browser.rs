//! The browser opened for the login inherits none of Roomtone's secrets: a real child
//! process reports its own environment. One test in its own binary, since it sets this
//! process's environment; Unix only, since the stand-in browser is a shell script.
#![cfg(unix)]

use roomtone_core::browser::{SystemBrowser, SECRET_VARIABLES};

#[test]
fn the_browser_gets_no_secret_from_the_environment() {
    for name in SECRET_VARIABLES {
        std::env::set_var(name, format!("secret-of-{name}"));
    }
    std::env::set_var("ROOMTONE_HARMLESS", "kept");
    // A "browser" that prints its environment instead of opening anything.
    let url = url::Url::parse("https://api.sonos.com/login/v3/oauth?state=s").unwrap();
    let script = std::env::temp_dir().join(format!("roomtone-browser-{}", std::process::id()));
    std::fs::write(&script, "#!/bin/sh\nenv\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    let mut command = SystemBrowser::command(&url, Some(script.clone().into()));
    let out = command.output().expect("the script runs");
    std::fs::remove_file(&script).unwrap();
    assert!(out.status.success());
    let seen = String::from_utf8(out.stdout).unwrap();
    assert!(
        seen.contains("ROOMTONE_HARMLESS=kept"),
        "the rest is inherited: {seen}"
    );
    for name in SECRET_VARIABLES {
        assert!(
            !seen.contains("secret-of-"),
            "{name} reached the browser: {seen}"
        );
    }
}
