//! `latency`: another phone changes a volume; how long until the core's state shows it.

use crate::sim::{mint, phone, Failure};
use crate::stats::{ms, percentile};
use crate::world::{a_group, InProcess};
use std::time::{Duration, Instant};

pub async fn latency(samples: usize, redis_url: Option<String>) -> Result<(), Failure> {
    let world = InProcess::start(redis_url.as_deref()).await?;
    let mut live = world.controller.watch();
    let group = a_group(&mut live).await?;
    world.until_following(group.as_str()).await?;
    let phone = phone(&world.sim, mint(&world.http, &world.sim).await?)?;
    let id = group.clone();
    let (mut end_to_end, mut command) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let volume = 20 + (i % 2) as u8 * 30 + (i / 2 % 20) as u8;
        let start = Instant::now();
        phone.group_volume().set(&id, volume).await?;
        command.push(start.elapsed());
        tokio::time::timeout(
            Duration::from_secs(10),
            live.wait_for(|l| {
                l.groups()
                    .any(|g| g.id == group && g.volume.volume == volume)
            }),
        )
        .await
        .map_err(|_| format!("sample {i}: the change never reached the core"))??;
        end_to_end.push(start.elapsed());
    }
    end_to_end.sort();
    command.sort();
    let path = if redis_url.is_some() {
        "two relays on Redis"
    } else {
        "one relay"
    };
    println!(
        "latency ({path}, {samples} samples): phone's command to the core's state p50 {} p99 {} max {}; the phone's command alone p50 {} p99 {}",
        ms(percentile(&end_to_end, 50.0)),
        ms(percentile(&end_to_end, 99.0)),
        ms(*end_to_end.last().expect("samples")),
        ms(percentile(&command, 50.0)),
        ms(percentile(&command, 99.0)),
    );
    Ok(())
}
