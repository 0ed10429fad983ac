//! One function per command: arguments in, calls into the core, an [`Output`] out.

use crate::{Cli, Command, DirectCommand, Which};
use roomtone_core::browser::SystemBrowser;
use roomtone_core::household::{self, GroupView, HouseholdView, Target};
use roomtone_core::session::from_sonos;
use roomtone_core::{CoreError, KeychainStore, Opener, Session, SystemClock};
use roomtone_sonos::models::{SetRelativeVolume, SetVolume};
use roomtone_sonos::Client;
use std::io::Write;
use std::sync::Arc;
use url::Url;

/// What a command produced, for [`crate::render`].
#[derive(Debug)]
pub enum Output {
    Message(String),
    Status(Vec<HouseholdView>),
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
    let keychain = KeychainStore::new(&cli.keychain_service);
    if let Command::Direct(direct) = &cli.command {
        return match direct {
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
        };
    }
    let config = cli.config(&keychain)?;
    let store = Arc::new(keychain);
    let session = Arc::new(
        Session::new(store, config.refresher()?, Arc::new(SystemClock)).issued_by(config.issuer()),
    );
    match &cli.command {
        Command::Login { no_browser } => {
            // Where the sign-in will be kept must work before the browser opens.
            session.restore()?;
            let sign_in = config.sign_in(Arc::new(SystemClock))?;
            let opener: &dyn Opener = if *no_browser { &Print } else { &Browser };
            let attempt = sign_in.begin(opener).await?;
            let tokens = attempt.finish().await?;
            session.signed_in(tokens).await?;
            return Ok(Output::Message("Signed in to Sonos.".into()));
        }
        Command::Logout => {
            session.sign_out().await?;
            return Ok(Output::Message(
                "Signed out. The sign-in was removed from the keychain.".into(),
            ));
        }
        _ => {}
    }
    if !session.restore()? {
        // A sign-in for another service (the keychain's record says which) is not used.
        return Err(match session.state() {
            roomtone_core::SessionState::SignedOut {
                reason: Some(reason),
            } => CoreError::SignedOut(reason),
            _ => CoreError::NotSignedIn,
        });
    }
    let client = config.client(session.clone())?;
    let households = household::read_all(&client).await?;
    match &cli.command {
        Command::Status => Ok(Output::Status(households)),
        Command::Play(which) => {
            transport(&client, &households, which, "played", |c, g| {
                Box::pin(async move { c.playback().play(&g).await })
            })
            .await
        }
        Command::Pause(which) => {
            transport(&client, &households, which, "paused", |c, g| {
                Box::pin(async move { c.playback().pause(&g).await })
            })
            .await
        }
        Command::Toggle(which) => {
            transport(&client, &households, which, "toggled", |c, g| {
                Box::pin(async move { c.playback().toggle_play_pause(&g).await })
            })
            .await
        }
        Command::Next(which) => {
            transport(
                &client,
                &households,
                which,
                "skipped to the next track",
                |c, g| Box::pin(async move { c.playback().skip_to_next_track(&g).await }),
            )
            .await
        }
        Command::Prev(which) => {
            transport(
                &client,
                &households,
                which,
                "went to the previous track",
                |c, g| Box::pin(async move { c.playback().skip_to_previous_track(&g).await }),
            )
            .await
        }
        Command::Volume { which, value } => {
            volume(&client, &households, which, value.as_deref()).await
        }
        Command::Mute(which) => mute(&client, &households, which, true).await,
        Command::Unmute(which) => mute(&client, &households, which, false).await,
        Command::Login { .. } | Command::Logout | Command::Direct(_) => {
            unreachable!("handled above")
        }
    }
}

fn target(which: &Which) -> Target {
    match (&which.group, &which.room) {
        (Some(group), _) => Target::Group(group.clone()),
        (None, Some(room)) => Target::Room(room.clone()),
        (None, None) => Target::Default,
    }
}

type Call = fn(
    Client,
    roomtone_sonos::GroupId,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = roomtone_sonos::Result<()>> + Send>,
>;

async fn transport(
    client: &Client,
    households: &[HouseholdView],
    which: &Which,
    action: &'static str,
    call: Call,
) -> Result<Output, CoreError> {
    let group = household::find(households, &target(which))?;
    call(client.clone(), group.group.id.clone())
        .await
        .map_err(from_sonos)?;
    Ok(Output::Done {
        action,
        target: group.group.name.clone(),
    })
}

/// A room named by `--room`, with the group it is in.
fn room<'a>(
    households: &'a [HouseholdView],
    which: &Which,
) -> Option<Result<(&'a GroupView, &'a household::PlayerView), CoreError>> {
    let name = which.room.as_deref()?;
    Some(
        household::find(households, &Target::Room(name.to_owned())).map(|group| {
            let player = group
                .players
                .iter()
                .find(|p| p.player.name.trim().eq_ignore_ascii_case(name.trim()))
                .expect("find matched this room");
            (group, player)
        }),
    )
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
    client: &Client,
    households: &[HouseholdView],
    which: &Which,
    value: Option<&str>,
) -> Result<Output, CoreError> {
    let change = value
        .map(parse_volume)
        .transpose()
        .map_err(CoreError::Local)?;
    if let Some(found) = room(households, which) {
        let (_, player) = found?;
        let id = &player.player.id;
        let volumes = client.player_volume();
        match change {
            Some((true, delta)) => {
                volumes
                    .set_relative(
                        id,
                        SetRelativeVolume {
                            volume_delta: Some(delta),
                            muted: None,
                        },
                    )
                    .await
            }
            Some((false, level)) => {
                volumes
                    .set(
                        id,
                        SetVolume {
                            volume: Some(level as u8),
                            muted: None,
                        },
                    )
                    .await
            }
            None => Ok(()),
        }
        .map_err(from_sonos)?;
        let now = volumes.get(id).await.map_err(from_sonos)?;
        return Ok(Output::Volume {
            target: player.player.name.clone(),
            volume: now.volume,
            muted: now.muted.unwrap_or(false),
            fixed: now.fixed.unwrap_or(false),
        });
    }
    let group = household::find(households, &target(which))?;
    let id = &group.group.id;
    let volumes = client.group_volume();
    match change {
        Some((true, delta)) => volumes.set_relative(id, delta).await,
        Some((false, level)) => volumes.set(id, level as u8).await,
        None => Ok(()),
    }
    .map_err(from_sonos)?;
    let now = volumes.get(id).await.map_err(from_sonos)?;
    Ok(Output::Volume {
        target: group.group.name.clone(),
        volume: now.volume,
        muted: now.muted.unwrap_or(false),
        fixed: now.fixed.unwrap_or(false),
    })
}

async fn mute(
    client: &Client,
    households: &[HouseholdView],
    which: &Which,
    muted: bool,
) -> Result<Output, CoreError> {
    let action = if muted { "muted" } else { "unmuted" };
    if let Some(found) = room(households, which) {
        let (_, player) = found?;
        client
            .player_volume()
            .set_mute(&player.player.id, muted)
            .await
            .map_err(from_sonos)?;
        return Ok(Output::Done {
            action,
            target: player.player.name.clone(),
        });
    }
    let group = household::find(households, &target(which))?;
    client
        .group_volume()
        .set_mute(&group.group.id, muted)
        .await
        .map_err(from_sonos)?;
    Ok(Output::Done {
        action,
        target: group.group.name.clone(),
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
