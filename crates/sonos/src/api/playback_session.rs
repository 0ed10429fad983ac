//! `playbackSession` (REFERENCE §4.12): sessions on a group, and a stream URL loaded through
//! one. Session commands use docs.sonos.com's `/playbackSessions/{id}/playbackSession/…`
//! paths (the OAS's `/sessions/{id}/…` is the other documented form).

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::{GroupId, SessionId};
use crate::models::{CreateSession, LoadStreamUrl, SessionStatus};

/// `playbackSession`.
#[derive(Debug)]
pub struct PlaybackSessionHandler<'c> {
    pub(crate) client: &'c Client,
}

impl PlaybackSessionHandler<'_> {
    /// createSession: a new session of this app on the group (another one there is evicted).
    pub async fn create(&self, group: &GroupId, request: &CreateSession) -> Result<SessionStatus> {
        let call = Target::Group(group)
            .post(&["playbackSession"], false)
            .json(request)
            .expecting("sessionStatus");
        self.client.send(call).await
    }

    /// joinSession: this app's session on the group, which must exist (deprecated by the OAS).
    pub async fn join(&self, group: &GroupId, request: &CreateSession) -> Result<SessionStatus> {
        let call = Target::Group(group)
            .post(&["playbackSession", "join"], true)
            .json(request)
            .expecting("sessionStatus");
        self.client.send(call).await
    }

    /// joinOrCreateSession: this app's session on the group, made when there is none
    /// (deprecated by the OAS). Safe to repeat.
    pub async fn join_or_create(
        &self,
        group: &GroupId,
        request: &CreateSession,
    ) -> Result<SessionStatus> {
        let call = Target::Group(group)
            .post(&["playbackSession", "joinOrCreate"], true)
            .json(request)
            .expecting("sessionStatus");
        self.client.send(call).await
    }

    /// loadStreamUrl: a live stream on the session's group.
    pub async fn load_stream_url(
        &self,
        session: &SessionId,
        request: &LoadStreamUrl,
    ) -> Result<()> {
        let call = Target::Session(session)
            .post(&["playbackSession", "loadStreamUrl"], true)
            .json(request);
        self.client.send_ok(call).await
    }

    /// leaveSession.
    pub async fn leave(&self, session: &SessionId) -> Result<()> {
        self.client
            .send_ok(Target::Session(session).delete(&["playbackSession"]))
            .await
    }

    subscription!("playbackSession", SessionId, Session);
}
