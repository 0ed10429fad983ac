//! Roomtone's own updates: when to look for a new release, what to tell the person, and
//! installing one only on their word. The app crate supplies a [`ReleaseSource`] (Tauri's
//! updater, with signed manifests); the window, the tray or anything else only shows the
//! [`UpdateState`] and asks for a check or an install.
//!
//! - **Off** in demo mode, when the setting is off, and in a build with no update key (an
//!   unsigned build, or built from source): no network call at all, and the state says why.
//! - **When:** once at start and every [`CHECK_EVERY`] after, while Roomtone runs; "Check
//!   now" at any time (while the setting is off too: the person asked).
//! - **What is new:** a newer release is offered with its version, date and notes.
//! - **Installing:** only on the person's word, and only where Roomtone installs itself
//!   ([`How::InApp`]: Windows, macOS, the AppImage). A deb or rpm is updated by the system's
//!   package manager ([`How::PackageManager`]), which the state names.
//! - **A failure** (no network, a server that answers nonsense, a package whose signature is
//!   not Roomtone's) is said in words, keeps the offer, and changes nothing installed.

use serde::Serialize;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{watch, Mutex as AsyncMutex};

/// How often a running Roomtone looks for a new release.
pub const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Why updates are off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Off {
    /// The demo household: nothing is checked.
    Demo,
    /// The person turned automatic checks off ("Check now" still works).
    Setting,
    /// This build carries no update key (unsigned, or built from source).
    NoKey,
}

/// How this copy of Roomtone is updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// Roomtone downloads, checks and installs the release itself.
    InApp,
    /// Installed from a system package (`format`: `deb` or `rpm`): the package manager
    /// installs the new one.
    PackageManager { format: String },
    /// Installed some other way Roomtone cannot update (the per-user Windows installer):
    /// the new installer is downloaded from the releases page.
    Download,
}

/// Where every release is, for whoever updates by hand.
pub const RELEASES_PAGE: &str = "https://github.com/roomtone/roomtone/releases";

impl How {
    /// What the person does to update where Roomtone does not install the release itself,
    /// in a sentence for every surface; `None` for [`How::InApp`].
    pub fn by_hand(&self) -> Option<String> {
        match self {
            How::InApp => None,
            How::PackageManager { format } => Some(format!(
                "This copy of Roomtone was installed from a .{format} package: install the new .{format} from {RELEASES_PAGE} with your package manager."
            )),
            How::Download => Some(format!(
                "This copy of Roomtone cannot update itself: download the new installer from {RELEASES_PAGE}."
            )),
        }
    }
}

/// A newer release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Offer {
    pub version: String,
    /// The release's date as its manifest gives it (RFC 3339), if it does.
    pub date: Option<String>,
    /// What is new, as the release's notes say it.
    pub notes: Option<String>,
}

/// What the updates are doing, for every surface to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum UpdateState {
    /// No check is made (and `why`).
    Off { why: Off },
    /// Nothing checked yet this run.
    Waiting,
    /// Asking the update server.
    Checking,
    /// The last check found nothing newer than `version`.
    UpToDate { version: String },
    /// A newer release; `by_hand` says what to do where Roomtone does not install it itself
    /// ([`How::by_hand`]), `None` where "Install" does.
    Available {
        offer: Offer,
        #[serde(rename = "byHand")]
        by_hand: Option<String>,
    },
    /// Downloading and checking `offer` (bytes so far, of `total` when known).
    Installing {
        offer: Offer,
        #[cfg_attr(feature = "specta", specta(type = u32))]
        received: u64,
        #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
        total: Option<u64>,
    },
    /// Installed: Roomtone runs the new version once restarted.
    Installed { version: String },
    /// The last check or install failed (`message` says what to do); `offer` is still there
    /// when it was found before.
    Failed {
        message: String,
        offer: Option<Offer>,
        #[serde(rename = "byHand")]
        by_hand: Option<String>,
    },
}

/// Why a check or an install failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// The update server could not be reached.
    #[error("Roomtone could not reach its update server ({0}). It will look again later; check your connection, or try \"Check now\".")]
    Network(String),
    /// The server answered with something that is not a release manifest Roomtone can read.
    #[error("The update server's answer could not be read ({0}). Nothing was changed; Roomtone will look again later.")]
    Server(String),
    /// The download's signature is not made with Roomtone's release key.
    #[error("The downloaded update is not signed with Roomtone's release key, so it was not installed and nothing was changed. Download Roomtone from {RELEASES_PAGE} instead.")]
    Signature,
    /// Installing failed after the download was checked.
    #[error("The update could not be installed ({0}). Nothing was changed; download Roomtone from {RELEASES_PAGE} instead.")]
    Install(String),
}

