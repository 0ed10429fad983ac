//! Several processes, one sign-in: the app and `roomtone-cli` (run from a script or a
//! hotkey tool, several at once) share the keychain's tokens, and Sonos may rotate the
//! refresh token on every refresh. Whoever refreshes must load, refresh and save while no
//! other process does, or the loser refreshes with a token that was already spent.
//!
//! [`Turns`] is an advisory lock on a file beside the user's other runtime files (flock on
//! Linux and macOS, `LockFileEx` on Windows, both released by the OS when a process dies,
//! so a crash never leaves the sign-in locked). One lock file per keychain service name.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long to wait for another process's turn: longer than a refresh can take (the relay
/// and login clients give up after 20 s), short enough to say something if one hangs.
const WAIT: Duration = Duration::from_secs(60);

/// Why the turn could not be had, in words (a keychain failure to the store's callers).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TurnError(String);

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Turns {
    path: PathBuf,
}

/// Holds the turn until dropped (closing the file releases the lock).
#[derive(Debug)]
pub struct Turn {
    _file: File,
}

impl Turns {
    /// The lock for the keychain entries under `service`, in the user's runtime folder.
    pub fn for_service(service: &str) -> Self {
        let name = file_name(service);
        Self::at(runtime_dir().join(format!("{name}.sign-in.lock")))
    }

    /// The lock at `path` (its folder is made when missing).
    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    /// Where the lock file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the turn (other processes' turns, not this process's other tasks: the
    /// session orders those itself).
    pub async fn take(&self) -> Result<Turn, TurnError> {
        let file = self.open()?;
        let mut pause = Duration::from_millis(5);
        let mut waited = Duration::ZERO;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Turn { _file: file }),
                Err(TryLockError::WouldBlock) if waited < WAIT => {
                    tokio::time::sleep(pause).await;
                    waited += pause;
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(TurnError(format!(
                        "another Roomtone process has held the sign-in for over {} s ({})",
                        WAIT.as_secs(),
                        self.path.display()
                    )))
                }
                Err(TryLockError::Error(e)) => return Err(self.failed(e)),
            }
        }
    }

    /// The turn if no other process holds it now, without waiting.
    pub fn try_take(&self) -> Result<Option<Turn>, TurnError> {
        let file = self.open()?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Turn { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(self.failed(e)),
        }
    }

    fn open(&self) -> Result<File, TurnError> {
        if let Some(dir) = self.path.parent() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(|e| self.failed(e))?;
        }
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.path)
            .map_err(|e| self.failed(e))
    }

    fn failed(&self, e: std::io::Error) -> TurnError {
        TurnError(format!(
            "could not lock {} to share the sign-in with other Roomtone processes: {e}",
            self.path.display()
        ))
    }
}

/// A keychain service name as a safe file name: letters, digits, `.` and `-` kept, anything
/// else `_`.
pub(crate) fn file_name(service: &str) -> String {
    service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The user's own folder for runtime files: `XDG_RUNTIME_DIR` (else the cache folder) on
/// Linux; the per-user temporary folder on macOS and Windows.
fn runtime_dir() -> PathBuf {
    let linux = || {
        let var = |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        var("XDG_RUNTIME_DIR")
            .or_else(|| var("XDG_CACHE_HOME"))
            .or_else(|| var("HOME").map(|home| home.join(".cache")))
    };
    let base = if cfg!(target_os = "linux") {
        linux()
    } else {
        None
    };
    base.unwrap_or_else(std::env::temp_dir).join("roomtone")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> Turns {
        let dir =
            std::env::temp_dir().join(format!("roomtone-turns-{}-{name}", std::process::id()));
        Turns::at(dir.join("a.lock"))
    }

    #[tokio::test]
    async fn a_second_holder_waits_until_the_first_lets_go() {
        let turns = scratch("wait");
        let first = turns.take().await.unwrap();
        // Another open file description stands for another process: it must not get in.
        let other = turns.open().unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        let waiting = tokio::spawn({
            let turns = turns.clone();
            async move { turns.take().await.map(drop) }
        });
        drop(first);
        waiting.await.unwrap().unwrap();
        other.try_lock().expect("free once both let go");
    }

    #[test]
    fn service_names_become_one_plain_file_name() {
        let turns = Turns::for_service("com.roomtone.app/../x y");
        let name = turns.path().file_name().unwrap().to_str().unwrap();
        assert_eq!(name, "com.roomtone.app_.._x_y.sign-in.lock");
        assert!(turns.path().parent().unwrap().ends_with("roomtone"));
    }
}
