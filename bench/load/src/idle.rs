//! `idle`: Sonos requests per idle minute from a signed-in core, with the event stream and
//! without it (window shown, window hidden).

use crate::sim::Failure;
use crate::world::{a_group, InProcess};
use std::time::Duration;

pub async fn idle(seconds: u64) -> Result<(), Failure> {
    let mut world = InProcess::start(None).await?;
    let mut live = world.controller.watch();
    let group = a_group(&mut live).await?;
    world.until_following(group.as_str()).await?;
    let window = Duration::from_secs(seconds);
    let per_minute = |n: u64| n as f64 * 60.0 / seconds as f64;
    // The window is shown, on this group.
    world.controller.set_watching(true);
    world.controller.set_focus(Some(&group));
    let streaming = world.requests_in(window).await?;
    let streamed_throughout = world.controller.streaming();
    // The relay goes away: no stream; the core polls.
    world.cloud.stop_relays().await?;
    let mut polling = world.controller.watch();
    tokio::time::timeout(Duration::from_secs(30), async {
        while world.controller.streaming() {
            let _ = polling.changed().await;
        }
    })
    .await?;
    let shown = world.requests_in(window).await?;
    world.controller.set_watching(false);
    let hidden = world.requests_in(window).await?;
    println!(
        "idle ({seconds} s each): with the stream {:.1} requests/min ({:.1} events/min; stream held throughout: {streamed_throughout}); without, window shown {:.1} requests/min (one group on screen); without, window hidden {:.1} requests/min",
        per_minute(streaming.0),
        per_minute(streaming.1),
        per_minute(shown.0),
        per_minute(hidden.0),
    );
    Ok(())
}
