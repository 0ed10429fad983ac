//! The households as Sonos last described them, kept in the app's cache folder so that the
//! next start shows them before the network answers.

use roomtone_core::live::{Live, ReadState, SessionPhase};
use roomtone_core::view::Household;
use std::path::PathBuf;

/// The households as Sonos last described them, in the app's cache folder, so the next start
/// shows them before the network answers. Room names and what played — never a token.
pub struct LastKnown(pub PathBuf);

impl LastKnown {
    pub fn load(&self) -> Option<Vec<Household>> {
        serde_json::from_slice(&std::fs::read(&self.0).ok()?).ok()
    }

    /// Keeps the file in step with `live`: written when a fresh read differs from what was
    /// saved, removed on sign-out.
    pub fn follow(&self, live: &Live, saved: &mut Option<Vec<Household>>) {
        match (&live.session.state, &live.sync) {
            (SessionPhase::SignedOut, _) if saved.take().is_some() || self.0.exists() => {
                let _ = std::fs::remove_file(&self.0);
            }
            (SessionPhase::SignedIn, ReadState::Ready)
                if saved.as_ref() != Some(&live.households) =>
            {
                if let Err(err) = self.save(&live.households) {
                    tracing::warn!(error = %err, "could not keep the household for the next start");
                }
                *saved = Some(live.households.clone());
            }
            _ => {}
        }
    }

    fn save(&self, households: &[Household]) -> std::io::Result<()> {
        if let Some(folder) = self.0.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let temporary = self.0.with_extension("json.tmp");
        std::fs::write(&temporary, serde_json::to_vec(households)?)?;
        std::fs::rename(&temporary, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomtone_core::SessionState;

    fn live(signed_in: bool, sync: ReadState, names: &[&str]) -> Live {
        let session = if signed_in {
            SessionState::SignedIn { persistent: true }
        } else {
            SessionState::SignedOut { reason: None }
        };
        let mut live = Live::new(&session);
        live.sync = sync;
        live.households = names
            .iter()
            .map(|id| Household {
                id: (*id).into(),
                groups: Vec::new(),
            })
            .collect();
        live
    }

    #[test]
    fn the_last_known_household_is_kept_when_read_and_forgotten_on_sign_out() {
        let dir = std::env::temp_dir().join(format!("roomtone-last-known-{}", std::process::id()));
        let file = LastKnown(dir.join("cache").join("last-household.json"));
        let mut saved = None;
        // Not read yet, or read and failing: nothing written.
        file.follow(&live(true, ReadState::Loading, &["a"]), &mut saved);
        assert!(file.load().is_none());
        // A fresh read is written, and read back at the next start.
        file.follow(&live(true, ReadState::Ready, &["a"]), &mut saved);
        assert_eq!(file.load().unwrap()[0].id, "a");
        file.follow(&live(true, ReadState::Ready, &["b"]), &mut saved);
        assert_eq!(file.load().unwrap()[0].id, "b");
        // Signing out removes it.
        file.follow(&live(false, ReadState::Idle, &[]), &mut saved);
        assert!(!file.0.exists() && file.load().is_none());
        // A file that cannot be read is no household, not an error.
        std::fs::write(&file.0, "not json").unwrap();
        assert!(file.load().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