/// Where releases come from: the update server behind Tauri's updater, or a test's.
pub trait ReleaseSource: Send + Sync + 'static {
    /// The newest release when it is newer than this one, else `None`.
    fn check(&self) -> impl Future<Output = Result<Option<Offer>, UpdateError>> + Send;
    /// Downloads `offer`, checks its signature and installs it; `progress(received, total)`
    /// as bytes arrive.
    fn install(
        &self,
        offer: &Offer,
        progress: impl Fn(u64, Option<u64>) + Send + Sync + 'static,
    ) -> impl Future<Output = Result<(), UpdateError>> + Send;
}

/// What decides whether updates run in this copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Running the demo household.
    pub demo: bool,
    /// The "check for updates" setting.
    pub automatic: bool,
    /// The build carries a public key to check releases with.
    pub has_key: bool,
    /// This Roomtone's version.
    pub version: String,
    /// How this copy is updated.
    pub how: How,
}

impl Policy {
    /// Why nothing may be checked at all, if so (a "Check now" included).
    fn never(&self) -> Option<Off> {
        if self.demo {
            Some(Off::Demo)
        } else if !self.has_key {
            Some(Off::NoKey)
        } else {
            None
        }
    }
}

/// The updates of one running Roomtone. See the module documentation.
pub struct Updates<S> {
    source: S,
    policy: Mutex<Policy>,
    state: watch::Sender<UpdateState>,
    /// One check or install at a time.
    busy: AsyncMutex<()>,
}

impl<S> std::fmt::Debug for Updates<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updates")
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

impl<S: ReleaseSource> Updates<S> {
    pub fn new(source: S, policy: Policy) -> Self {
        let first = match policy.never() {
            Some(why) => UpdateState::Off { why },
            None if !policy.automatic => UpdateState::Off { why: Off::Setting },
            None => UpdateState::Waiting,
        };
        Self {
            source,
            policy: Mutex::new(policy),
            state: watch::Sender::new(first),
            busy: AsyncMutex::new(()),
        }
    }

    /// The state now.
    pub fn state(&self) -> UpdateState {
        self.state.borrow().clone()
    }

    /// Every change of the state, from now on.
    pub fn subscribe(&self) -> watch::Receiver<UpdateState> {
        self.state.subscribe()
    }

    fn policy(&self) -> Policy {
        self.policy.lock().expect("policy lock").clone()
    }

    /// The "check for updates" setting changed: off stops the daily checks (an offer already
    /// made stays); on starts them again at the next [`Updates::run`] tick.
    pub fn set_automatic(&self, automatic: bool) {
        let policy = {
            let mut policy = self.policy.lock().expect("policy lock");
            policy.automatic = automatic;
            policy.clone()
        };
        if policy.never().is_some() {
            return;
        }
        self.state
            .send_if_modified(|state| match (automatic, &*state) {
                (false, UpdateState::Waiting | UpdateState::UpToDate { .. }) => {
                    *state = UpdateState::Off { why: Off::Setting };
                    true
                }
                (true, UpdateState::Off { why: Off::Setting }) => {
                    *state = UpdateState::Waiting;
                    true
                }
                _ => false,
            });
    }

