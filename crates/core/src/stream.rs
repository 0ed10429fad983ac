//! Playing a stream URL (a live internet radio station) on a group: a playback session of
//! Roomtone's (`createSession`), then `loadStreamUrl` (REFERENCE §4.12). Sessions are
//! mostly for Sonos's content partners; what a refusal means is said here in words.

use crate::chime::APP_ID;
use crate::error::{CoreError, Result};
use crate::media_url;
use roomtone_sonos::models::{Container, CreateSession, ErrorCode, LoadStreamUrl};
use roomtone_sonos::Error;

/// The longest stream URL taken (Sonos documents no limit; this keeps a paste of a whole
/// page out).
pub const MAX_URL: usize = 2048;
/// The longest station name taken.
pub const MAX_NAME: usize = 100;

/// Checks a stream's URL and name before anything is sent.
pub fn check(url: &str, name: Option<&str>) -> Result<()> {
    media_url::check(url, MAX_URL)?;
    if name.is_some_and(|n| n.trim().chars().count() > MAX_NAME) {
        return Err(CoreError::Invalid(format!(
            "a stream's name has at most {MAX_NAME} characters"
        )));
    }
    Ok(())
}

/// The session Roomtone opens on a group.
pub(crate) fn session() -> CreateSession {
    CreateSession {
        app_id: APP_ID.into(),
        app_context: "stream".into(),
        account_id: None,
        custom_data: None,
    }
}

/// The loadStreamUrl request: plays at once, named when a name is given.
pub(crate) fn load(url: &str, name: Option<&str>) -> LoadStreamUrl {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    LoadStreamUrl {
        stream_url: url.trim().to_owned(),
        play_on_completion: Some(true),
        station_metadata: name.map(|n| Container {
            name: Some(n.to_owned()),
            kind: Some("station".into()),
            ..Container::default()
        }),
        item_id: None,
    }
}

/// What Sonos's refusal of a stream means, in words; other failures as they are.
pub(crate) fn explain(err: Error) -> CoreError {
    let message = match &err {
        Error::Sonos { status: 403, .. }
        | Error::Sonos {
            error_code: Some(ErrorCode::NoPermission | ErrorCode::NotCapable),
            ..
        } => "Sonos does not let Roomtone play a stream URL here: it opens playback sessions \
              only to its content partners' integrations. Nothing else changed; favorites \
              and playlists play as before"
            .to_owned(),
        Error::Gone { .. } => "the group changed while the stream was loading (a regroup \
                               elsewhere): choose the group again and play it once more"
            .to_owned(),
        Error::Sonos {
            error_code: Some(ErrorCode::InvalidParameter),
            ..
        } => format!("Sonos did not take the stream: {err}"),
        _ => return crate::session::from_sonos(err),
    };
    CoreError::Explained {
        message,
        source: err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_checked_named_and_explained() {
        assert!(check("https://radio.example/live.mp3", Some("Harbour FM")).is_ok());
        assert!(check("rtsp://radio.example/live", None).is_err());
        assert!(check("https://radio.example/live", Some(&"x".repeat(101))).is_err());
        let named = load(" https://radio.example/live ", Some("  Harbour FM "));
        assert_eq!(named.stream_url, "https://radio.example/live");
        assert_eq!(
            named.station_metadata.unwrap().name.as_deref(),
            Some("Harbour FM")
        );
        assert!(load("https://radio.example/live", Some(" "))
            .station_metadata
            .is_none());
        let refused = explain(Error::Sonos {
            status: 403,
            error_code: Some(ErrorCode::NoPermission),
            reason: None,
        });
        assert!(
            refused.to_string().contains("content partners"),
            "{refused}"
        );
        assert_eq!(refused.kind(), crate::ErrorKind::Sonos);
        assert!(matches!(
            explain(Error::Timeout),
            CoreError::Sonos(Error::Timeout)
        ));
    }
}
