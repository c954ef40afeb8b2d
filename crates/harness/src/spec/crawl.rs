//! crawl: GET `n` paths from a server, at most `concurrency` in flight.
//!
//! The rules: one HTTP/1.0 request per path on its own connection (the seeds'
//! protocol), no more than `concurrency` connections open at once, every response
//! read to its end and digested by the model's own read loop. The per-request
//! figures divide the probe's measured phase, so process start, runtime build and
//! the harness's verification (which regenerates every body) are not charged to
//! the requests.

use std::net::SocketAddr;
use std::time::Duration;

use super::{Probe, VerifyError, check, default_threads};
use crate::http::FetchResult;
use crate::model::ModelError;
use crate::pages::{self, Expected};

/// GET every path from the delay server at `addr`, at most `concurrency` requests in
/// flight, each bounded by `timeout` (connect, write and read together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrawlSpec {
    pub addr: SocketAddr,
    pub paths: Vec<String>,
    pub concurrency: usize,
    pub timeout: Duration,
    /// Worker threads, for the models that have them.
    pub threads: usize,
    /// Where the model marks its measured phase.
    pub probe: Probe,
}

/// Descriptors a crawling process needs besides one socket per request in flight:
/// stdio, the runtime's epoll and wake descriptors, the binary and its libraries.
pub const SPARE_FILES: u64 = 64;

impl CrawlSpec {
    /// Requests in flight at once: `concurrency`, at least 1, at most the paths.
    pub fn in_flight(&self) -> usize {
        self.concurrency.clamp(1, self.paths.len().max(1))
    }

    /// Raises the open-file limit to hold one socket per request in flight (plus
    /// [`SPARE_FILES`]) and returns how many will be in flight; or answers
    /// `unsupported`, naming the limit and how to raise it, before any socket opens.
    pub fn reserve_sockets(&self) -> Result<usize, ModelError> {
        let in_flight = self.in_flight();
        crate::limits::ensure_nofile(
            in_flight as u64 + SPARE_FILES,
            &format!("a crawl with {in_flight} requests in flight"),
        )
        .map_err(ModelError::unsupported)?;
        Ok(in_flight)
    }

    /// `n` good pages of `body_bytes` each answered after `delay_ms`, all in flight at
    /// once (`concurrency = n`) and a timeout well above the delay.
    pub fn pages(addr: SocketAddr, n: u64, delay_ms: u64, body_bytes: usize) -> Self {
        Self {
            addr,
            paths: (0..n)
                .map(|i| pages::page_path(i, delay_ms, body_bytes))
                .collect(),
            concurrency: usize::try_from(n).unwrap_or(usize::MAX).max(1),
            timeout: Duration::from_millis(delay_ms.saturating_mul(10).max(5_000)),
            threads: default_threads(),
            probe: Probe::default(),
        }
    }

    /// Checks one result per path, in path order, against what the server must send.
    pub fn verify(&self, outcome: &CrawlOutcome) -> Result<(), VerifyError> {
        check(outcome.results.len() == self.paths.len(), || {
            format!(
                "{} results for {} paths",
                outcome.results.len(),
                self.paths.len()
            )
        })?;
        for (path, got) in self.paths.iter().zip(&outcome.results) {
            let want = pages::expected(path)
                .ok_or_else(|| VerifyError(format!("{path}: not a path the server knows")))?;
            verify_one(path, want, got)?;
        }
        Ok(())
    }
}

/// Checks the result for one path against what a correct client must report.
pub fn verify_one(path: &str, want: Expected, got: &FetchResult) -> Result<(), VerifyError> {
    match (want, got) {
        (Expected::Page { bytes, digest }, Ok(page)) => check(
            page.status == 200 && page.bytes == bytes && page.digest == digest,
            || {
                format!(
                    "{path}: got status {} with {} bytes (digest {:016x}), \
                     want 200 with {bytes} bytes (digest {digest:016x})",
                    page.status, page.bytes, page.digest
                )
            },
        ),
        (Expected::Page { .. }, Err(e)) => Err(VerifyError(format!("{path}: {e}, want a page"))),
        (Expected::Error(kind), Err(e)) => check(e.kind() == kind, || {
            format!("{path}: got '{e}', want a {kind} error")
        }),
        (Expected::Error(kind), Ok(page)) => Err(VerifyError(format!(
            "{path}: got a page of {} bytes, want a {kind} error",
            page.bytes
        ))),
    }
}

/// One result per path of the spec, in the spec's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrawlOutcome {
    pub results: Vec<FetchResult>,
}

impl CrawlOutcome {
    /// Assembles results that finished in any order, each stored at its path's
    /// index, into path order. A slot left empty is a bug in the model, which gets
    /// the blame as `Failed` rather than a made-up result.
    pub fn from_slots(slots: Vec<Option<FetchResult>>) -> Result<Self, ModelError> {
        let results = slots
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.ok_or_else(|| ModelError::failed(format!("path {i} was never fetched")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { results })
    }

    /// How many paths came back with a page.
    pub fn ok_count(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }
}
