//! `broker`: the token broker's refresh through a running relay against the same refresh
//! straight at the login service.

use crate::sim::{mint_token, Failure};
use crate::stats::{percentile, us};
use roomtone_sim::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::json;
use std::time::Instant;

pub async fn broker(relay: &str, sim: &str, samples: usize) -> Result<(), Failure> {
    let http = reqwest::Client::new();
    let refresh = mint_token(&http, sim, "refresh_token").await?;
    let (mut through, mut straight) = (Vec::new(), Vec::new());
    for i in 0..samples + 20 {
        let start = Instant::now();
        http.post(format!("{relay}/oauth/refresh"))
            .json(&json!({ "refresh_token": refresh }))
            .send()
            .await?
            .error_for_status()?;
        let relayed = start.elapsed();
        let start = Instant::now();
        http.post(format!("{sim}/login/v3/oauth/access"))
            .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
            ])
            .send()
            .await?
            .error_for_status()?;
        if i >= 20 {
            through.push(relayed);
            straight.push(start.elapsed());
        }
    }
    through.sort();
    straight.sort();
    println!(
        "broker ({samples} refreshes): through the relay p50 {} p99 {}; straight at the login service p50 {} p99 {}; the relay adds p50 {} p99 {}",
        us(percentile(&through, 50.0)),
        us(percentile(&through, 99.0)),
        us(percentile(&straight, 50.0)),
        us(percentile(&straight, 99.0)),
        us(percentile(&through, 50.0).saturating_sub(percentile(&straight, 50.0))),
        us(percentile(&through, 99.0).saturating_sub(percentile(&straight, 99.0))),
    );
    Ok(())
}
