//! One function per command: arguments in, [`Action`]s to the core's [`Controller`] — the
//! same controller and session the app uses — an [`Output`] out.

use crate::{Cli, Command, DirectCommand, Which};
use roomtone_core::browser::SystemBrowser;
use roomtone_core::household::HouseholdRead;
use roomtone_core::named::{self, Target};
use roomtone_core::sleep::SleepAfter;
use roomtone_core::{Action, Controller, CoreError, KeychainStore, Opener, SystemClock};
use roomtone_sonos::{GroupId, PlayerId};
use std::io::Write;
use std::sync::Arc;
use url::Url;

/// What a command produced, for [`crate::render`].
#[derive(Debug)]
pub enum Output {
    Message(String),
    Status(Vec<HouseholdRead>),
    /// An action done on a group or room.
    Done {
        action: &'static str,
        target: String,
    },
    /// A volume read or set.
    Volume {
        target: String,
        volume: u8,
        muted: bool,
        fixed: bool,
    },
}

/// Prints the address, for `--no-browser` and for when the browser does not open.
struct Print;

impl Opener for Print {
    fn open(&self, url: &Url) -> Result<(), String> {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Open this address in a browser to sign in to Sonos:\n\n  {url}\n\nWaiting for the sign-in (up to 10 minutes)…");
        let _ = out.flush();
        Ok(())
    }
}

/// Opens the system browser, and prints the address too in case it does not open.
struct Browser;

impl Opener for Browser {
    fn open(&self, url: &Url) -> Result<(), String> {
        eprintln!("Opening the browser to sign in to Sonos. If it does not open, visit:\n  {url}");
        SystemBrowser.open(url)
    }
}

pub async fn run(cli: &Cli) -> Result<Output, CoreError> {
    if let Command::Direct(direct) = &cli.command {
        return self::direct(cli, direct);
    }
    if cli.demo {
        return demo(cli).await;
    }
    let keychain = KeychainStore::new(&cli.keychain_service);
    let config = cli.config(&keychain)?;
    // The keychain is read below, where a missing one is this command's error.
    let controller = Arc::new(Controller::unrestored(
        &config,
        Arc::new(keychain),
        Arc::new(SystemClock),
    )?);
    // The timers the app runs too, shared through their file.
    controller.keep_sleep_timers(roomtone_core::sleep::Timers::for_service(
        &cli.keychain_service,
    ));
    match &cli.command {
        Command::Login { no_browser } => {
            // Where the sign-in will be kept must work before the browser opens.
            controller.restore()?;
            let opener: &dyn Opener = if *no_browser { &Print } else { &Browser };
            controller.sign_in(opener).await?;
            return Ok(Output::Message("Signed in to Sonos.".into()));
        }
        Command::Logout => {
            controller.sign_out().await?;
            return Ok(Output::Message(
                "Signed out. The sign-in was removed from the keychain.".into(),
            ));
        }
        _ => {}
    }
    if !controller.restore()? {
        // A sign-in for another service (the keychain's record says which) is not used.
        return Err(match controller.session() {
            roomtone_core::SessionState::SignedOut {
                reason: Some(reason),
            } => CoreError::SignedOut(reason),
            _ => CoreError::NotSignedIn,
        });
    }
    control(&controller, &cli.command).await
}

/// `--demo`: the demo cloud (the simulated household and a relay, in this process), signed
/// in through the real flow with no account and nothing kept; every run starts afresh.
async fn demo(cli: &Cli) -> Result<Output, CoreError> {
    if matches!(cli.command, Command::Login { .. } | Command::Logout) {
        return Err(CoreError::Local(
            "the demo signs in by itself on every run: login and logout are for a Sonos account"
                .into(),
        ));
    }
    let cloud = roomtone_demo::Cloud::start(roomtone_demo::Options {
        // The CLI reads and acts; it does not follow events.
        events: false,
        ..roomtone_demo::Options::default()
    })
    .await
    .map_err(|err| CoreError::Local(err.to_string()))?;
    let controller = cloud.controller()?;
    roomtone_demo::sign_in(&controller).await?;
    control(&controller, &cli.command).await
}

/// `direct set` and `direct forget`: the client secret of the person's own integration.
fn direct(cli: &Cli, direct: &DirectCommand) -> Result<Output, CoreError> {
    let keychain = KeychainStore::new(&cli.keychain_service);
    match direct {
        DirectCommand::Set => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| {
                CoreError::Local(format!(
                    "could not read the secret from standard input: {e}"
                ))
            })?;
            let secret = line.trim();
            if secret.is_empty() {
                return Err(CoreError::Local("no secret on standard input".into()));
            }
            keychain.save_client_secret(&roomtone_sonos::ClientSecret::new(secret))?;
            Ok(Output::Message("Kept your integration's client secret in the keychain. Sign in with --redirect-uri (or ROOMTONE_REDIRECT_URI) to use it.".into()))
        }
        DirectCommand::Forget => {
            keychain.clear_client_secret()?;
            Ok(Output::Message(
                "Removed the client secret from the keychain.".into(),
            ))
        }
    }
}

