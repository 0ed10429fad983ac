//! The controller the app (and later the tray) talks to: one object holding the session,
//! sign-in and the Control API client, with the operations a window offers.

use crate::config::Config;
use crate::error::{CoreError, Result};
use crate::household::{self, HouseholdView};
use crate::session::{from_sonos, Clock, Session, SessionState};
use crate::signin::{Opener, SignIn};
use crate::store::TokenStore;
use roomtone_sonos::{Client, GroupId};
use std::sync::Arc;

/// See the module documentation.
#[derive(Debug)]
pub struct Controller {
    session: Arc<Session>,
    sign_in: Arc<SignIn>,
    client: Client,
}

impl Controller {
    /// A controller for `config`, keeping tokens in `store`; picks up a saved sign-in.
    pub fn new(config: &Config, store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>) -> Result<Self> {
        let session = Arc::new(Session::new(store, config.refresher()?, clock.clone()));
        match session.restore() {
            Ok(_) => {}
            // No keychain: start signed out; signing in will offer "this run only".
            Err(CoreError::KeychainUnavailable(err)) => {
                tracing::warn!(error = %err, "no keychain; starting signed out")
            }
            Err(other) => return Err(other),
        }
        Ok(Self {
            sign_in: config.sign_in(clock)?,
            client: config.client(session.clone())?,
            session,
        })
    }

    /// Where the session stands.
    pub fn session(&self) -> SessionState {
        self.session.state()
    }

    /// Follows the session's state.
    pub fn watch_session(&self) -> tokio::sync::watch::Receiver<SessionState> {
        self.session.watch()
    }

    /// Signs in: shows the login through `opener`, waits for the callback, keeps the tokens.
    pub async fn sign_in(&self, opener: &dyn Opener) -> Result<()> {
        let attempt = self.sign_in.begin(opener).await?;
        let tokens = attempt.finish().await?;
        self.session.signed_in(tokens)
    }

    /// The choice offered when the keychain is unavailable after a sign-in.
    pub fn keep_for_this_run(&self) -> Result<()> {
        self.session.keep_for_this_run()
    }

    /// A `roomtone://` link the OS handed to the app.
    pub fn handle_deep_link(&self, link: &str) -> Result<()> {
        self.sign_in.handle_deep_link(link)
    }

    /// Signs out and forgets the tokens.
    pub fn sign_out(&self) -> Result<()> {
        self.sign_in.cancel();
        self.session.sign_out()
    }

    /// Every household with its groups, playback and volumes.
    pub async fn households(&self) -> Result<Vec<HouseholdView>> {
        household::read_all(&self.client).await
    }

    /// Play or pause a group.
    pub async fn toggle(&self, group: &GroupId) -> Result<()> {
        self.client
            .playback()
            .toggle_play_pause(group)
            .await
            .map_err(from_sonos)
    }
}
