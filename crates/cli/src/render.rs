//! Printing a command's output as text for people or JSON for scripts.

use crate::commands::Output;
use roomtone_core::household::GroupRead;
use roomtone_sonos::models::PlaybackState;
use serde_json::json;

pub fn print(output: &Output, as_json: bool) {
    if as_json {
        let value = match output {
            Output::Message(message) => json!({"ok": true, "message": message}),
            Output::Status(households) => json!({"households": households}),
            Output::Done { action, target } => {
                json!({"ok": true, "action": action, "target": target})
            }
            Output::Volume {
                target,
                volume,
                muted,
                fixed,
            } => json!({"target": target, "volume": volume, "muted": muted, "fixed": fixed}),
        };
        println!("{value}");
        return;
    }
    match output {
        Output::Message(message) => println!("{message}"),
        Output::Done { action, target } => println!("{target}: {action}."),
        Output::Volume {
            target,
            volume,
            muted,
            fixed,
        } => {
            let state = match (fixed, muted) {
                (true, _) => " (fixed volume)",
                (false, true) => " (muted)",
                _ => "",
            };
            println!("{target}: volume {volume}{state}");
        }
        Output::Status(households) => {
            for (n, household) in households.iter().enumerate() {
                if households.len() > 1 {
                    println!(
                        "{}Household {} ({})",
                        if n > 0 { "\n" } else { "" },
                        n + 1,
                        household.id
                    );
                }
                for group in &household.groups {
                    println!("{}", group_line(group));
                    let rooms: Vec<String> = group
                        .players
                        .iter()
                        .map(|p| {
                            let level = if p.volume.fixed == Some(true) {
                                "fixed".to_owned()
                            } else {
                                p.volume.volume.to_string()
                            };
                            let muted = if p.volume.muted == Some(true) {
                                " muted"
                            } else {
                                ""
                            };
                            format!("{} {level}{muted}", p.player.name)
                        })
                        .collect();
                    println!("    {}", rooms.join(" · "));
                }
            }
        }
    }
}

fn group_line(group: &GroupRead) -> String {
    let state = match group.playback.playback_state {
        PlaybackState::Playing => "playing",
        PlaybackState::Buffering => "starting",
        PlaybackState::Paused => "paused",
        PlaybackState::Idle => "stopped",
        _ => "unknown",
    };
    let metadata = &group.metadata;
    let track = metadata
        .current_item
        .as_ref()
        .and_then(|i| i.track.as_ref());
    let what = match (track, metadata.container.as_ref()) {
        (Some(track), container) => {
            let mut line = format!("\"{}\"", track.name.as_deref().unwrap_or("Unknown track"));
            if let Some(artist) = track.artist.as_ref() {
                line.push_str(&format!(" by {}", artist.name));
            }
            if let Some(name) = container.and_then(|c| c.name.as_ref()) {
                line.push_str(&format!(" ({name})"));
            }
            line
        }
        (None, Some(container)) => {
            let name = container.name.as_deref().unwrap_or("Unknown source");
            match metadata.stream_info.as_deref() {
                Some(info) => format!("{name} — {info}"),
                None => name.to_owned(),
            }
        }
        (None, None) => "nothing loaded".to_owned(),
    };
    let volume = if group.volume.fixed == Some(true) {
        "fixed volume".to_owned()
    } else if group.volume.muted == Some(true) {
        format!("volume {} (muted)", group.volume.volume)
    } else {
        format!("volume {}", group.volume.volume)
    };
    format!("{} — {state} — {what} — {volume}", group.group.name)
}
