//! The settings file: `settings.json` in the OS config folder (on Linux
//! `$XDG_CONFIG_HOME/com.roomtone.desktop/`). Validated on load and on save; written whole
//! through a temporary file so a crash never leaves half a file. A file that cannot be read
//! is left as it is — Roomtone starts with defaults and says what is wrong with it.
//! Secrets never go here: a direct-mode client secret lives in the keychain.

use crate::recent::{self, RecentStream};
use roomtone_core::config::Overrides;
use roomtone_sonos::GroupId;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tauri_plugin_global_shortcut::Shortcut;

/// See the module documentation. On the wire every field is present (the webview gets
/// and sends them all); the file may leave any out ([`Settings::from_file`]), and
/// [`Settings::default`] is the one place the defaults are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The relay to sign in through, over the built-in one.
    pub relay_url: Option<String>,
    /// The Sonos integration's client ID, over the built-in one.
    pub client_id: Option<String>,
    /// Direct mode: the redirect URI registered with your own integration (its client
    /// secret is kept in the keychain, from the settings or `roomtone-cli direct set`).
    pub redirect_uri: Option<String>,
    /// Closing the window keeps Roomtone in the tray.
    pub close_to_tray: bool,
    /// Roomtone starts with its window hidden, in the tray.
    pub start_hidden: bool,
    /// Roomtone starts when you log in (the OS's autostart entry follows this).
    pub start_at_login: bool,
    /// A notification when the track changes in the group the tray controls, while the
    /// window is not in front.
    pub notify_track_change: bool,
    /// Roomtone looks for a new release at start and daily (`roomtone_core::releases`).
    pub check_updates: bool,
    /// How far the volume up and down of the tray, the hotkeys and the media keys move, 1–20.
    pub tray_volume_step: u8,
    /// The group the tray controls (a group ID); the playing group when unset or gone.
    pub tray_group: Option<GroupId>,
    /// Global keyboard shortcuts.
    pub hotkeys: Hotkeys,
    /// The streams played lately, newest first (the window's "Play a stream"); kept by the
    /// app as streams play, not by the settings form.
    pub recent_streams: Vec<RecentStream>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            relay_url: None,
            client_id: None,
            redirect_uri: None,
            close_to_tray: true,
            start_hidden: false,
            start_at_login: false,
            notify_track_change: false,
            check_updates: true,
            tray_volume_step: 2,
            tray_group: None,
            hotkeys: Hotkeys::default(),
            recent_streams: Vec::new(),
        }
    }
}

impl Settings {
    /// The settings in a file's text: what it leaves out (a field, or a hotkey) is the
    /// default; what it does not know is ignored.
    pub fn from_file(text: &str) -> Result<Settings, String> {
        let file: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if !file.is_object() {
            return Err("it is not a JSON object".into());
        }
        let mut whole = serde_json::to_value(Settings::default()).map_err(|e| e.to_string())?;
        overlay(&mut whole, file);
        serde_json::from_value(whole).map_err(|e| e.to_string())
    }
}

/// `over`'s fields written onto `under`, objects field by field.
fn overlay(under: &mut serde_json::Value, over: serde_json::Value) {
    match (under, over) {
        (serde_json::Value::Object(under), serde_json::Value::Object(over)) => {
            for (key, value) in over {
                match under.get_mut(&key) {
                    Some(slot) => overlay(slot, value),
                    None => {
                        under.insert(key, value);
                    }
                }
            }
        }
        (under, over) => *under = over,
    }
}

/// Global keyboard shortcuts for the group the tray controls: off until turned on; each an
/// accelerator such as `CommandOrControl+Alt+P`, or blank for none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Hotkeys {
    pub enabled: bool,
    pub play_pause: String,
    pub next: String,
    pub previous: String,
    pub volume_up: String,
    pub volume_down: String,
    pub mute: String,
}

impl Default for Hotkeys {
    fn default() -> Self {
        Self {
            enabled: false,
            play_pause: "CommandOrControl+Alt+P".into(),
            next: "CommandOrControl+Alt+Right".into(),
            previous: "CommandOrControl+Alt+Left".into(),
            volume_up: "CommandOrControl+Alt+Up".into(),
            volume_down: "CommandOrControl+Alt+Down".into(),
            mute: "CommandOrControl+Alt+M".into(),
        }
    }
}

