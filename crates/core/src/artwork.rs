//! Where artwork may come from, for every surface that loads it (the window, the OS media
//! session, which hands the URL to the desktop shell). Sonos's metadata names any URL; a
//! surface loads one only if it is HTTPS to a public host, or plain HTTP to the simulator
//! this configuration talks to (the Control API's own origin, when that is on this
//! computer: the demo, development, the tests). Never another local port, never the LAN
//! (a player's own address is not reachable from the cloud's view of a household).

use crate::live::Live;
use crate::view::{Household, Library, NowPlaying};
use std::net::IpAddr;
use url::{Host, Url};

/// See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Artwork {
    /// The one local origin allowed: the Control API's, when it is plain HTTP on loopback.
    local: Option<String>,
}

impl Artwork {
    /// The policy for a Control API at `control_url`.
    pub fn for_control_url(control_url: &str) -> Self {
        let local = Url::parse(control_url)
            .ok()
            .filter(|u| u.scheme() == "http" && loopback(u))
            .map(|u| u.origin().ascii_serialization());
        Self { local }
    }

    /// The one local origin artwork may come from, if any (for the window's CSP).
    pub fn local_origin(&self) -> Option<&str> {
        self.local.as_deref()
    }

    /// Whether a surface may load `url`.
    pub fn allows(&self, url: &str) -> bool {
        let Ok(parsed) = Url::parse(url) else {
            return false;
        };
        match parsed.scheme() {
            "https" => !loopback(&parsed) && !private(&parsed),
            "http" => self
                .local
                .as_deref()
                .is_some_and(|local| parsed.origin().ascii_serialization() == local),
            _ => false,
        }
    }

    fn keep(&self, url: &mut Option<String>) {
        if url.as_deref().is_some_and(|u| !self.allows(u)) {
            *url = None;
        }
    }

    /// Drops the artwork of `households` that no surface may load.
    pub fn clean_households(&self, households: &mut [Household]) {
        for group in households.iter_mut().flat_map(|h| &mut h.groups) {
            if let Some(now) = &mut group.now_playing {
                self.clean_now_playing(now);
            }
        }
    }

    /// Likewise for one group's track.
    pub fn clean_now_playing(&self, now: &mut NowPlaying) {
        self.keep(&mut now.art_url);
    }

    /// Likewise for what a window is about to show.
    pub fn clean(&self, live: &mut Live) {
        self.clean_households(&mut live.households);
    }

    /// Likewise for a library.
    pub fn clean_library(&self, library: &mut Library) {
        let favorites = library.favorites.iter_mut().map(|f| &mut f.art_url);
        for art_url in favorites.chain(library.playlists.iter_mut().map(|p| &mut p.art_url)) {
            self.keep(art_url);
        }
    }
}

fn loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A LAN, link-local or unspecified address, or a `.local` (mDNS) name.
fn private(url: &Url) -> bool {
    let ip: Option<IpAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => Some(ip.into()),
        Some(Host::Ipv6(ip)) => Some(ip.into()),
        Some(Host::Domain(name)) => return name.to_ascii_lowercase().ends_with(".local"),
        None => return true,
    };
    match ip {
        Some(IpAddr::V4(ip)) => {
            ip.is_private() || ip.is_link_local() || ip.is_unspecified() || ip.is_broadcast()
        }
        Some(IpAddr::V6(ip)) => {
            ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (ip.segments()[0] & 0xffc0) == 0xfe80 // link local
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_to_a_public_host_and_the_configured_simulator_only() {
        let sonos = Artwork::for_control_url("https://api.ws.sonos.com/control/api/v1");
        let sim = Artwork::for_control_url("http://127.0.0.1:7700/control/api/v1");
        for policy in [&sonos, &sim] {
            assert!(policy.allows("https://art.example/a.jpg"));
            for refused in [
                "http://art.example/a.jpg",
                "http://192.168.1.20:1400/getaa?s=1",
                "https://10.0.0.5/a.jpg",
                "https://[fe80::1]/a.jpg",
                "https://player.local/a.jpg",
                "https://127.0.0.1:7700/a.jpg",
                "http://127.0.0.1:631/printers",
                "http://localhost:7700/sim/art/a.svg",
                "file:///etc/passwd",
                "data:image/svg+xml,<svg/>",
                "not a url",
            ] {
                assert!(!policy.allows(refused), "{refused}");
            }
        }
        assert!(sim.allows("http://127.0.0.1:7700/sim/art/a.svg"));
        assert!(!sonos.allows("http://127.0.0.1:7700/sim/art/a.svg"));
        // A Control API on the LAN or plain HTTP elsewhere names no local origin.
        assert!(!Artwork::for_control_url("http://192.168.1.2:1400/api")
            .allows("http://192.168.1.2:1400/a.jpg"));
    }
}
