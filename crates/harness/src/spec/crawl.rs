//! crawl: GET `n` paths from a server, at most `concurrency` in flight.
//!
//! The rules: one HTTP/1.0 request per path on its own connection (the seeds'
//! protocol), no more than `concurrency` connections open at once, every response
//! read to its end and digested by the model's own read loop. The per-request
//! figures divide the probe's measured phase, so process start, runtime build and
//! the harness's verification (which regenerates every body) are not charged to
//! the requests.
//!
//! What verification can check depends on the server ([`Expect`]): one that speaks
//! the page protocol (the delay server, ours or another machine's) sends bodies
//! known in advance, checked by digest; any other server (`--urls`) sends bodies
//! nobody knows, so only their framing and the answer per path are checked.

use std::net::SocketAddr;
use std::time::Duration;

use super::{Probe, VerifyError, check, default_threads};
use crate::http::{FetchError, FetchResult};
use crate::model::ModelError;
use crate::pages::{self, Expected};

/// GET every path from the server at `addr`, at most `concurrency` requests in
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
    /// What verification may expect of each answer. Models never read it.
    pub expect: Expect,
}

/// What the verifier knows about the answers a crawl must get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Every path is `prefix` followed by a page-protocol path ([`pages::expected`]):
    /// each page's length and digest, and each fault's error kind, are known.
    Digests { prefix: String },
    /// Bodies are unknown (any HTTP/1.x server): every path must have a result, each
    /// page one the shared reader framed whole (its `Content-Length` met, its chunks
    /// complete, or its body ended by the close), and each failure a typed
    /// [`FetchError`](crate::http::FetchError), a non-200 status among them.
    StatusAndLength,
}

impl Expect {
    /// The page protocol with no prefix: the delay server's own paths.
    pub fn digests() -> Self {
        Expect::Digests {
            prefix: String::new(),
        }
    }

    /// Whether bodies are checked against the digests the page protocol defines.
    pub fn checks_digests(&self) -> bool {
        matches!(self, Expect::Digests { .. })
    }
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
            expect: Expect::digests(),
        }
    }

    /// Checks one result per path, in path order, against what [`Self::expect`]
    /// says the server must send.
    pub fn verify(&self, outcome: &CrawlOutcome) -> Result<(), VerifyError> {
        check(outcome.results.len() == self.paths.len(), || {
            format!(
                "{} results for {} paths",
                outcome.results.len(),
                self.paths.len()
            )
        })?;
        for (path, got) in self.paths.iter().zip(&outcome.results) {
            match &self.expect {
                Expect::Digests { prefix } => {
                    let want = path
                        .strip_prefix(prefix.as_str())
                        .and_then(pages::expected)
                        .ok_or_else(|| {
                            VerifyError(format!("{path}: not a path the server knows"))
                        })?;
                    verify_one(path, want, got)?;
                }
                // Every error is a typed FetchError by construction; a page must
                // be one the reader finished, which it only reports as a 200.
                Expect::StatusAndLength => {
                    if let Ok(page) = got {
                        check(page.status == 200, || {
                            format!("{path}: a page reported with status {}", page.status)
                        })?;
                    }
                }
            }
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

    /// One line per path, in path order, for a report: what a crawl of bodies
    /// nobody knew in advance got for each URL.
    pub fn fetched(&self, paths: &[String]) -> Vec<Fetched> {
        paths
            .iter()
            .zip(&self.results)
            .map(|(path, result)| Fetched::new(path, result))
            .collect()
    }
}

/// What one path got, as reports list it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fetched {
    pub path: String,
    /// 200 for a page, the code for a status error, none for other failures.
    pub status: Option<u16>,
    /// The page's content bytes.
    pub bytes: Option<u64>,
    /// The page's FNV-1a digest, in hex: models that got the same body agree.
    pub digest: Option<String>,
    /// The typed error, in words.
    pub error: Option<String>,
}

impl Fetched {
    fn new(path: &str, result: &FetchResult) -> Self {
        let path = path.to_owned();
        match result {
            Ok(page) => Self {
                path,
                status: Some(page.status),
                bytes: Some(page.bytes),
                digest: Some(format!("{:016x}", page.digest)),
                error: None,
            },
            Err(e) => Self {
                path,
                status: match e {
                    FetchError::Status(code) => Some(*code),
                    _ => None,
                },
                bytes: None,
                digest: None,
                error: Some(e.to_string()),
            },
        }
    }

    /// `200, 12 bytes` or the error: what the path got, without the path.
    pub fn outcome(&self) -> String {
        match (&self.error, self.bytes) {
            (Some(e), _) => e.clone(),
            (None, Some(b)) => format!("{}, {b} bytes", self.status.unwrap_or(200)),
            (None, None) => "no result".into(),
        }
    }
}
