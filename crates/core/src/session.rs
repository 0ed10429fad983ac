//! The signed-in session: the token lifecycle behind every Control API call.
//!
//! [`Session`] is the client's [`TokenSource`]. It hands out the current access token,
//! refreshes it shortly before it expires and after any 401 — exactly one refresh at a
//! time, however many calls wait — stores a rotated refresh token before using it, and signs
//! out cleanly, with the reason, when Sonos no longer accepts the refresh token.

use crate::error::{CoreError, Result};
use crate::store::{Issuer, MemoryStore, StoreError, StoredTokens, TokenStore};
use crate::turns::Turn;
use async_trait::async_trait;
use roomtone_sonos::broker::BrokerClient;
use roomtone_sonos::{
    AccessToken, ClientSecret, Error, LoginService, RefreshToken, Secret, TokenSet, TokenSource,
};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// The time source; tests move it.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// Wall-clock time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// How tokens are refreshed.
#[derive(Clone)]
pub enum Refresher {
    /// Through the relay, which holds the client secret (the default).
    Broker(BrokerClient),
    /// At the login service, with the person's own integration credentials.
    Direct {
        login: LoginService,
        secret: ClientSecret,
    },
}

impl fmt::Debug for Refresher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refresher::Broker(relay) => f.debug_tuple("Broker").field(relay).finish(),
            Refresher::Direct { login, .. } => f
                .debug_struct("Direct")
                .field("login", login)
                .finish_non_exhaustive(),
        }
    }
}

impl Refresher {
    async fn refresh(
        &self,
        current: &RefreshToken,
        now: SystemTime,
    ) -> roomtone_sonos::Result<TokenSet> {
        match self {
            Refresher::Broker(relay) => relay.refresh(current, now).await,
            Refresher::Direct { login, secret } => login.refresh(secret, current, now).await,
        }
    }
}

/// Whether a refresh failure means the sign-in is over (as opposed to a passing failure or
/// a misconfigured integration, e.g. `invalid_client`, which must not sign anyone out).
fn revoked(err: &Error) -> bool {
    match err {
        Error::Login { error, .. } => matches!(error.as_str(), "invalid_grant" | "invalid_request"),
        Error::Broker { error, .. } => error == "refresh_rejected",
        _ => false,
    }
}

/// Where the session stands, for the UI and the tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Not signed in; `reason` says why when the session ended by itself.
    SignedOut { reason: Option<String> },
    /// Signed in; `persistent` is false when the tokens live for this run only.
    SignedIn { persistent: bool },
}

/// Why a session ended when another process signed out.
pub const SIGNED_OUT_ELSEWHERE: &str =
    "signed out in another Roomtone window or by roomtone-cli; sign in again";

/// The store's turn, when other processes share it.
async fn take_turn(store: &dyn TokenStore) -> std::result::Result<Option<Turn>, StoreError> {
    match store.turns() {
        Some(turns) => Ok(Some(turns.take().await?)),
        None => Ok(None),
    }
}

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The tokens and what changes with them, under one lock.
#[derive(Default)]
struct Tokens {
    /// The current tokens; `None` when signed out.
    current: Option<StoredTokens>,
    /// Bumped by every sign-in and sign-out, so a refresh that finishes afterwards can tell
    /// its result belongs to a session that is gone.
    generation: u64,
    /// Tokens from a sign-in the keychain could not keep, awaiting the person's choice.
    unsaved: Option<StoredTokens>,
}

/// What the last refresh attempt left behind, for callers that waited on it.
#[derive(Default)]
struct Attempts {
    /// Finished refresh attempts.
    epoch: u64,
    /// Why the last one failed, if it did.
    failure: Option<String>,
}

/// See the module documentation.
pub struct Session {
    /// Where tokens are kept; swapped for memory when the person chooses "this run only".
    store: RwLock<Arc<dyn TokenStore>>,
    refresher: Refresher,
    clock: Arc<dyn Clock>,
    tokens: Mutex<Tokens>,
    /// Held while a refresh is in flight: one at a time.
    refreshing: tokio::sync::Mutex<Attempts>,
    /// A copy of `Attempts::epoch` readable without waiting for the refresh lock.
    epoch: AtomicU64,
    state: watch::Sender<SessionState>,
    /// Refreshes done, for tests and benchmarks.
    refreshes: AtomicU64,
    /// Who this session's tokens come from: stored with them, and tokens of another issuer
    /// are not used (see [`Session::issued_by`]).
    issuer: Option<Issuer>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("state", &*self.state.borrow())
            .field("refresher", &self.refresher)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A signed-out session over `store`.
    pub fn new(store: Arc<dyn TokenStore>, refresher: Refresher, clock: Arc<dyn Clock>) -> Self {
        Self {
            store: RwLock::new(store),
            refresher,
            clock,
            tokens: Mutex::new(Tokens::default()),
            refreshing: tokio::sync::Mutex::new(Attempts::default()),
            epoch: AtomicU64::new(0),
            state: watch::channel(SessionState::SignedOut { reason: None }).0,
            refreshes: AtomicU64::new(0),
            issuer: None,
        }
    }

