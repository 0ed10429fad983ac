//! The streams played lately, kept in the settings file for the window's "Play a stream":
//! newest first, one entry per URL, at most [`MAX`]. A URL only, and the name given to it.

use serde::{Deserialize, Serialize};
use specta::Type;

/// How many are kept.
pub const MAX: usize = 8;

/// A stream played lately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecentStream {
    pub url: String,
    pub name: Option<String>,
}

/// `list` with `url` first (named `name`, or as it was named before), without its older
/// entry, cut to [`MAX`].
pub fn remember(list: &[RecentStream], url: &str, name: Option<&str>) -> Vec<RecentStream> {
    let url = url.trim();
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            list.iter()
                .find(|r| r.url == url)
                .and_then(|r| r.name.clone())
        });
    let first = RecentStream {
        url: url.to_owned(),
        name,
    };
    std::iter::once(first)
        .chain(list.iter().filter(|r| r.url != url).cloned())
        .take(MAX)
        .collect()
}

/// `list` without `url`.
pub fn forget(list: &[RecentStream], url: &str) -> Vec<RecentStream> {
    list.iter().filter(|r| r.url != url).cloned().collect()
}

/// The list as a settings file may hold it: entries that are not stream URLs dropped
/// (a hand-edited file loses nothing else), at most [`MAX`].
pub fn validated(list: Vec<RecentStream>) -> Vec<RecentStream> {
    list.into_iter()
        .filter(|r| roomtone_core::stream::check(&r.url, r.name.as_deref()).is_ok())
        .take(MAX)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(list: &[RecentStream]) -> Vec<&str> {
        list.iter().map(|r| r.url.as_str()).collect()
    }

    #[test]
    fn the_newest_comes_first_once_and_the_oldest_go() {
        let mut list = Vec::new();
        for n in 0..10 {
            list = remember(&list, &format!("https://radio.example/{n}"), None);
        }
        assert_eq!(list.len(), MAX);
        assert_eq!(list[0].url, "https://radio.example/9");
        list = remember(&list, "https://radio.example/5", Some("Five FM"));
        assert_eq!(
            urls(&list)[..2],
            ["https://radio.example/5", "https://radio.example/9"]
        );
        assert_eq!(list.len(), MAX, "moved, not added");
        // Played again without a name: it keeps the one it had.
        list = remember(&list, " https://radio.example/5 ", None);
        assert_eq!(list[0].name.as_deref(), Some("Five FM"));
        list = forget(&list, "https://radio.example/5");
        assert!(!urls(&list).contains(&"https://radio.example/5"));
    }

    #[test]
    fn a_hand_edited_list_keeps_only_stream_urls() {
        let list = vec![
            RecentStream {
                url: "https://radio.example/a".into(),
                name: None,
            },
            RecentStream {
                url: "file:///etc/passwd".into(),
                name: None,
            },
            RecentStream {
                url: "https://u:p@radio.example/b".into(),
                name: None,
            },
        ];
        assert_eq!(urls(&validated(list)), ["https://radio.example/a"]);
    }
}
