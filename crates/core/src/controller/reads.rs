//! Reading what Sonos says — every household, one group, one household after an action —
//! and publishing it as the truth the controller shows.

use super::Controller;
use crate::error::Result;
use crate::household;
use crate::live::ReadState;
use crate::view;
use roomtone_sonos::GroupId;

impl Controller {
    /// Reads every household from Sonos and publishes it.
    pub async fn refresh(&self) -> Result<()> {
        let _one = self.reads.lock().await;
        self.publish(|live| live.sync = ReadState::Loading);
        match household::read_all(&self.client).await {
            Ok(households) => {
                let now = self.now_millis();
                self.publish(|live| {
                    live.households = households
                        .iter()
                        .map(|h| view::Household::read(h, now))
                        .collect();
                    live.sync = ReadState::Ready;
                });
                Ok(())
            }
            Err(err) => {
                self.publish_failure(&err);
                Err(err)
            }
        }
    }

    /// Reads one group again — what it plays, its volume and its rooms' volumes — and
    /// publishes it; when the group is unknown or the read fails (a regroup), reads
    /// everything instead.
    pub(crate) async fn read_group(&self, id: &GroupId) -> Result<()> {
        let Some(rooms) = self
            .live
            .borrow()
            .group(id)
            .map(|g| g.rooms.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
        else {
            return self.refresh().await;
        };
        let read = {
            let _one = self.reads.lock().await;
            let (playback, metadata, volume, player_volume) = (
                self.client.playback(),
                self.client.playback_metadata(),
                self.client.group_volume(),
                self.client.player_volume(),
            );
            let rooms = async {
                let mut volumes = Vec::with_capacity(rooms.len());
                for room in &rooms {
                    let v = player_volume.get(room).await?;
                    volumes.push((room.clone(), v));
                }
                Ok(volumes)
            };
            tokio::try_join!(
                playback.status(id),
                metadata.status(id),
                volume.get(id),
                rooms,
            )
        };
        match read {
            Ok((playback, metadata, volume, rooms)) => {
                let now = self.now_millis();
                let found = self.publish_group(id.as_str(), |g| {
                    g.apply_playback(&playback, now);
                    g.apply_metadata(&metadata);
                    g.apply_volume(&volume);
                    for room in &mut g.rooms {
                        if let Some((_, v)) = rooms.iter().find(|(r, _)| *r == room.id) {
                            room.apply_volume(v);
                        }
                    }
                });
                if found {
                    self.publish(|live| live.sync = ReadState::Ready);
                    Ok(())
                } else {
                    self.refresh().await
                }
            }
            Err(_) => self.refresh().await,
        }
    }

    /// Reads again the household holding `id` (a group or a room) after an action.
    pub(super) async fn reread(&self, id: &str) {
        let household = {
            let live = self.live.borrow();
            live.households
                .iter()
                .find(|h| {
                    h.groups
                        .iter()
                        .any(|g| g.id == id || g.rooms.iter().any(|r| r.id == id))
                })
                .map(|h| h.id.clone())
        };
        let Some(household) = household else {
            let _ = self.refresh().await;
            return;
        };
        let _one = self.reads.lock().await;
        match household::read_household(&self.client, household.clone()).await {
            Ok(read) => self.publish(|live| {
                let fresh = view::Household::read(&read, self.now_millis());
                match live.households.iter_mut().find(|h| h.id == household) {
                    Some(slot) => *slot = fresh,
                    None => live.households.push(fresh),
                }
                live.sync = ReadState::Ready;
            }),
            Err(err) => self.publish_failure(&err),
        }
    }
}
