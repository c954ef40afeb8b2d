//! The open-loop load generator: the client of the `server` workload.
//!
//! It sends requests on a fixed schedule, whatever the server does: request `k` of
//! `rate × duration` is due at `t0 + k / rate`, on connection `k mod connections`
//! (wrk2's design). A server that stalls does not slow the schedule down; the
//! requests that pile up behind it are sent late, and each latency is measured
//! from the request's *intended* send time, so a stall shows in the tail instead of
//! being hidden by a client that waited politely (coordinated omission, as Gil
//! Tene describes it and HdrHistogram corrects it). The latency from the actual
//! send, which is what a closed-loop client would report, is kept beside it.
//!
//! Every response is read with the shared [`ResponseReader`](crate::http::ResponseReader)
//! and checked against the page's length and digest ([`crate::pages::expected`]);
//! anything else is an error of a named kind, never a latency.
//!
//! It runs in a child process of its own (`concurrency-models loadgen`, which the
//! root binary registers with [`use_child_process`]) so its CPU is never charged
//! to the server; tests and benches, which have no such binary, run it on a thread.
//!
//! 1. this file: [`LoadConfig`], [`LoadReport`], [`Latency`], [`run`].
//! 2. `generate.rs`: the generator itself (tokio, one task per connection).
//! 3. `child.rs`: the child process, its arguments and its one line of JSON.

mod child;
mod generate;

pub use child::{child_main, run, use_child_process};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

/// What to send, where, and how fast.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoadConfig {
    pub addr: SocketAddr,
    /// Requests per second, over all connections.
    pub rate: u64,
    /// How long the schedule runs.
    pub duration_ms: u64,
    /// Connections opened before the first request and held to the end (a server
    /// that closes one is reconnected for its next request).
    pub connections: usize,
    /// The delay every page asks for.
    pub delay_ms: u64,
    /// Every page's body length.
    pub body_bytes: usize,
    /// How long a request may take, counted from its intended send time.
    pub timeout_ms: u64,
}

impl LoadConfig {
    /// Requests on the schedule: `rate × duration`, at least one.
    pub fn scheduled(&self) -> u64 {
        (self.rate.saturating_mul(self.duration_ms) / 1000).max(1)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// Latency percentiles, in microseconds, from an HdrHistogram of every request
/// that got its page.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Latency {
    pub count: u64,
    pub p50_us: u64,
    pub p90_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    pub mean_us: f64,
}

/// What the generator saw.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoadReport {
    /// Requests on the schedule.
    pub scheduled: u64,
    /// Requests written to a connection.
    pub sent: u64,
    /// Requests answered with the right page (status, length and digest).
    pub ok: u64,
    /// Failed requests by kind: `connect`, `reset`, `timeout`, `protocol`,
    /// `status 4xx`, `corrupt` (a page whose length or digest is wrong).
    pub errors: BTreeMap<String, u64>,
    /// The first failure, in words.
    pub first_error: Option<String>,
    /// Connections established, reconnections included.
    pub connected: u64,
    /// The most connections open at once.
    pub peak_open: u64,
    /// From the first intended send to the last response.
    pub elapsed_ns: u64,
    /// Latency from each request's intended send time: what a user waits.
    pub latency: Latency,
    /// Latency from each request's actual send: what a closed-loop client reports.
    pub service: Latency,
    /// How late each request was sent (actual minus intended), for every request
    /// written. A connection carries one request at a time, so this is the time a
    /// request queued behind the one before it on its connection, plus the
    /// generator's own timer error (about a millisecond: tokio's timer slots); on
    /// a server that keeps up, only the latter, which bounds what the latencies
    /// can resolve.
    pub send_lag: Latency,
    /// Where it ran: `child process` or `thread (in-process)`.
    pub generator: String,
    /// The generator's own CPU time, where measured.
    pub cpu_ns: Option<u64>,
}

impl LoadReport {
    /// Requests that failed, of every kind.
    pub fn failed(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Pages per second over the run.
    pub fn achieved_rate(&self) -> f64 {
        if self.elapsed_ns == 0 {
            0.0
        } else {
            self.ok as f64 * 1e9 / self.elapsed_ns as f64
        }
    }

    /// `timeout 12, reset 3`, or `none`.
    pub fn errors_in_words(&self) -> String {
        if self.errors.is_empty() {
            return "none".into();
        }
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        parts.join(", ")
    }
}

/// A report of a generator that could not run at all: every request of the
/// schedule is counted as one error of kind `generator`, and `why` is the first.
fn generator_error(config: &LoadConfig, why: impl Into<String>) -> LoadReport {
    let scheduled = config.scheduled();
    LoadReport {
        scheduled,
        errors: BTreeMap::from([("generator".to_owned(), scheduled)]),
        first_error: Some(why.into()),
        ..LoadReport::default()
    }
}
