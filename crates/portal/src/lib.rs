//! Global shortcuts through the XDG desktop portal (`org.freedesktop.portal.GlobalShortcuts`):
//! how a Wayland desktop (KDE Plasma, GNOME 48 and later, Hyprland…) gives an app keys that
//! work whichever app is in front, where an X11 key grab reaches only X11 windows.
//!
//! The app asks for its shortcuts, each with the trigger it would like; the desktop (often
//! after asking the user) says which it bound and to what; then it sends each press. The
//! desktop keeps what the user chose under the app's ID and each shortcut's ID, so IDs stay
//! the same from one version to the next.
//!
//! `roomtone-standin-portal` (src/bin) is a stand-in for the portal on a private bus, for
//! the tests of this crate and of the app.
#![cfg(target_os = "linux")]

mod trigger;

pub use trigger::trigger;

use ashpd::desktop::global_shortcuts::{BindShortcutsOptions, GlobalShortcuts, NewShortcut};
use ashpd::desktop::{CreateSessionOptions, ResponseError, Session};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use zbus::zvariant::{serialized::Context, OwnedObjectPath, LE};

/// The portal's bus name.
pub const PORTAL: &str = "org.freedesktop.portal.Desktop";

/// A shortcut the app asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Stable from one version to the next: the desktop keeps the user's choice under it.
    pub id: String,
    /// What it does, in words for the desktop's dialog and settings.
    pub description: String,
    /// The trigger the app would like, in the XDG shortcuts format (`CTRL+ALT+p`); none
    /// leaves the choice to the user.
    pub trigger: Option<String>,
}

/// A shortcut the desktop bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub id: String,
    /// How the desktop says it is pressed (`Ctrl+Alt+P`), possibly not what was asked for.
    pub trigger: String,
}

/// What the desktop sends while the shortcuts are bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The shortcut with this ID was pressed.
    Pressed(String),
    /// The user changed the shortcuts in the desktop's settings: these are bound now.
    Changed(Vec<Bound>),
    /// The session ended without the app closing it: the desktop closed it, or the portal
    /// left the bus (it restarted, or the session did). The shortcuts are gone; the stream
    /// ends after this.
    Ended,
}

/// Why there are no shortcuts from the portal.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PortalError {
    /// No portal, or one without global shortcuts (GNOME before 48, for one).
    #[error("this desktop has no global-shortcuts portal")]
    Absent,
    /// The user said no in the desktop's dialog.
    #[error("the desktop's shortcut dialog was cancelled")]
    Cancelled,
    /// The desktop answered that it would not.
    #[error("the desktop refused the shortcuts")]
    Refused,
    /// The bus or the portal failed.
    #[error("the desktop portal failed: {0}")]
    Failed(String),
}

impl From<ashpd::Error> for PortalError {
    fn from(err: ashpd::Error) -> Self {
        match err {
            ashpd::Error::PortalNotFound(_) => Self::Absent,
            ashpd::Error::Response(ResponseError::Cancelled) => Self::Cancelled,
            ashpd::Error::Response(ResponseError::Other) => Self::Refused,
            ashpd::Error::Portal(ashpd::PortalError::Cancelled(_)) => Self::Cancelled,
            ashpd::Error::Portal(ashpd::PortalError::NotAllowed(_)) => Self::Refused,
            other => {
                let text = other.to_string();
                // A portal without the interface, or a call the bus could not deliver.
                if [
                    "UnknownInterface",
                    "UnknownMethod",
                    "ServiceUnknown",
                    "No such interface",
                ]
                .iter()
                .any(|s| text.contains(s))
                {
                    Self::Absent
                } else {
                    Self::Failed(text)
                }
            }
        }
    }
}

impl From<zbus::Error> for PortalError {
    fn from(err: zbus::Error) -> Self {
        ashpd::Error::from(err).into()
    }
}

/// A connection to the portal on a bus, the app registered with it under its ID.
#[derive(Debug, Clone)]
pub struct Portal {
    connection: zbus::Connection,
}

impl Portal {
    /// The portal of the user's session bus.
    pub async fn session(app_id: &str) -> Result<Self, PortalError> {
        Self::with_connection(zbus::Connection::session().await?, app_id).await
    }

    /// The portal on `connection`'s bus. An app outside a sandbox tells the portal its ID
    /// first (`org.freedesktop.host.portal.Registry`, xdg-desktop-portal 1.19 and later):
    /// without it some desktops cannot name the app or keep its shortcuts.
    pub async fn with_connection(
        connection: zbus::Connection,
        app_id: &str,
    ) -> Result<Self, PortalError> {
        let bus = zbus::fdo::DBusProxy::new(&connection).await?;
        let name = zbus::names::BusName::try_from(PORTAL).map_err(zbus::Error::from)?;
        let running = bus.name_has_owner(name).await.unwrap_or(false);
        let startable = running
            || bus
                .list_activatable_names()
                .await
                .is_ok_and(|names| names.iter().any(|n| n.as_str() == PORTAL));
        if !startable {
            return Err(PortalError::Absent);
        }
        match ashpd::AppID::try_from(app_id) {
            Ok(id) => {
                if let Err(err) =
                    ashpd::register_host_app_with_connection(connection.clone(), id).await
                {
                    // Older portals have no registry; they name the app from its process.
                    tracing::debug!(error = %err, "the portal did not take the app's ID");
                }
            }
            Err(err) => tracing::warn!(error = %err, app_id, "not an app ID the portal takes"),
        }
        Ok(Self { connection })
    }