    /// Tokens belong to the service that issued them: this session stores `issuer` with the
    /// tokens it gets, and takes up no stored tokens of another issuer (a relay changed in
    /// the settings, a `roomtone-cli login` against the simulator). It says why it is then
    /// signed out; the other sign-in stays in the keychain until a sign-in here replaces it.
    pub fn issued_by(mut self, issuer: Issuer) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// Why `stored` is not this session's to use, when it is another issuer's.
    fn foreign(&self, stored: &StoredTokens) -> Option<String> {
        match (&self.issuer, &stored.issuer) {
            (Some(mine), Some(theirs)) if mine != theirs => Some(format!(
                "the saved sign-in is for {theirs}, and Roomtone is now set up for {mine}; \
                 sign in again"
            )),
            _ => None,
        }
    }

    /// `tokens`, marked as this session's issuer's.
    fn own(&self, mut tokens: StoredTokens) -> StoredTokens {
        tokens.issuer = self.issuer.clone();
        tokens
    }

    fn store(&self) -> Arc<dyn TokenStore> {
        self.store.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn current(&self) -> Option<StoredTokens> {
        self.tokens().current.clone()
    }

    /// Replaces the session's tokens: a new sign-in or a sign-out.
    fn begin_generation(&self, tokens: Option<StoredTokens>) {
        let mut held = self.tokens();
        held.current = tokens;
        held.unsaved = None;
        held.generation += 1;
    }

    /// Picks up a session saved by an earlier run. Returns whether one was found.
    pub fn restore(&self) -> Result<bool> {
        let stored = self.store().load()?;
        if let Some(reason) = stored.as_ref().and_then(|t| self.foreign(t)) {
            tracing::info!(%reason, "the keychain's sign-in is not for this configuration");
            self.state.send_replace(SessionState::SignedOut {
                reason: Some(reason),
            });
            return Ok(false);
        }
        match stored {
            Some(tokens) => {
                self.begin_generation(Some(tokens));
                self.state
                    .send_replace(SessionState::SignedIn { persistent: true });
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Starts the session with freshly granted tokens, keeping them in the store. When no
    /// keychain is reachable this fails with [`CoreError::KeychainUnavailable`] and holds
    /// the tokens until [`Session::keep_for_this_run`] or [`Session::sign_out`].
    pub async fn signed_in(&self, granted: TokenSet) -> Result<()> {
        let tokens = self.own(StoredTokens::from(granted));
        let store = self.store();
        let saved = match take_turn(&*store).await {
            Ok(_turn) => store.save(&tokens),
            Err(err) => Err(err),
        };
        match saved {
            Ok(()) => {
                self.begin_generation(Some(tokens));
                self.state
                    .send_replace(SessionState::SignedIn { persistent: true });
                Ok(())
            }
            Err(err @ StoreError::Unavailable(_)) => {
                self.tokens().unsaved = Some(tokens);
                Err(CoreError::KeychainUnavailable(err))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The person's choice when the keychain is unavailable: stay signed in until Roomtone
    /// quits, with the tokens in memory only. Never a file.
    pub fn keep_for_this_run(&self) -> Result<()> {
        let tokens = self.tokens().unsaved.take().ok_or(CoreError::NotSignedIn)?;
        self.use_memory(&tokens);
        self.begin_generation(Some(tokens));
        self.state
            .send_replace(SessionState::SignedIn { persistent: false });
        Ok(())
    }

    fn use_memory(&self, tokens: &StoredTokens) {
        let memory: Arc<dyn TokenStore> = Arc::new(MemoryStore::default());
        memory.save(tokens).expect("memory always stores");
        *self.store.write().unwrap_or_else(|e| e.into_inner()) = memory;
    }

    /// Signs out: forgets the tokens here and in the keychain — in its turn, so a refresh
    /// running in another process cannot write them back afterwards. Tokens of another
    /// issuer are left in the keychain.
    pub async fn sign_out(&self) -> Result<()> {
        // Forgotten here first: a refresh of this process finishing meanwhile is void.
        self.begin_generation(None);
        let store = self.store();
        // Another issuer's sign-in is not this one to end (`roomtone-cli logout` set up for
        // the simulator leaves the real sign-in alone).
        let cleared = match take_turn(&*store).await {
            Ok(_turn) => match store.load() {
                Ok(Some(stored)) if self.foreign(&stored).is_some() => Ok(()),
                _ => store.clear(),
            },
            Err(err) => Err(err),
        };
        // Said once the keychain is cleared: whoever sees "signed out" finds it empty.
        self.state
            .send_replace(SessionState::SignedOut { reason: None });
        Ok(cleared?)
    }

    /// Ends the session in this process only; the keychain is someone else's business.
    fn forget(&self, reason: Option<String>) {
        self.begin_generation(None);
        self.state.send_replace(SessionState::SignedOut { reason });
    }

    /// Where the session stands now.
    pub fn state(&self) -> SessionState {
        self.state.borrow().clone()
    }

    /// Follows the session's state.
    pub fn watch(&self) -> watch::Receiver<SessionState> {
        self.state.subscribe()
    }

    /// How many refreshes this session has done.
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::SeqCst)
    }

    fn expiring(&self, tokens: &StoredTokens) -> bool {
        tokens.expires_at <= self.clock.now() + REFRESH_MARGIN
    }

    /// Takes up what another process (the CLI beside the app) stored since this session
    /// last looked, so it never refreshes with a refresh token that was already rotated.
    /// An empty store where this session holds tokens means it was signed out elsewhere
    /// (`roomtone-cli logout`): it signs out too, and says so.
    fn adopt_stored(&self, generation: u64) -> roomtone_sonos::Result<()> {
        match self.store().load() {
            Ok(Some(stored)) if self.foreign(&stored).is_some() => {
                // Another process signed in to another service over this one's sign-in.
                let reason = self.foreign(&stored).unwrap_or_default();
                if self.tokens().generation == generation {
                    self.forget(Some(reason.clone()));
                }
                Err(Error::NoToken(reason))
            }
            Ok(Some(stored)) => {
                let mut held = self.tokens();
                if let Some(current) = &held.current {
                    if !current.refresh_token.ct_eq(stored.refresh_token.expose())
                        || !current.access_token.ct_eq(stored.access_token.expose())
                    {
                        held.current = Some(stored);
                    }
                }
                Ok(())
            }
            Ok(None) => {
                if self.tokens().generation == generation {
                    self.forget(Some(SIGNED_OUT_ELSEWHERE.into()));
                }
                Err(Error::NoToken(SIGNED_OUT_ELSEWHERE.into()))
            }
            // A keychain that fails to answer now: go on with the tokens held here.
            Err(err) => {
                tracing::warn!(error = %err, "could not read the keychain before refreshing");
                Ok(())
            }
        }
    }

    /// Refreshes unless someone already did while this caller waited: after a 401,
    /// `refused` is the token Sonos refused; before expiry, `None`. One refresh at a time
    /// in this process (the `refreshing` lock) and across processes (the store's turns).
    async fn refresh(&self, refused: Option<&AccessToken>) -> roomtone_sonos::Result<AccessToken> {
        let epoch_seen = self.epoch.load(Ordering::SeqCst);
        let mut attempts = self.refreshing.lock().await;
        if attempts.epoch != epoch_seen {
            // An attempt finished while this caller waited: share its failure, if it failed.
            if let Some(failure) = &attempts.failure {
                return Err(Error::Refresh(failure.clone()));
            }
            // ...or its token, which is as new as tokens get, even when Sonos grants them
            // for less than the refresh margin.
            if let (None, Some(current)) = (refused, self.current()) {
                if current.expires_at > self.clock.now() {
                    return Ok(current.access_token);
                }
            }
        }
        let _turn = take_turn(&*self.store())
            .await
            .map_err(|e| Error::Refresh(e.to_string()))?;
        let generation = self.tokens().generation;
        if self.current().is_none() {
            return Err(Error::NoToken(self.signed_out_reason()));
        }
        self.adopt_stored(generation)?;
        let mut retried = false;
        loop {
            let current = self
                .current()
                .ok_or_else(|| Error::NoToken(self.signed_out_reason()))?;
            let stale = match refused {
                Some(refused) => current.access_token.ct_eq(refused.expose()),
                None => self.expiring(&current),
            };
            if !stale {
                return Ok(current.access_token);
            }
            let outcome = self
                .refresher
                .refresh(&current.refresh_token, self.clock.now())
                .await;
            attempts.epoch += 1;
            self.epoch.store(attempts.epoch, Ordering::SeqCst);
            attempts.failure = None;
            return match outcome {
                Ok(granted) => {
                    let tokens = self.own(StoredTokens::from(granted));
                    if self.tokens().generation != generation {
                        // Signed out, or signed in anew, while this refresh ran: its result is void.
                        return self
                            .current()
                            .map(|t| t.access_token)
                            .ok_or_else(|| Error::NoToken(self.signed_out_reason()));
                    }
                    // A rotated refresh token is stored before anything uses it.
                    self.keep(&tokens);
                    self.tokens().current = Some(tokens.clone());
                    self.refreshes.fetch_add(1, Ordering::SeqCst);
                    Ok(tokens.access_token)
                }
                Err(err) if revoked(&err) => {
                    // The keychain decides: a refresh token other than the one refused there
                    // means another process (one without the turns, or an older Roomtone) got
                    // a newer sign-in; take it up. Only the refused one is cleared.
                    match self.store().load() {
                        Ok(Some(stored))
                            if !stored.refresh_token.ct_eq(current.refresh_token.expose())
                                && self.foreign(&stored).is_none() =>
                        {
                            if self.tokens().generation == generation {
                                self.tokens().current = Some(stored.clone());
                            }
                            if !self.expiring(&stored) || retried {
                                return Ok(stored.access_token);
                            }
                            // Expiring too: refresh once more, with the stored refresh token.
                            retried = true;
                            continue;
                        }
                        // The refused token, not another issuer's sign-in.
                        Ok(Some(stored)) if self.foreign(&stored).is_none() => {
                            if let Err(store) = self.store().clear() {
                                tracing::warn!(error = %store, "could not clear the keychain after the sign-in ended");
                            }
                        }
                        _ => {}
                    }
                    let reason =
                        format!("Sonos no longer accepts this sign-in ({err}); sign in again");
                    if self.tokens().generation == generation {
                        self.forget(Some(reason.clone()));
                    }
                    Err(Error::NoToken(reason))
                }
                Err(other) => {
                    attempts.failure = Some(other.to_string());
                    // Before expiry, a failed refresh costs nothing: the token still works.
                    if refused.is_none() && current.expires_at > self.clock.now() {
                        return Ok(current.access_token);
                    }
                    Err(other)
                }
            };
        }
    }

    /// Stores refreshed tokens. If the keychain fails (twice), the session goes on in memory
    /// for this run and the keychain's now-stale entries are removed, so a later start can't
    /// replay a superseded refresh token.
    fn keep(&self, tokens: &StoredTokens) {
        let store = self.store();
        if store.save(tokens).or_else(|_| store.save(tokens)).is_ok() {
            return;
        }
        tracing::warn!("could not store refreshed tokens; staying signed in for this run only");
        if let Err(err) = store.clear() {
            tracing::warn!(error = %err, "could not remove the stale keychain entries either");
        }
        self.use_memory(tokens);
        self.state
            .send_replace(SessionState::SignedIn { persistent: false });
    }

    fn signed_out_reason(&self) -> String {
        match &*self.state.borrow() {
            SessionState::SignedOut {
                reason: Some(reason),
            } => reason.clone(),
            _ => "not signed in".to_owned(),
        }
    }
}

#[async_trait]
impl TokenSource for Session {
    async fn access_token(&self) -> roomtone_sonos::Result<AccessToken> {
        let current = self
            .current()
            .ok_or_else(|| Error::NoToken(self.signed_out_reason()))?;
        if self.expiring(&current) {
            return self.refresh(None).await;
        }
        Ok(current.access_token)
    }

    async fn refresh_after_unauthorized(
        &self,
        refused: &AccessToken,
    ) -> roomtone_sonos::Result<AccessToken> {
        self.refresh(Some(refused)).await
    }
}

/// Maps a failed call to the core's error, naming a session that ended.
pub fn from_sonos(err: Error) -> CoreError {
    match err {
        Error::NoToken(reason) if reason == "not signed in" => CoreError::NotSignedIn,
        Error::NoToken(reason) => CoreError::SignedOut(reason),
        other => CoreError::Sonos(other),
    }
}
