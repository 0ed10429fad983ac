//! The window's content security policy, finished at start: artwork loads over https, and
//! from this computer only from the simulator Roomtone runs itself (the demo) or was pointed
//! at (`ROOMTONE_CONTROL_URL` on loopback, for development and the tests), never from any
//! other local port. `tauri.conf.json` holds the policy without those origins.

use roomtone_core::artwork::Artwork;
use roomtone_core::config::env;

/// `policy` with `origins` added to its `img-src` (which it must have).
pub fn with_images_from(policy: &str, origins: &[String]) -> String {
    policy
        .split(';')
        .map(|directive| {
            let directive = directive.trim();
            match directive.split_whitespace().next() {
                Some("img-src") if !origins.is_empty() => {
                    format!("{directive} {}", origins.join(" "))
                }
                _ => directive.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The local origins artwork may come from: the demo simulator's reserved port, and the
/// Control API's origin when `control_url` (from the environment) is plain HTTP on loopback.
pub fn local_image_origins(demo_port: Option<u16>, control_url: Option<&str>) -> Vec<String> {
    let mut origins: Vec<String> = demo_port
        .map(|port| format!("http://127.0.0.1:{port}"))
        .into_iter()
        .collect();
    // The core's rule for artwork names the one local origin, if any.
    let control = control_url
        .map(Artwork::for_control_url)
        .and_then(|a| a.local_origin().map(str::to_owned));
    origins.extend(control.filter(|o| !origins.contains(o)));
    origins
}

/// Adds the local origins to the policy the app was built with.
pub fn finish(config: &mut tauri::Config, demo_port: Option<u16>) {
    let control = std::env::var(env::CONTROL_URL).ok();
    let origins = local_image_origins(demo_port, control.as_deref());
    if let Some(csp) = config.app.security.csp.as_mut() {
        *csp = tauri::utils::config::Csp::Policy(with_images_from(&csp.to_string(), &origins));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILT: &str = "default-src 'self'; img-src 'self' https: asset: data:; object-src 'none'";

    #[test]
    fn images_come_from_https_and_the_named_local_origins_only() {
        let origins = local_image_origins(Some(4711), Some("http://127.0.0.1:8080/control/api/v1"));
        assert_eq!(origins, ["http://127.0.0.1:4711", "http://127.0.0.1:8080"]);
        assert_eq!(
            with_images_from(BUILT, &origins),
            "default-src 'self'; img-src 'self' https: asset: data: http://127.0.0.1:4711 \
             http://127.0.0.1:8080; object-src 'none'"
        );
        // No wildcard port, and nothing added when there is nothing to add.
        assert!(!with_images_from(BUILT, &origins).contains(":*"));
        assert_eq!(with_images_from(BUILT, &[]), BUILT);
    }

    #[test]
    fn a_remote_or_https_control_api_adds_no_local_origin() {
        for url in [
            "https://api.ws.sonos.com/control/api/v1",
            "http://192.168.1.20:1400/control",
            "http://example.com/control",
            "not a url",
        ] {
            assert_eq!(
                local_image_origins(None, Some(url)),
                Vec::<String>::new(),
                "{url}"
            );
        }
        assert_eq!(
            local_image_origins(None, Some("http://localhost:9000/x")),
            ["http://localhost:9000"]
        );
    }

    #[test]
    fn the_built_policy_allows_no_local_port() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
        let csp = conf["app"]["security"]["csp"].as_str().unwrap();
        let img = csp
            .split(';')
            .find(|d| d.trim().starts_with("img-src"))
            .unwrap();
        assert!(
            !img.contains("127.0.0.1") && !img.contains("localhost"),
            "{img}"
        );
        assert!(img.contains("https:"), "{img}");
    }
}