/// What a hotkey does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotkeyAction {
    PlayPause,
    Next,
    Previous,
    VolumeUp,
    VolumeDown,
    Mute,
}

impl HotkeyAction {
    pub const ALL: [HotkeyAction; 6] = [
        Self::PlayPause,
        Self::Next,
        Self::Previous,
        Self::VolumeUp,
        Self::VolumeDown,
        Self::Mute,
    ];

    /// The action's ID where a desktop keeps the user's choice of keys for it (the portal's
    /// shortcut ID): never to change from one version to the next.
    pub fn id(self) -> &'static str {
        match self {
            Self::PlayPause => "play-pause",
            Self::Next => "next",
            Self::Previous => "previous",
            Self::VolumeUp => "volume-up",
            Self::VolumeDown => "volume-down",
            Self::Mute => "mute",
        }
    }

    /// The action with this [`id`](Self::id).
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }

    /// What it does, for a desktop's list of shortcuts.
    pub fn description(self) -> &'static str {
        match self {
            Self::PlayPause => "Play or pause the room Roomtone's tray controls",
            Self::Next => "Next track in the tray's room",
            Self::Previous => "Previous track in the tray's room",
            Self::VolumeUp => "Turn the tray's room up",
            Self::VolumeDown => "Turn the tray's room down",
            Self::Mute => "Mute or unmute the tray's room",
        }
    }

    /// The action's name in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::PlayPause => "play/pause",
            Self::Next => "next",
            Self::Previous => "previous",
            Self::VolumeUp => "volume up",
            Self::VolumeDown => "volume down",
            Self::Mute => "mute",
        }
    }
}

impl Hotkeys {
    /// Every action with its accelerator, blank ones included.
    pub fn bindings(&self) -> [(HotkeyAction, &str); 6] {
        [
            (HotkeyAction::PlayPause, self.play_pause.as_str()),
            (HotkeyAction::Next, self.next.as_str()),
            (HotkeyAction::Previous, self.previous.as_str()),
            (HotkeyAction::VolumeUp, self.volume_up.as_str()),
            (HotkeyAction::VolumeDown, self.volume_down.as_str()),
            (HotkeyAction::Mute, self.mute.as_str()),
        ]
    }

    /// The accelerators set (blank ones are none), parsed, each with its text: what is
    /// wrong with one in words for a person. A shortcut needs a modifier unless it is a
    /// function or media key (a bare letter would be taken from every other app); two
    /// actions cannot share one.
    pub fn parsed(&self) -> Result<Vec<(HotkeyAction, &str, Shortcut)>, String> {
        let mut parsed: Vec<(HotkeyAction, &str, Shortcut)> = Vec::new();
        for (action, text) in self.bindings() {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let shortcut = Shortcut::from_str(text).map_err(|e| {
                format!(
                    "the {} shortcut {text:?} is not one Roomtone understands ({e}); write it like CommandOrControl+Alt+P",
                    action.label()
                )
            })?;
            let key = format!("{:?}", shortcut.key);
            let bare_ok = key.starts_with("Media")
                || key.starts_with("Audio")
                || (key.len() > 1
                    && key.starts_with('F')
                    && key[1..].chars().all(|c| c.is_ascii_digit()));
            if shortcut.mods.is_empty() && !bare_ok {
                return Err(format!(
                    "the {} shortcut {text:?} needs Ctrl, Alt, Shift or Super (or a function or media key): on its own it would take the key from every other app",
                    action.label()
                ));
            }
            if let Some((other, _, _)) = parsed.iter().find(|(_, _, s)| s.id() == shortcut.id()) {
                return Err(format!(
                    "{text:?} is the shortcut of both {} and {}",
                    other.label(),
                    action.label()
                ));
            }
            parsed.push((action, text, shortcut));
        }
        Ok(parsed)
    }
}

/// The largest tray volume step.
pub const MAX_STEP: u8 = 20;

