//! A media URL a person gives Roomtone for a speaker to fetch (a chime's sound, a stream): it
//! is checked here once, before anything is sent, so a mistake is told in words.

use crate::error::{CoreError, Result};
use url::Url;

/// Checks `text` as an `http` or `https` URL of at most `max` characters (Sonos's limit for
/// the field it goes in), with a host. Returns it as given, trimmed.
pub fn check(text: &str, max: usize) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::Invalid("the URL is empty".into()));
    }
    if text.chars().count() > max {
        return Err(CoreError::Invalid(format!(
            "the URL is longer than Sonos takes ({max} characters)"
        )));
    }
    let url = Url::parse(text)
        .map_err(|e| CoreError::Invalid(format!("“{}” is not a URL ({e})", short(text))))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CoreError::Invalid(format!(
            "a speaker can only fetch http:// or https:// URLs, not {}:",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(CoreError::Invalid("the URL has no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(CoreError::Invalid(
            "a URL with a user name or password in it would be shown to Sonos and kept in logs: leave them out".into(),
        ));
    }
    Ok(text.to_owned())
}

/// The start of a long text, for a message.
fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_web_url_within_the_limit_is_taken() {
        assert_eq!(
            check("  https://example.com/ding.mp3 ", 1024).unwrap(),
            "https://example.com/ding.mp3"
        );
        assert!(check("http://radio.example:8000/live", 1024).is_ok());
        for bad in [
            "",
            "   ",
            "ding.mp3",
            "file:///etc/passwd",
            "ftp://example.com/a.mp3",
            "javascript:alert(1)",
            "https://user:secret@example.com/a.mp3",
        ] {
            let err = check(bad, 1024).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Invalid, "{bad}: {err}");
        }
        let long = format!("https://example.com/{}", "a".repeat(1100));
        assert!(check(&long, 1024).unwrap_err().to_string().contains("1024"));
        let err = check("https://user:secret@example.com/a.mp3", 1024).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
