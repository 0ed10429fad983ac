//! An accelerator as the settings write it (`CommandOrControl+Alt+Right`, the Tauri and
//! Electron form) in the XDG shortcuts format the portal takes (`CTRL+ALT+Right`): modifiers
//! `CTRL`, `ALT`, `SHIFT`, `LOGO`, then the key's XKB keysym name.

/// The portal's trigger for `accelerator`, or none when a part has no XDG name (the desktop
/// then lets the user choose).
pub fn trigger(accelerator: &str) -> Option<String> {
    let mut mods: Vec<&str> = Vec::new();
    let mut key = None;
    for part in accelerator.split('+').map(str::trim) {
        let modifier = match part.to_ascii_uppercase().as_str() {
            "COMMANDORCONTROL" | "COMMANDORCTRL" | "CMDORCTRL" | "CMDORCONTROL" | "CONTROL"
            | "CTRL" => Some("CTRL"),
            "ALT" | "OPTION" => Some("ALT"),
            "SHIFT" => Some("SHIFT"),
            "SUPER" | "META" | "COMMAND" | "CMD" => Some("LOGO"),
            _ => None,
        };
        match modifier {
            Some(m) if key.is_none() => {
                if !mods.contains(&m) {
                    mods.push(m);
                }
            }
            // A modifier after the key, or a second key: not an accelerator.
            Some(_) => return None,
            None if key.is_some() || part.is_empty() => return None,
            None => key = Some(keysym(part)?),
        }
    }
    let key = key?;
    mods.push(key);
    Some(mods.join("+"))
}

/// The XKB keysym name of a key as accelerators name it (`P`, `KeyP`, `Digit1`, `Right`,
/// `ArrowRight`, `F5`, `MediaPlayPause`…).
fn keysym(key: &str) -> Option<&'static str> {
    let key = key
        .strip_prefix("Key")
        .filter(|k| k.len() == 1)
        .or_else(|| key.strip_prefix("Digit").filter(|k| k.len() == 1))
        .or_else(|| key.strip_prefix("Arrow"))
        .unwrap_or(key);
    const LETTERS: [&str; 26] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z",
    ];
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    const FUNCTION: [&str; 24] = [
        "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", "F13", "F14",
        "F15", "F16", "F17", "F18", "F19", "F20", "F21", "F22", "F23", "F24",
    ];
    let mut chars = key.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_ascii_alphabetic() {
            return Some(LETTERS[(c.to_ascii_lowercase() as u8 - b'a') as usize]);
        }
        if c.is_ascii_digit() {
            return Some(DIGITS[(c as u8 - b'0') as usize]);
        }
    }
    if let Some(n) = key
        .strip_prefix(['F', 'f'])
        .and_then(|n| n.parse::<usize>().ok())
    {
        return FUNCTION.get(n.checked_sub(1)?).copied();
    }
    Some(match key.to_ascii_lowercase().as_str() {
        "up" => "Up",
        "down" => "Down",
        "left" => "Left",
        "right" => "Right",
        "space" => "space",
        "enter" | "return" => "Return",
        "tab" => "Tab",
        "escape" | "esc" => "Escape",
        "backspace" => "BackSpace",
        "delete" => "Delete",
        "insert" => "Insert",
        "home" => "Home",
        "end" => "End",
        "pageup" => "Page_Up",
        "pagedown" => "Page_Down",
        "comma" | "," => "comma",
        "period" | "." => "period",
        "slash" | "/" => "slash",
        "backslash" | "\\" => "backslash",
        "semicolon" | ";" => "semicolon",
        "quote" | "'" => "apostrophe",
        "backquote" | "`" => "grave",
        "bracketleft" | "[" => "bracketleft",
        "bracketright" | "]" => "bracketright",
        "minus" | "-" => "minus",
        "equal" | "=" => "equal",
        "mediaplaypause" => "XF86AudioPlay",
        "mediastop" => "XF86AudioStop",
        "mediatracknext" => "XF86AudioNext",
        "mediatrackprevious" => "XF86AudioPrev",
        "audiovolumeup" => "XF86AudioRaiseVolume",
        "audiovolumedown" => "XF86AudioLowerVolume",
        "audiovolumemute" => "XF86AudioMute",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::trigger;

    fn assert_triggers(cases: &[(&str, &str)]) {
        for (accelerator, xdg) in cases {
            assert_eq!(trigger(accelerator).as_deref(), Some(*xdg), "{accelerator}");
        }
    }

    #[test]
    fn the_default_shortcuts_in_the_portals_format() {
        let cases = [
            ("CommandOrControl+Alt+P", "CTRL+ALT+p"),
            ("CommandOrControl+Alt+Right", "CTRL+ALT+Right"),
            ("CommandOrControl+Alt+Left", "CTRL+ALT+Left"),
            ("CommandOrControl+Alt+Up", "CTRL+ALT+Up"),
            ("CommandOrControl+Alt+Down", "CTRL+ALT+Down"),
            ("CommandOrControl+Alt+M", "CTRL+ALT+m"),
        ];
        assert_triggers(&cases);
    }

    #[test]
    fn what_the_settings_window_records() {
        let cases = [
            ("Ctrl+Shift+Space", "CTRL+SHIFT+space"),
            ("Super+KeyN", "LOGO+n"),
            ("Alt+Digit7", "ALT+7"),
            ("Shift+ArrowUp", "SHIFT+Up"),
            ("F5", "F5"),
            ("Ctrl+F12", "CTRL+F12"),
            ("MediaPlayPause", "XF86AudioPlay"),
            ("AudioVolumeUp", "XF86AudioRaiseVolume"),
            ("Ctrl+Alt+Comma", "CTRL+ALT+comma"),
            ("Ctrl+Ctrl+PageDown", "CTRL+Page_Down"),
        ];
        assert_triggers(&cases);
    }

    #[test]
    fn what_has_no_xdg_name_is_left_to_the_user() {
        for accelerator in [
            "",
            "Ctrl+Alt",
            "Ctrl+P+Q",
            "P+Ctrl",
            "Ctrl+NumLock",
            "F25",
            "F0",
            "Ctrl++",
        ] {
            assert_eq!(trigger(accelerator), None, "{accelerator:?}");
        }
    }
}