impl Settings {
    /// What is wrong with these settings, in words for a person; `Ok` with blank strings
    /// turned into "unset".
    pub fn validated(mut self) -> Result<Self, String> {
        let blank = |v: &mut Option<String>| {
            if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
                *v = None;
            }
            if let Some(s) = v {
                *s = s.trim().to_owned();
            }
        };
        blank(&mut self.relay_url);
        blank(&mut self.client_id);
        blank(&mut self.redirect_uri);
        self.tray_group = self
            .tray_group
            .map(|g| GroupId::new(g.as_str().trim()))
            .filter(|g| !g.as_str().is_empty());
        for (what, value) in [
            ("relay URL", &self.relay_url),
            ("redirect URI", &self.redirect_uri),
        ] {
            if let Some(value) = value {
                let url = url::Url::parse(value)
                    .map_err(|e| format!("the {what} {value:?} is not a URL ({e})"))?;
                if !roomtone_sonos::secure_or_loopback(&url) {
                    return Err(format!(
                        "the {what} must start with https:// (http:// only for this computer)"
                    ));
                }
            }
        }
        if let Some(id) = &self.client_id {
            if id.chars().any(char::is_whitespace) || id.len() > 200 {
                return Err(
                    "the client ID is one word, as the Sonos developer portal shows it".into(),
                );
            }
        }
        if !(1..=MAX_STEP).contains(&self.tray_volume_step) {
            return Err(format!(
                "the volume step is between 1 and {MAX_STEP}, not {}",
                self.tray_volume_step
            ));
        }
        for text in [
            &mut self.hotkeys.play_pause,
            &mut self.hotkeys.next,
            &mut self.hotkeys.previous,
            &mut self.hotkeys.volume_up,
            &mut self.hotkeys.volume_down,
            &mut self.hotkeys.mute,
        ] {
            *text = text.trim().to_owned();
        }
        self.hotkeys.parsed()?;
        self.recent_streams = recent::validated(self.recent_streams);
        Ok(self)
    }

    /// The connection values for [`roomtone_core::Config::resolve`].
    pub fn overrides(&self) -> Overrides {
        Overrides {
            client_id: self.client_id.clone(),
            relay_url: self.relay_url.clone(),
            redirect_uri: self.redirect_uri.clone(),
        }
    }
}