    /// Asks for `wanted` in a new session. What the desktop bound comes back (it can leave
    /// some out, or bind them to other keys); closing the [`Binding`] releases them all.
    pub async fn bind(&self, wanted: &[Wanted]) -> Result<Binding, PortalError> {
        let proxy = GlobalShortcuts::with_connection(self.connection.clone()).await?;
        let session = proxy
            .create_session(CreateSessionOptions::default())
            .await?;
        // Listening before asking: a press or a change right after the answer is not missed.
        let events = match self.listen(&proxy, &session).await {
            Ok(listening) => listening,
            Err(err) => {
                let _ = session.close().await;
                return Err(err);
            }
        };
        let shortcuts: Vec<NewShortcut> = wanted
            .iter()
            .map(|w| {
                NewShortcut::new(&w.id, &w.description).preferred_trigger(w.trigger.as_deref())
            })
            .collect();
        let answer = proxy
            .bind_shortcuts(&session, &shortcuts, None, BindShortcutsOptions::default())
            .await
            .and_then(|request| request.response());
        match answer {
            Ok(answer) => Ok(Binding {
                bound: bound(answer.shortcuts()),
                events: Some(events),
                session,
            }),
            Err(err) => {
                let _ = session.close().await;
                Err(err.into())
            }
        }
    }
}

impl Portal {
    /// This session's presses and changes (another session's are not this app's to act
    /// on), then [`Event::Ended`] when the desktop closes the session or the portal leaves.
    async fn listen(
        &self,
        proxy: &GlobalShortcuts,
        session: &Session<GlobalShortcuts>,
    ) -> Result<BoxStream<'static, Event>, PortalError> {
        let path = path_of(session)?;
        let mine = path.clone();
        let pressed = proxy.receive_activated().await?.filter_map(move |a| {
            let event = (a.session_handle() == mine.as_ref())
                .then(|| Event::Pressed(a.shortcut_id().to_owned()));
            std::future::ready(event)
        });
        let mine = path.clone();
        let changed = proxy
            .receive_shortcuts_changed()
            .await?
            .filter_map(move |c| {
                let event = (c.session_handle() == mine.as_ref())
                    .then(|| Event::Changed(bound(c.shortcuts())));
                std::future::ready(event)
            });
        // ashpd's stream of the session's `Closed` borrows the session: a proxy of our own.
        let closed = zbus::Proxy::new_owned(
            self.connection.clone(),
            PORTAL,
            path.clone(),
            "org.freedesktop.portal.Session",
        )
        .await?
        .receive_signal("Closed")
        .await?
        .map(|_| ());
        let bus = zbus::fdo::DBusProxy::new(&self.connection).await?;
        let left = bus
            .receive_name_owner_changed_with_args(&[(0, PORTAL)])
            .await?
            .filter_map(|change| {
                // The owner that answered this session left: it vanished, or another
                // portal took the name (`--replace`), which knows nothing of the session.
                let gone = change.args().is_ok_and(|a| a.old_owner().is_some());
                std::future::ready(gone.then_some(()))
            });
        let mut ends = futures_util::stream::select(closed, left);
        let ended = async move {
            ends.next().await;
        };
        // The presses and changes until the session ends, then the end, then nothing.
        let events = futures_util::stream::select(pressed, changed)
            .take_until(Box::pin(ended))
            .chain(futures_util::stream::once(std::future::ready(Event::Ended)));
        Ok(events.boxed())
    }
}

/// The session's object path, which ashpd keeps to itself but sends as the session.
fn path_of(session: &Session<GlobalShortcuts>) -> Result<OwnedObjectPath, PortalError> {
    let failed = |e: zbus::zvariant::Error| PortalError::Failed(e.to_string());
    let context = Context::new_dbus(LE, 0);
    let data = zbus::zvariant::to_bytes(context, session).map_err(failed)?;
    let (path, _): (OwnedObjectPath, _) = data.deserialize().map_err(failed)?;
    Ok(path)
}

fn bound(shortcuts: &[ashpd::desktop::global_shortcuts::Shortcut]) -> Vec<Bound> {
    shortcuts
        .iter()
        .map(|s| Bound {
            id: s.id().to_owned(),
            trigger: s.trigger_description().to_owned(),
        })
        .collect()
}

/// Shortcuts bound in one portal session.
pub struct Binding {
    session: Session<GlobalShortcuts>,
    events: Option<BoxStream<'static, Event>>,
    /// What the desktop bound, as it answered.
    pub bound: Vec<Bound>,
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding")
            .field("session", &self.session)
            .field("bound", &self.bound)
            .finish_non_exhaustive()
    }
}

impl Binding {
    /// The presses and changes of this session's shortcuts (another session's are not
    /// this app's to act on), listened to since before they were asked for, until
    /// [`Event::Ended`] or the session is closed. Taken once: later calls have nothing.
    pub fn events(&mut self) -> impl Stream<Item = Event> + Send + Unpin + use<> {
        self.events
            .take()
            .unwrap_or_else(|| futures_util::stream::empty().boxed())
    }

    /// Releases the shortcuts: the desktop stops sending their presses.
    pub async fn close(self) {
        if let Err(err) = self.session.close().await {
            tracing::debug!(error = %err, "the portal session was already closed");
        }
    }
}
