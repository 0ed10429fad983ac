//! Bodies that only appear in events (REFERENCE §5, §6.3).

use serde::{Deserialize, Serialize};

/// `versionChanged`: favorites or playlists changed; fetch them again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VersionChanged {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}