/// Where the settings live, and reading and writing them.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn new(folder: &Path) -> Self {
        Self {
            path: folder.join("settings.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved settings; defaults when there is no file. A file that cannot be read or
    /// is invalid gives the defaults and the reason, and is left untouched.
    pub fn load(&self) -> (Settings, Option<String>) {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return (Settings::default(), None)
            }
            Err(err) => return (Settings::default(), Some(self.problem(&err.to_string()))),
        };
        match Settings::from_file(&text).and_then(Settings::validated) {
            Ok(settings) => (settings, None),
            Err(err) => (Settings::default(), Some(self.problem(&err))),
        }
    }

    fn problem(&self, err: &str) -> String {
        format!(
            "the settings file {} could not be used ({err}); Roomtone started with its defaults and left the file as it is.",
            self.path.display()
        )
    }

    /// Validates and writes `settings` (a temporary file, then a rename).
    pub fn save(&self, settings: Settings) -> Result<Settings, String> {
        let settings = settings.validated()?;
        let folder = self
            .path
            .parent()
            .ok_or("the settings folder has no parent")?;
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("could not create {}: {e}", folder.display()))?;
        let text = serde_json::to_string_pretty(&settings).map_err(|e| e.to_string())?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, text + "\n")
            .and_then(|()| std::fs::rename(&temporary, &self.path))
            .map_err(|e| format!("could not save {}: {e}", self.path.display()))?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "roomtone-settings-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn rand_suffix() -> u64 {
        use std::hash::{BuildHasher, RandomState};
        RandomState::new().hash_one(std::time::SystemTime::now())
    }

    #[test]
    fn no_file_means_defaults_and_a_saved_file_reads_back() {
        let file = SettingsFile::new(&folder().join("nested"));
        assert_eq!(file.load(), (Settings::default(), None));
        let saved = file
            .save(Settings {
                relay_url: Some(" https://relay.example ".into()),
                tray_volume_step: 5,
                close_to_tray: false,
                tray_group: Some("".into()),
                ..Settings::default()
            })
            .unwrap();
        assert_eq!(saved.relay_url.as_deref(), Some("https://relay.example"));
        assert_eq!(saved.tray_group, None);
        assert_eq!(file.load(), (saved, None));
    }

    #[test]
    fn invalid_values_are_refused_with_the_reason() {
        let file = SettingsFile::new(&folder());
        for (settings, says) in [
            (
                Settings {
                    relay_url: Some("http://relay.example".into()),
                    ..Settings::default()
                },
                "https://",
            ),
            (
                Settings {
                    redirect_uri: Some("not a url".into()),
                    ..Settings::default()
                },
                "not a URL",
            ),
            (
                Settings {
                    tray_volume_step: 0,
                    ..Settings::default()
                },
                "between 1 and 20",
            ),
            (
                Settings {
                    client_id: Some("two words".into()),
                    ..Settings::default()
                },
                "one word",
            ),
        ] {
            let err = file.save(settings).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
        assert!(!file.path().exists(), "nothing invalid was written");
        // Loopback http is fine (a relay on this computer).
        file.save(Settings {
            relay_url: Some("http://127.0.0.1:8787".into()),
            ..Settings::default()
        })
        .unwrap();
    }

    #[test]
    fn hotkeys_are_off_by_default_and_checked_when_saved() {
        let defaults = Settings::default();
        assert!(!defaults.hotkeys.enabled && !defaults.notify_track_change);
        assert!(defaults.check_updates);
        assert_eq!(defaults.hotkeys.parsed().unwrap().len(), 6);
        let with = |f: fn(&mut Hotkeys)| {
            let mut settings = Settings::default();
            f(&mut settings.hotkeys);
            settings.validated()
        };
        let err = with(|h| h.mute = "Ctrl+Alt+Nope".into()).unwrap_err();
        assert!(
            err.contains("mute shortcut") && err.contains("Nope"),
            "{err}"
        );
        let err = with(|h| h.next = "K".into()).unwrap_err();
        assert!(err.contains("needs Ctrl, Alt, Shift or Super"), "{err}");
        let err = with(|h| h.mute = "CommandOrControl+Alt+P".into()).unwrap_err();
        assert!(err.contains("both play/pause and mute"), "{err}");
        // Media and function keys need no modifier; blank is none; spaces are trimmed.
        let ok = with(|h| {
            h.play_pause = "MediaPlayPause".into();
            h.next = " F8 ".into();
            h.mute = String::new();
        })
        .unwrap();
        assert_eq!(ok.hotkeys.next, "F8");
        assert_eq!(ok.hotkeys.parsed().unwrap().len(), 5);
    }

    #[test]
    fn an_older_file_without_the_newer_settings_reads_with_their_defaults() {
        let file = SettingsFile::new(&folder());
        std::fs::write(
            file.path(),
            r#"{ "trayVolumeStep": 4, "closeToTray": false }"#,
        )
        .unwrap();
        let (settings, problem) = file.load();
        assert_eq!(problem, None);
        assert_eq!(settings.tray_volume_step, 4);
        assert!(!settings.close_to_tray && !settings.start_hidden && !settings.hotkeys.enabled);
        assert_eq!(settings.hotkeys, Hotkeys::default());
    }

    #[test]
    fn a_file_with_some_hotkeys_keeps_the_default_of_the_others() {
        let text = r#"{ "hotkeys": { "enabled": true, "mute": "" }, "someday": 1 }"#;
        let settings = Settings::from_file(text).unwrap();
        assert!(settings.hotkeys.enabled);
        assert_eq!(settings.hotkeys.mute, "", "blank: no shortcut");
        assert_eq!(settings.hotkeys.play_pause, "CommandOrControl+Alt+P");
        assert_eq!(settings.tray_volume_step, 2);
        assert!(Settings::from_file("[1]").is_err());
        assert!(Settings::from_file(r#"{ "trayVolumeStep": "four" }"#).is_err());
        // On the wire every field must be there: the window sends them all.
        assert!(serde_json::from_str::<Settings>(r#"{ "trayVolumeStep": 4 }"#).is_err());
        let whole = serde_json::to_string(&Settings::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<Settings>(&whole).unwrap(),
            Settings::default()
        );
    }

    #[test]
    fn a_broken_file_gives_defaults_says_why_and_is_left_alone() {
        let file = SettingsFile::new(&folder());
        std::fs::write(file.path(), "{ \"trayVolumeStep\": 2, oops").unwrap();
        let (settings, problem) = file.load();
        assert_eq!(settings, Settings::default());
        let problem = problem.unwrap();
        assert!(
            problem.contains("settings.json") && problem.contains("left the file"),
            "{problem}"
        );
        assert_eq!(
            std::fs::read_to_string(file.path()).unwrap(),
            "{ \"trayVolumeStep\": 2, oops"
        );
        std::fs::write(file.path(), "{ \"trayVolumeStep\": 99 }").unwrap();
        assert!(file.load().1.unwrap().contains("between 1 and 20"));
    }
}
