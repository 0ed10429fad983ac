//! Playback sessions (REFERENCE §4.12): one per group at a time, held by an app (`appId`)
//! in a context (`appContext`); a stream URL loaded through one plays as a station.

use super::{Ctx, Emit, Household, Source};
use crate::catalog::{Item, SourceDef};
use crate::error::ApiError;
use roomtone_sonos::events::{Namespace, TargetType};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, SessionId};

/// A session of an app on a group.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub group: GroupId,
    pub app_id: String,
    pub app_context: String,
    pub custom_data: Option<String>,
}

/// How a session is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    Create,
    Join,
    JoinOrCreate,
}

impl Household {
    /// createSession, joinSession or joinOrCreateSession on the group at `index`.
    pub fn open_session(
        &mut self,
        index: usize,
        open: Open,
        request: CreateSession,
        out: &mut Vec<Emit>,
    ) -> Result<SessionStatus, ApiError> {
        for (field, value, max) in [
            ("appId", &request.app_id, 127),
            ("appContext", &request.app_context, 127),
        ] {
            if value.is_empty() || value.chars().count() > max {
                return Err(ApiError::invalid_parameter(format!(
                    "{field} has 1 to {max} characters"
                )));
            }
        }
        if request
            .custom_data
            .as_ref()
            .is_some_and(|d| d.chars().count() > 1023)
        {
            return Err(ApiError::invalid_parameter(
                "customData has at most 1023 characters",
            ));
        }
        let group = self.groups[index].id.clone();
        let same = self.sessions.iter().find(|s| {
            s.group == group && s.app_id == request.app_id && s.app_context == request.app_context
        });
        match (open, same) {
            (Open::Join | Open::JoinOrCreate, Some(session)) => {
                return Ok(status(session, false));
            }
            (Open::Join, None) => {
                return Err(ApiError::invalid_object(format!(
                    "{} has no session of {} to join",
                    group, request.app_id
                )));
            }
            _ => {}
        }
        // A group has one session: another app's (or this app's older one) is evicted.
        let evicted: Vec<Session> = self
            .sessions
            .iter()
            .filter(|s| s.group == group)
            .cloned()
            .collect();
        self.sessions.retain(|s| s.group != group);
        for session in &evicted {
            self.emit_session_error(session, ErrorCode::SessionEvicted, out);
        }
        self.session_counter += 1;
        let session = Session {
            id: SessionId::new(format!(
                "SID_{}_{}",
                self.session_counter,
                group.as_str().replace(':', "_")
            )),
            group,
            app_id: request.app_id,
            app_context: request.app_context,
            custom_data: request.custom_data,
        };
        let made = status(&session, true);
        self.sessions.push(session);
        Ok(made)
    }

    /// The group index of session `id`: unknown → 400 `ERROR_INVALID_OBJECT_ID`; its group
    /// regrouped or gone → 410 `ERROR_RESOURCE_GONE` (the session ended with it).
    pub fn session_group(&self, id: &SessionId) -> Result<usize, ApiError> {
        let session = self
            .sessions
            .iter()
            .find(|s| s.id == *id)
            .ok_or_else(|| ApiError::invalid_object(format!("no playback session {id}")))?;
        self.group_index(&session.group)
            .ok_or_else(|| ApiError::gone(format!("the group of session {id} no longer exists")))
    }

    /// Whether session `id` is one of this household's (alive or not).
    pub fn has_session(&self, id: &SessionId) -> bool {
        self.sessions.iter().any(|s| s.id == *id)
    }

    /// loadStreamUrl: the stream plays on the session's group as a station named by
    /// `stationMetadata` (else by the URL's host).
    pub fn load_stream(
        &mut self,
        id: &SessionId,
        request: LoadStreamUrl,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let index = self.session_group(id)?;
        let url = url::Url::parse(&request.stream_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| ApiError::invalid_parameter("streamUrl must be an http or https URL"))?;
        let metadata = request.station_metadata.unwrap_or_default();
        let name = metadata
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| url.host_str().unwrap_or("Stream").to_owned());
        let item = Item {
            id: format!("stream-{}", id.as_str()),
            name,
            description: String::new(),
            service: "Stream",
            art: "stream".into(),
            source: SourceDef::Station {
                stream_info: "",
                show: "Live stream",
            },
        };
        let playback = &mut self.groups[index].playback;
        playback.source = Source::Station(item);
        playback.index = 0;
        playback.position_ms = 0;
        playback.anchor = ctx.now;
        playback.queue_version += 1;
        playback.state = match request.play_on_completion.unwrap_or(false) {
            true => PlaybackState::Playing,
            false => PlaybackState::Idle,
        };
        self.changed_playback(index, ctx, true);
        Ok(())
    }

    /// leaveSession.
    pub fn leave_session(&mut self, id: &SessionId) -> Result<(), ApiError> {
        self.session_group(id)?;
        self.sessions.retain(|s| s.id != *id);
        Ok(())
    }

    fn emit_session_error(&self, session: &Session, code: ErrorCode, out: &mut Vec<Emit>) {
        let body = SessionError {
            error_code: Some(code),
            reason: Some("another session took the group".into()),
            session_id: Some(session.id.to_string()),
        };
        self.emit(
            out,
            Namespace::PlaybackSession,
            "sessionError",
            TargetType::SessionId,
            session.id.as_str(),
            &body,
        );
    }
}

fn status(session: &Session, created: bool) -> SessionStatus {
    SessionStatus {
        session_id: session.id.clone(),
        session_state: Some(SessionState::Connected),
        session_created: created,
        custom_data: session.custom_data.clone(),
    }
}