/// The commands that read and act, on a signed-in controller.
async fn control(controller: &Arc<Controller>, command: &Command) -> Result<Output, CoreError> {
    if let Command::Status = command {
        return Ok(Output::Status(controller.households().await?));
    }
    controller.refresh().await?;
    let on_group =
        |which, action: fn(GroupId) -> Action, done| on_group(controller, which, action, done);
    match command {
        Command::Play(which) => on_group(which, |group| Action::Play { group }, "played").await,
        Command::Pause(which) => on_group(which, |group| Action::Pause { group }, "paused").await,
        Command::Toggle(which) => {
            on_group(which, |group| Action::Toggle { group }, "toggled").await
        }
        Command::Next(which) => {
            let next = |group| Action::Next { group };
            on_group(which, next, "skipped to the next track").await
        }
        Command::Prev(which) => {
            let previous = |group| Action::Previous { group };
            on_group(which, previous, "went to the previous track").await
        }
        Command::Volume { which, value } => volume(controller, which, value.as_deref()).await,
        Command::Mute(which) => mute(controller, which, true).await,
        Command::Unmute(which) => mute(controller, which, false).await,
        Command::PlayUrl { url, name, which } => {
            let (url, name) = (url.clone(), name.clone());
            let play = move |group| Action::PlayStream {
                group,
                url: url.clone(),
                name: name.clone(),
            };
            self::on_group(controller, which, play, "playing the stream").await
        }
        Command::PauseAll => {
            let households: Vec<_> = controller
                .live()
                .households
                .iter()
                .map(|h| h.id.clone())
                .collect();
            for household in households {
                controller.perform(Action::PauseAll { household }).await?;
            }
            Ok(Output::Done {
                action: "paused everything",
                target: "Every household".into(),
            })
        }
        Command::Sleep { when, which } => sleep(controller, *when, which).await,
        Command::Chime { room, url, volume } => {
            chime(controller, room.as_deref(), url.clone(), *volume).await
        }
        Command::Status | Command::Login { .. } | Command::Logout | Command::Direct(_) => {
            unreachable!("handled by run")
        }
    }
}

/// A transport action on the group `which` names.
async fn on_group(
    controller: &Controller,
    which: &Which,
    action: impl FnOnce(GroupId) -> Action,
    done: &'static str,
) -> Result<Output, CoreError> {
    let (id, name) = {
        let live = controller.live();
        let group = named::group(&live.households, &target(which))?;
        (group.id.clone(), group.name.clone())
    };
    controller.perform(action(id)).await?;
    Ok(Output::Done {
        action: done,
        target: name,
    })
}

/// `sleep`: the timer set (or turned off) through the core, kept in the file the app reads.
/// With the app running, it runs the timer; without, this process waits and runs it.
async fn sleep(
    controller: &Arc<Controller>,
    after: SleepAfter,
    which: &Which,
) -> Result<Output, CoreError> {
    let (id, name) = {
        let live = controller.live();
        let group = named::group(&live.households, &target(which))?;
        (group.id.clone(), group.name.clone())
    };
    controller
        .perform(Action::Sleep {
            group: id.clone(),
            after,
        })
        .await?;
    let Some(timer) = controller.live().sleep_of(&id).cloned() else {
        return Ok(Output::Message(format!("{name}: the sleep timer is off.")));
    };
    let when = match timer.end_of_track {
        true => "at the end of this track".to_owned(),
        false => format!("in {} min", timer.minutes_left),
    };
    // Whether the app (or another `sleep`) runs the timers: it holds the runner's lock.
    if controller.timers_run_elsewhere() {
        return Ok(Output::Message(format!(
            "{name} sleeps {when}: Roomtone runs the timer (`roomtone-cli sleep off` turns it off)."
        )));
    }
    eprintln!("{name} sleeps {when}. Roomtone is not running, so this waits to pause it; Ctrl+C leaves the timer for Roomtone's next start.");
    controller.clone().run_sleep_timers(true).await;
    Ok(Output::Message(format!(
        "{name} is asleep: paused, its volume put back."
    )))
}

/// `30`, `30m`, `30min`, `1h`, `end` or `off`.
pub fn parse_sleep(text: &str) -> Result<SleepAfter, String> {
    let text = text.trim().to_ascii_lowercase();
    match text.as_str() {
        "off" => return Ok(SleepAfter::Off),
        "end" | "end-of-track" => return Ok(SleepAfter::EndOfTrack),
        _ => {}
    }
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let minutes = match (number.parse::<u32>(), unit) {
        (Ok(n), "" | "m" | "min" | "mins" | "minutes") => Some(n),
        (Ok(n), "h" | "hour" | "hours") => n.checked_mul(60),
        _ => None,
    };
    let max = u32::from(roomtone_core::sleep::MAX_MINUTES);
    match minutes.filter(|m| (1..=max).contains(m)) {
        Some(m) => Ok(SleepAfter::Minutes {
            minutes: u16::try_from(m).unwrap_or(roomtone_core::sleep::MAX_MINUTES),
        }),
        None => Err(format!(
            "a sleep timer is 1 to {max} minutes (30, 30m, 1h), end (of the track) or off"
        )),
    }
}

