//! cancel with tokio: a task per request, suspended in a read on tokio's
//! `TcpStream`, cancelled with `JoinHandle::abort`.
//!
//! Each request is the crawl's `fetch`, unchanged, in a task of its own that
//! holds the probe's guard; the delay server holds every page far longer than
//! the run, so after `spec.after` every task is suspended at its
//! `readable().await`. Cancelling a future in Rust is dropping it: nothing runs
//! in it again, and its drops run instead, in the state it was suspended in. A
//! spawned task's future belongs to the runtime, so tokio's handle for this is
//! `JoinHandle::abort()`: it marks the task cancelled and schedules it, and the
//! worker that picks it up drops its future instead of polling it (a task in
//! the middle of a poll on another worker is dropped when that poll returns).
//! Dropping the future drops the request's `TcpStream`, which deregisters it from
//! the driver and closes the socket, its timeout's timer entry and its probe
//! guard; then the task completes with a `JoinError` whose `is_cancelled()` is
//! true, which is how a cancelled request is told from one that panicked.
//!
//! This is the stackless answer to cancelling a blocked call: there is no stack
//! to unwind and no call to interrupt, only a state machine to drop, at any
//! `.await`, for the price of its destructors. What it asks of the code is the
//! other side of that: a future may be dropped at any `.await`, so nothing may
//! be left half done across one (what tokio's docs call cancellation safety;
//! a fetch holds only what it owns).
//!
//! Two sockets outlive the call that are not the requests': with tokio's
//! `signal` feature on (actix-rt turns it on for the whole binary), the first
//! runtime a process builds opens tokio's signal pipe, a Unix socket pair kept in
//! a process-wide static until the process exits (tokio's `signal/registry.rs`;
//! `strace` shows the `socketpair` and no close, and a second runtime opens no
//! other). The harness's count of sockets left sees them in the first cancel a
//! process runs.
//!
//! The measured task drives it: it spawns every request, sleeps `spec.after`
//! with `tokio::time::sleep`, aborts each handle, then awaits each in path
//! order; a handle whose task is already gone returns at once. On the
//! current-thread runtime the aborts only mark the tasks: they are dropped when
//! the measured task awaits the first handle and gives the thread back.

use std::net::SocketAddr;
use std::time::Duration;

use harness::http::FetchResult;
use harness::spec::{CancelOutcome, CancelSpec, RequestEnd, SPARE_FILES};
use harness::{ModelError, Probe, limits};
use tokio::task::JoinHandle;

use crate::crawl;
use crate::runtime::{self, Flavor};

/// How long a request waits, past `spec.after`, for a page before it gives up
/// on its own: a bound on a cancel that never lands, the harness's own
/// ten seconds to a quiet server. A request that hits it ends `Failed`.
const SLACK: Duration = Duration::from_secs(10);

// ## request
/// One request: alive from its first poll to its drop, suspended in a read for
/// most of it.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): 648 bytes against this block's 616, in each request"
)]
fn request(
    addr: SocketAddr,
    path: String,
    timeout: Duration,
    probe: Probe,
) -> impl Future<Output = FetchResult> {
    async move {
        let _alive = probe.enter();
        crawl::fetch(addr, &path, timeout).await
    }
}

// ## run
pub(crate) fn run(spec: &CancelSpec, flavor: Flavor) -> Result<CancelOutcome, ModelError> {
    let n = spec.paths.len();
    limits::ensure_nofile(n as u64 + SPARE_FILES, "this many requests in flight")
        .map_err(ModelError::unsupported)?;
    // A clone shares the spec's cancel mark (and its probe), so the measured task
    // can call `cancelling()` on its own copy.
    let work = spec.clone();
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        let timeout = work.after + SLACK;
        let requests: Vec<JoinHandle<FetchResult>> = work
            .paths
            .iter()
            .map(|path| {
                tokio::spawn(request(
                    work.addr,
                    path.clone(),
                    timeout,
                    work.probe.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(work.after).await;
        work.cancelling();
        cancel(requests).await
    });
    spec.probe.end();
    out
}

// ## cancel
/// Aborts every request, then awaits each in path order for how it ended; the
/// first failure, if any, wins, once every request has been awaited.
async fn cancel(requests: Vec<JoinHandle<FetchResult>>) -> Result<CancelOutcome, ModelError> {
    for handle in &requests {
        // A task that already finished keeps its output: abort does nothing to it.
        handle.abort();
    }
    let mut ends = Vec::with_capacity(requests.len());
    let mut failed = None;
    for handle in requests {
        // Returns once the task's future has been dropped: its socket is closed.
        match handle.await {
            Ok(Ok(page)) => ends.push(RequestEnd::Page(page)),
            Ok(Err(e)) => ends.push(RequestEnd::Failed(e)),
            Err(e) if e.is_cancelled() => ends.push(RequestEnd::Cancelled),
            Err(panicked) => failed = failed.or(Some(runtime::joined(panicked))),
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(CancelOutcome { ends }),
    }
}
