//! `playbackMetadata` (REFERENCE §4.4): what a group is playing.

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::GroupId;
use crate::models::MetadataStatus;

/// `playbackMetadata`.
#[derive(Debug)]
pub struct PlaybackMetadataHandler<'c> {
    pub(crate) client: &'c Client,
}

impl PlaybackMetadataHandler<'_> {
    /// getMetadataStatus.
    pub async fn status(&self, group: &GroupId) -> Result<MetadataStatus> {
        self.client
            .send(Target::Group(group).get(&["playbackMetadata"], "metadataStatus"))
            .await
    }

    subscription!("playbackMetadata", GroupId, Group);
}