fn target(which: &Which) -> Target {
    match (&which.group, &which.room) {
        (Some(group), _) => Target::Group(group.clone()),
        (None, Some(room)) => Target::Room(room.clone()),
        (None, None) => Target::Default,
    }
}

/// `N`, `+N` or `-N`.
pub fn parse_volume(text: &str) -> Result<(bool, i16), String> {
    let relative = text.starts_with('+') || text.starts_with('-');
    let number: i16 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a volume: use N, +N or -N"))?;
    let range = if relative { -100..=100 } else { 0..=100 };
    if !range.contains(&number) {
        return Err(format!("{text} is out of range: volumes go from 0 to 100"));
    }
    Ok((relative, number))
}

async fn volume(
    controller: &Controller,
    which: &Which,
    value: Option<&str>,
) -> Result<Output, CoreError> {
    let change = value
        .map(parse_volume)
        .transpose()
        .map_err(CoreError::Local)?;
    if let Some(name) = which.room.as_deref() {
        let id = {
            let live = controller.live();
            PlayerId::from(named::room(&live.households, name)?.1.id.as_str())
        };
        let action = match change {
            Some((true, delta)) => Some(Action::AdjustRoomVolume {
                room: id.clone(),
                delta,
            }),
            Some((false, level)) => Some(Action::SetRoomVolume {
                room: id.clone(),
                volume: level as u8,
            }),
            None => None,
        };
        if let Some(action) = action {
            controller.perform(action).await?;
        }
        // Read back by the action (or by the first read): what Sonos says now.
        let live = controller.live();
        let (_, room) = named::room(&live.households, name)?;
        return Ok(Output::Volume {
            target: room.name.clone(),
            volume: room.volume.volume,
            muted: room.volume.muted,
            fixed: room.volume.fixed,
        });
    }
    let (id, name) = {
        let live = controller.live();
        let group = named::group(&live.households, &target(which))?;
        (group.id.clone(), group.name.clone())
    };
    let action = match change {
        Some((true, delta)) => Some(Action::AdjustGroupVolume {
            group: id.clone(),
            delta,
        }),
        Some((false, level)) => Some(Action::SetGroupVolume {
            group: id.clone(),
            volume: level as u8,
        }),
        None => None,
    };
    let group = match action {
        Some(action) => controller.perform(action).await?.group.unwrap_or(id),
        None => id,
    };
    let live = controller.live();
    let volume = live.group(&group).map_or_else(
        || Err(CoreError::NotFound(format!("{name} is no longer a group"))),
        |g| Ok(g.volume),
    )?;
    Ok(Output::Volume {
        target: name,
        volume: volume.volume,
        muted: volume.muted,
        fixed: volume.fixed,
    })
}

async fn mute(controller: &Controller, which: &Which, muted: bool) -> Result<Output, CoreError> {
    let action = if muted { "muted" } else { "unmuted" };
    let (change, target) = {
        let live = controller.live();
        match which.room.as_deref() {
            Some(name) => {
                let (_, room) = named::room(&live.households, name)?;
                let room_id = room.id.clone();
                let change = Action::SetRoomMute {
                    room: room_id,
                    muted,
                };
                (change, room.name.clone())
            }
            None => {
                let group = named::group(&live.households, &self::target(which))?;
                let group_id = group.id.clone();
                let change = Action::SetGroupMute {
                    group: group_id,
                    muted,
                };
                (change, group.name.clone())
            }
        }
    };
    controller.perform(change).await?;
    Ok(Output::Done { action, target })
}

/// Rings a chime in `room`, or in the default group's first room that can ring one.
async fn chime(
    controller: &Controller,
    room: Option<&str>,
    url: Option<String>,
    volume: Option<u8>,
) -> Result<Output, CoreError> {
    let (id, name) = {
        let live = controller.live();
        let room = match room {
            Some(name) => named::room(&live.households, name)?.1,
            None => {
                let group = named::group(&live.households, &Target::Default)?;
                // None can: the coordinator, which the core refuses in words.
                let first = group.rooms.iter().find(|r| r.can_chime);
                first.unwrap_or(&group.rooms[0])
            }
        };
        (room.id.clone(), room.name.clone())
    };
    let chime = Action::Chime {
        room: id,
        url,
        volume,
    };
    controller.perform(chime).await?;
    Ok(Output::Done {
        action: "rang a chime",
        target: name,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_volume;

    #[test]
    fn volumes_are_absolute_or_relative_and_in_range() {
        assert_eq!(parse_volume("30"), Ok((false, 30)));
        assert_eq!(parse_volume("+5"), Ok((true, 5)));
        assert_eq!(parse_volume("-100"), Ok((true, -100)));
        for bad in ["101", "-101", "+101", "loud", "", "5.5"] {
            assert!(parse_volume(bad).is_err(), "{bad}");
        }
    }
}
