//! crawl, sequentially: fetch one path, then the next. Ten 1-second pages take ten
//! seconds, which is the whole motivation for everything else in this project.
//! `concurrency` is honoured trivially: there is never more than one in flight.

use std::net::SocketAddr;
use std::time::Duration;

use harness::ModelError;
use harness::http::FetchResult;
use harness::pages::Route;
use harness::spec::{CrawlOutcome, CrawlSpec};

use super::within_wait_budget;

// ## fetch

// The blocking GET of `threads` (`../threads/crawl.rs`), used here, not copied:
// both models fetch by blocking one OS thread in `connect`, `write` and `read`,
// and differ only in how many threads do it, so the fetch is written once, in the
// model that runs many of it at once.
use crate::threads::fetch;

// ## worker

/// The one worker: the calling thread, taking the paths in order. No cursor to
/// share: nobody else takes from the list.
fn worker(addr: SocketAddr, paths: &[String], timeout: Duration) -> Vec<FetchResult> {
    let mut mine = Vec::with_capacity(paths.len());
    for path in paths {
        mine.push(fetch(addr, path, timeout));
    }
    mine
}

// ## run

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    // The delays the server will impose are in the paths; add them up before
    // committing to wait for all of them.
    let waiting: Duration = spec
        .paths
        .iter()
        .filter_map(|p| match Route::parse(p) {
            Some(Route::Page { delay_ms, .. }) => delay_ms.map(Duration::from_millis),
            _ => None,
        })
        .sum();
    within_wait_budget(waiting, "fetching these pages")?;
    spec.reserve_sockets()?;
    // No runtime to build: the first fetch is the start of the work.
    spec.probe.begin();
    let mine = worker(spec.addr, &spec.paths, spec.timeout);
    Ok(collect(spec, mine))
}

// ## collect

/// The one worker's results are already in path order: they are the outcome.
fn collect(spec: &CrawlSpec, results: Vec<FetchResult>) -> CrawlOutcome {
    spec.probe.end();
    CrawlOutcome { results }
}
