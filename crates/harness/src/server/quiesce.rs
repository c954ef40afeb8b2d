//! `GET /_quiesce?n=<n>&timeout_ms=<t>`: the cancel workload's watch.
//!
//! The harness opens this before a cancel run starts. The server answers once it
//! has seen `n` page requests start after this one arrived and then every
//! connection but this one close, or when `timeout_ms` passes, whichever comes
//! first: `quiet seen=<k> open=<j>` or `waiting seen=<k> open=<j>`. The client
//! takes the time it reads the answer as the moment the server went quiet, so
//! the count is the server's own and never the model's word.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::Stats;

/// The path; what follows it is the query.
pub(super) const PATH: &str = "/_quiesce";
/// The longest watch a client may ask for.
const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Waits as the query asks, then answers and closes.
pub(super) async fn answer(mut stream: TcpStream, query: &str, stats: &Stats) {
    let field = |name: &str| {
        query.trim_start_matches('?').split('&').find_map(|kv| {
            kv.strip_prefix(name)?
                .strip_prefix('=')?
                .parse::<u64>()
                .ok()
        })
    };
    let (Some(n), Some(timeout_ms)) = (field("n"), field("timeout_ms")) else {
        let line = "/_quiesce needs n=<requests> and timeout_ms=<ms>";
        let _ = stream
            .write_all(super::conn::text_response("400 Bad Request", line).as_bytes())
            .await;
        return;
    };
    let started = stats.started.load(Ordering::Relaxed);
    let seen = || {
        stats
            .started
            .load(Ordering::Relaxed)
            .saturating_sub(started)
    };
    // This connection is counted too.
    let open = || stats.connections().saturating_sub(1);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(timeout_ms).min(MAX_TIMEOUT);
    let quiet = loop {
        // Registered before the check, so a change between the check and the
        // wait still wakes it.
        let changed = stats.changed.notified();
        if seen() >= n && open() == 0 {
            break true;
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            break false;
        }
    };
    let word = if quiet { "quiet" } else { "waiting" };
    let line = format!("{word} seen={} open={}", seen(), open());
    let _ = stream
        .write_all(super::conn::text_response("200 OK", &line).as_bytes())
        .await;
    let _ = stream.shutdown().await;
}
