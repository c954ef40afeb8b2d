//! cancel: start `n` slow requests, then cancel them all halfway.
//!
//! The rules, the same in every model:
//! - the model starts one request per path, each on its own connection, all in
//!   flight at once (the delay server holds each for `delay_ms`, far longer than
//!   the run), each request a task of the model's own kind holding
//!   `spec.probe.enter()` from its first step to its last;
//! - after `after` it calls [`CancelSpec::cancelling`] and cancels every request
//!   the way its library intends: dropping or aborting futures, closing channels,
//!   stopping actors, and for blocked threads the one honest mechanism there is
//!   (shutting the socket down from outside);
//! - every request reports how it ended ([`RequestEnd`]), in path order, and the
//!   model returns once all have.
//!
//! What the harness measures, not the model: the time from the cancel to the
//! moment the delay server has seen every one of the run's connections closed,
//! and what the model left behind after it returned (tasks still holding their
//! probe guard, OS threads, open sockets).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::{Probe, VerifyError, check, default_threads};
use crate::http::{FetchError, Page};
use crate::pages;

/// Start a slow request per path; after `after`, cancel them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelSpec {
    pub addr: SocketAddr,
    pub paths: Vec<String>,
    /// How long the requests run before the model cancels them.
    pub after: Duration,
    pub threads: usize,
    /// Where the model marks its measured phase, and the gauge its requests hold.
    pub probe: Probe,
    cancel_at: CancelMark,
}

/// When the model said it was cancelling; shared by the spec's clones.
#[derive(Debug, Clone, Default)]
struct CancelMark(Arc<OnceLock<Instant>>);

impl PartialEq for CancelMark {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for CancelMark {}

impl CancelSpec {
    /// `n` page requests that each ask the server to wait `delay_ms`, cancelled
    /// after `after`.
    pub fn new(addr: SocketAddr, n: usize, delay_ms: u64, after: Duration) -> Self {
        Self {
            addr,
            paths: (0..n as u64)
                .map(|i| pages::page_path(i, delay_ms, 64))
                .collect(),
            after,
            threads: default_threads(),
            probe: Probe::default(),
            cancel_at: CancelMark::default(),
        }
    }

    /// The model is cancelling now: call this once, just before the first cancel.
    pub fn cancelling(&self) {
        let _ = self.cancel_at.0.set(Instant::now());
    }

    /// When [`cancelling`](Self::cancelling) was called.
    pub fn cancelled_at(&self) -> Option<Instant> {
        self.cancel_at.0.get().copied()
    }

    /// Checks that every request ended cancelled and that the model marked the
    /// cancel. What the server saw is checked by the harness (`cell.rs`).
    pub fn verify(&self, outcome: &CancelOutcome) -> Result<(), VerifyError> {
        check(self.cancelled_at().is_some(), || {
            "the model never called spec.cancelling()".into()
        })?;
        check(outcome.ends.len() == self.paths.len(), || {
            format!(
                "{} of {} requests reported",
                outcome.ends.len(),
                self.paths.len()
            )
        })?;
        for (path, end) in self.paths.iter().zip(&outcome.ends) {
            match end {
                RequestEnd::Cancelled => {}
                RequestEnd::Page(_) => {
                    return Err(VerifyError(format!(
                        "{path} got its page: it was not cancelled"
                    )));
                }
                RequestEnd::Failed(e) => {
                    return Err(VerifyError(format!("{path} failed before the cancel: {e}")));
                }
            }
        }
        let peak = self.probe.peak_alive();
        check(peak == self.paths.len() as u64, || {
            format!(
                "at most {peak} of {} requests were alive at once (each must hold \
                 spec.probe.enter() from its start to its end)",
                self.paths.len()
            )
        })
    }
}

/// How one request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestEnd {
    /// Cancelled before its page came: the only right answer.
    Cancelled,
    /// It got its page (so it was not cancelled).
    Page(Page),
    /// It failed on its own, before the cancel.
    Failed(FetchError),
}

/// Every request's end, in path order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CancelOutcome {
    pub ends: Vec<RequestEnd>,
}

impl CancelOutcome {
    pub fn cancelled(&self) -> usize {
        self.ends
            .iter()
            .filter(|e| matches!(e, RequestEnd::Cancelled))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_must_end_cancelled() {
        let spec = CancelSpec::new("127.0.0.1:1".parse().unwrap(), 2, 60_000, Duration::ZERO);
        let all = CancelOutcome {
            ends: vec![RequestEnd::Cancelled, RequestEnd::Cancelled],
        };
        let err = spec.verify(&all).unwrap_err();
        assert!(err.0.contains("spec.cancelling()"), "{err}");
        spec.cancelling();
        let alive: Vec<_> = (0..2).map(|_| spec.probe.enter()).collect();
        drop(alive);
        assert!(spec.verify(&all).is_ok());
        let page = CancelOutcome {
            ends: vec![
                RequestEnd::Cancelled,
                RequestEnd::Page(Page {
                    status: 200,
                    bytes: 64,
                    digest: 0,
                }),
            ],
        };
        assert!(spec.verify(&page).unwrap_err().0.contains("/page/1"));
        let short = CancelOutcome {
            ends: vec![RequestEnd::Cancelled],
        };
        assert!(spec.verify(&short).unwrap_err().0.contains("1 of 2"));
    }
}