    /// Runs for as long as Roomtone does: a check now, then every [`CHECK_EVERY`], while
    /// the policy allows automatic checks. Returns at once when updates can never run here.
    pub async fn run(&self) {
        if self.policy().never().is_some() {
            return;
        }
        loop {
            if self.policy().automatic {
                self.check().await;
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    }

    /// Looks for a newer release now (the daily check, or the person's "Check now").
    /// Nothing happens where updates can never run, or while an install is under way.
    pub async fn check(&self) {
        let policy = self.policy();
        if policy.never().is_some() {
            return;
        }
        let _one = self.busy.lock().await;
        if matches!(
            self.state(),
            UpdateState::Installing { .. } | UpdateState::Installed { .. }
        ) {
            return;
        }
        let before = self.state();
        self.state.send_replace(UpdateState::Checking);
        let next = match self.source.check().await {
            Ok(Some(offer)) => UpdateState::Available {
                offer,
                by_hand: policy.how.by_hand(),
            },
            Ok(None) => UpdateState::UpToDate {
                version: policy.version.clone(),
            },
            Err(err) => {
                tracing::warn!(error = %err, "the update check failed");
                // An offer found before is still there.
                let offer = match before {
                    UpdateState::Available { offer, .. } => Some(offer),
                    UpdateState::Failed { offer, .. } => offer,
                    _ => None,
                };
                UpdateState::Failed {
                    message: err.to_string(),
                    by_hand: offer.as_ref().and_then(|_| policy.how.by_hand()),
                    offer,
                }
            }
        };
        self.state.send_replace(next);
    }

    /// Installs the release on offer, on the person's word. Refused (with the reason as the
    /// error) when there is none, or when the package manager installs it here.
    pub async fn install(&self) -> Result<(), String> {
        let _one = self.busy.lock().await;
        let offer = match self.state() {
            UpdateState::Available { offer, .. }
            | UpdateState::Failed {
                offer: Some(offer), ..
            } => offer,
            _ => return Err("There is no update to install: check for updates first.".into()),
        };
        let by_hand = self.policy().how.by_hand();
        if let Some(by_hand) = by_hand {
            return Err(by_hand);
        }
        self.state.send_replace(UpdateState::Installing {
            offer: offer.clone(),
            received: 0,
            total: None,
        });
        let progress = {
            let state = self.state.clone();
            let offer = offer.clone();
            move |received, total| {
                state.send_replace(UpdateState::Installing {
                    offer: offer.clone(),
                    received,
                    total,
                });
            }
        };
        match self.source.install(&offer, progress).await {
            Ok(()) => {
                self.state.send_replace(UpdateState::Installed {
                    version: offer.version,
                });
                Ok(())
            }
            Err(err) => {
                tracing::warn!(error = %err, "the update was not installed");
                let message = err.to_string();
                self.state.send_replace(UpdateState::Failed {
                    message: message.clone(),
                    offer: Some(offer),
                    by_hand: None,
                });
                Err(message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// What the fake answers next (`None`: its default).
    type Next<T> = Arc<Mutex<Option<Result<T, UpdateError>>>>;

    /// A source that answers from a script and counts the calls made to it.
    #[derive(Clone, Default)]
    struct Fake {
        checks: Arc<AtomicUsize>,
        installs: Arc<AtomicUsize>,
        answer: Next<Option<Offer>>,
        install_answer: Next<()>,
    }

    impl ReleaseSource for Fake {
        async fn check(&self) -> Result<Option<Offer>, UpdateError> {
            self.checks.fetch_add(1, Ordering::SeqCst);
            self.answer.lock().unwrap().clone().unwrap_or(Ok(None))
        }
        async fn install(
            &self,
            _offer: &Offer,
            progress: impl Fn(u64, Option<u64>) + Send + Sync + 'static,
        ) -> Result<(), UpdateError> {
            self.installs.fetch_add(1, Ordering::SeqCst);
            progress(10, Some(20));
            self.install_answer
                .lock()
                .unwrap()
                .clone()
                .unwrap_or(Ok(()))
        }
    }

    fn offer() -> Offer {
        Offer {
            version: "0.2.0".into(),
            date: Some("2026-12-01T10:00:00Z".into()),
            notes: Some("Faster grouping.".into()),
        }
    }

    fn policy() -> Policy {
        Policy {
            demo: false,
            automatic: true,
            has_key: true,
            version: "0.1.0".into(),
            how: How::InApp,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_is_asked_in_demo_mode_or_without_a_key_even_on_check_now() {
        for (p, why) in [
            (
                Policy {
                    demo: true,
                    ..policy()
                },
                Off::Demo,
            ),
            (
                Policy {
                    has_key: false,
                    ..policy()
                },
                Off::NoKey,
            ),
        ] {
            let fake = Fake::default();
            let updates = Updates::new(fake.clone(), p);
            updates.run().await; // returns at once
            updates.check().await;
            assert_eq!(fake.checks.load(Ordering::SeqCst), 0);
            assert_eq!(updates.state(), UpdateState::Off { why });
        }
    }

    #[tokio::test(start_paused = true)]
    async fn with_the_setting_off_there_is_no_daily_check_but_check_now_asks() {
        let fake = Fake::default();
        let updates = Arc::new(Updates::new(
            fake.clone(),
            Policy {
                automatic: false,
                ..policy()
            },
        ));
        assert_eq!(updates.state(), UpdateState::Off { why: Off::Setting });
        let running = tokio::spawn({
            let updates = updates.clone();
            async move { updates.run().await }
        });
        // Three days of Roomtone running, on the paused clock.
        tokio::time::sleep(CHECK_EVERY * 3 + Duration::from_secs(1)).await;
        assert_eq!(fake.checks.load(Ordering::SeqCst), 0);
        updates.check().await;
        assert_eq!(fake.checks.load(Ordering::SeqCst), 1);
        assert_eq!(
            updates.state(),
            UpdateState::UpToDate {
                version: "0.1.0".into()
            }
        );
        running.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn checks_at_start_and_every_day_and_reports_a_newer_release() {
        let fake = Fake::default();
        let updates = Arc::new(Updates::new(fake.clone(), policy()));
        assert_eq!(updates.state(), UpdateState::Waiting);
        let mut seen = updates.subscribe();
        let running = tokio::spawn({
            let updates = updates.clone();
            async move { updates.run().await }
        });
        seen.wait_for(|s| matches!(s, UpdateState::UpToDate { .. }))
            .await
            .unwrap();
        assert_eq!(fake.checks.load(Ordering::SeqCst), 1, "one check at start");
        *fake.answer.lock().unwrap() = Some(Ok(Some(offer())));
        tokio::time::sleep(CHECK_EVERY - Duration::from_secs(60)).await;
        assert_eq!(fake.checks.load(Ordering::SeqCst), 1, "none before a day");
        seen.wait_for(|s| matches!(s, UpdateState::Available { .. }))
            .await
            .unwrap();
        assert_eq!(
            fake.checks.load(Ordering::SeqCst),
            2,
            "the next a day later"
        );
        assert_eq!(
            updates.state(),
            UpdateState::Available {
                offer: offer(),
                by_hand: None
            }
        );
        running.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_check_says_what_happened_and_keeps_the_offer() {
        let fake = Fake::default();
        *fake.answer.lock().unwrap() = Some(Ok(Some(offer())));
        let updates = Updates::new(fake.clone(), policy());
        updates.check().await;
        *fake.answer.lock().unwrap() = Some(Err(UpdateError::Network("connection refused".into())));
        updates.check().await;
        let UpdateState::Failed {
            message,
            offer: kept,
            by_hand,
        } = updates.state()
        else {
            panic!("{:?}", updates.state())
        };
        assert!(
            message.contains("could not reach its update server (connection refused)"),
            "{message}"
        );
        assert_eq!(kept, Some(offer()));
        assert_eq!(by_hand, None, "Roomtone installs it itself");
        // The offer can still be installed.
        assert_eq!(updates.install().await, Ok(()));
        assert_eq!(
            updates.state(),
            UpdateState::Installed {
                version: "0.2.0".into()
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_package_with_another_signature_is_refused_and_the_offer_stays() {
        let fake = Fake::default();
        *fake.answer.lock().unwrap() = Some(Ok(Some(offer())));
        *fake.install_answer.lock().unwrap() = Some(Err(UpdateError::Signature));
        let updates = Updates::new(fake.clone(), policy());
        updates.check().await;
        let err = updates.install().await.unwrap_err();
        assert!(
            err.contains("not signed with Roomtone's release key"),
            "{err}"
        );
        assert!(matches!(
            updates.state(),
            UpdateState::Failed { offer: Some(_), .. }
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_system_package_is_updated_by_its_package_manager_not_by_roomtone() {
        let fake = Fake::default();
        *fake.answer.lock().unwrap() = Some(Ok(Some(offer())));
        let updates = Updates::new(
            fake.clone(),
            Policy {
                how: How::PackageManager {
                    format: "deb".into(),
                },
                ..policy()
            },
        );
        updates.check().await;
        let said = "This copy of Roomtone was installed from a .deb package: install the new .deb from https://github.com/roomtone/roomtone/releases with your package manager.";
        assert_eq!(
            updates.state(),
            UpdateState::Available {
                offer: offer(),
                by_hand: Some(said.into())
            }
        );
        // What every surface shows is what an install says when it is refused anyway.
        assert_eq!(updates.install().await, Err(said.into()));
        assert_eq!(fake.installs.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_to_install_without_an_offer_and_turning_the_setting_off_and_on() {
        let fake = Fake::default();
        let updates = Updates::new(fake.clone(), policy());
        assert!(updates.install().await.is_err());
        assert_eq!(fake.installs.load(Ordering::SeqCst), 0);
        updates.set_automatic(false);
        assert_eq!(updates.state(), UpdateState::Off { why: Off::Setting });
        updates.set_automatic(true);
        assert_eq!(updates.state(), UpdateState::Waiting);
    }
}
