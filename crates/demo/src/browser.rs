use roomtone_core::{Controller, CoreError, Opener};
use std::sync::Arc;
use url::Url;

/// Stands in for the browser: follows the login URL to the relay's hand-off page and hands
/// its `roomtone://` link to `deliver`, as the OS hands a link to the app. Runs on a task,
/// as a browser runs beside the app.
pub struct Autopilot<F> {
    deliver: Arc<F>,
}

impl<F: Fn(String) + Send + Sync + 'static> Autopilot<F> {
    pub fn new(deliver: F) -> Self {
        Self {
            deliver: Arc::new(deliver),
        }
    }
}

impl<F> std::fmt::Debug for Autopilot<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Autopilot")
    }
}

impl<F: Fn(String) + Send + Sync + 'static> Opener for Autopilot<F> {
    fn open(&self, url: &Url) -> Result<(), String> {
        let (deliver, url) = (self.deliver.clone(), url.clone());
        tokio::spawn(async move {
            match follow(&url).await {
                Ok(link) => deliver(link),
                Err(err) => tracing::error!(%err, "the demo's browser stand-in failed"),
            }
        });
        Ok(())
    }
}

/// Signs `controller` in through [`Autopilot`], the link going straight to
/// [`Controller::handle_deep_link`].
pub async fn sign_in(controller: &Arc<Controller>) -> Result<(), CoreError> {
    let receiving = controller.clone();
    let browser = Autopilot::new(move |link: String| {
        if let Err(err) = receiving.handle_deep_link(&link) {
            tracing::error!(error = %err, "the demo's sign-in link was refused");
        }
    });
    controller.sign_in(&browser).await
}

/// What a browser does with the login URL (the simulator consents by itself): the login
/// service redirects to the relay, whose page links back to the app. Returns that link.
pub async fn follow(login: &Url) -> Result<String, String> {
    // Without the URL: the relay's address carries the authorization code.
    let failed = |e: reqwest::Error| e.without_url().to_string();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let to_relay = http.get(login.clone()).send().await.map_err(failed)?;
    let location = to_relay
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or("the login did not redirect")?
        .to_owned();
    let page = http
        .get(location)
        .send()
        .await
        .map_err(failed)?
        .text()
        .await
        .map_err(failed)?;
    app_link(&page).ok_or_else(|| "the relay's page has no app link".to_owned())
}

/// The `roomtone://` link in the relay's hand-off page, unescaped.
pub fn app_link(page: &str) -> Option<String> {
    let start = page.find("href=\"roomtone://")? + 6;
    let end = page[start..].find('"')? + start;
    Some(page[start..end].replace("&amp;", "&"))
}

#[cfg(test)]
mod tests {
    use super::{app_link, follow};

    #[tokio::test]
    async fn a_failed_follow_does_not_say_the_code() {
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/oauth/callback?code=secret-code&state=s");
        let err = follow(&url.parse().unwrap()).await.unwrap_err();
        assert!(!err.contains("secret-code"), "{err}");
    }

    #[test]
    fn the_app_link_is_read_from_the_page_unescaped() {
        let page =
            r#"<a href="https://x">x</a><a href="roomtone://auth?code=a&amp;state=b">Open</a>"#;
        assert_eq!(
            app_link(page).as_deref(),
            Some("roomtone://auth?code=a&state=b")
        );
        assert_eq!(app_link("<a href=\"https://x\">"), None);
        assert_eq!(app_link("<a href=\"roomtone://never-closed"), None);
    }
}
