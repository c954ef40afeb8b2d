//! crawl, sequentially: fetch one path, then the next. Ten 1-second pages take ten
//! seconds, which is the whole motivation for everything else in this project.
//! `concurrency` is honoured trivially: there is never more than one in flight.

use std::time::Duration;

use harness::ModelError;
use harness::http::fetch_blocking;
use harness::pages::Route;
use harness::spec::{CrawlOutcome, CrawlSpec};

use super::within_wait_budget;

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
    let results = spec.probe.measure(|| {
        spec.paths
            .iter()
            .map(|path| fetch_blocking(spec.addr, path, spec.timeout))
            .collect()
    });
    Ok(CrawlOutcome { results })
}
