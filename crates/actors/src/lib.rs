//! Model `actix`: actors on [actix](https://docs.rs/actix), the seeds' Erlang idea in Rust.
//!
//! An actor (Hewitt, Bishop and Steiger, 1973) is a thing with private state and a
//! mailbox. It handles one message at a time, and in answer to a message it may
//! change its own state, send messages to addresses it knows, and create actors.
//! Nothing else touches its state, so it needs no lock. Erlang made this practical
//! (processes, `Pid ! Msg`, supervisors that restart what crashed); the seeds' last
//! article sets it beside CSP: in CSP the channel is a shared thing both ends name,
//! here the mailbox belongs to the receiver and a sender needs only its address.
//!
//! In actix an actor is a struct implementing `Actor`; every message type it accepts
//! has a `Handler` with a typed reply (`Message::Result`). `Addr<A>` is an address
//! for all of an actor's messages, `Recipient<M>` an address for one message type,
//! whoever handles it. `send` asks for the reply (a future, and it waits when the
//! mailbox is full: back-pressure); `do_send` drops it into the mailbox whatever its
//! fill and wants no reply. Actors live in Arbiters: one OS thread running one
//! single-threaded tokio runtime; an actor never leaves the Arbiter it started on, so
//! its state needs not be `Send` and two actors on one Arbiter talk without crossing
//! threads. `system.rs` starts a fresh `System` per run and shuts everything down.
//!
//! The workloads, one file each:
//! - `crawl.rs`: a coordinator hands paths to supervised fetcher actors.
//! - `pingpong.rs`: `send().await` with a typed reply between two actors.
//! - `ring.rs`: 503 actors forwarding a token with `do_send` through `Recipient`s.
//! - `spawn.rs`: n actors that each wake once with `ctx.run_later` and report.
//! - `fanout.rs`: a foreman feeding worker actors spread over `--threads` Arbiters.

mod crawl;
mod fanout;
mod pingpong;
mod ring;
mod spawn;
mod system;

use harness::spec::{
    Counted, CrawlOutcome, CrawlSpec, FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome,
    RingSpec, SpawnSpec,
};
use harness::{Family, Model, ModelError};

/// The `actix` model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Actix;

impl Model for Actix {
    fn name(&self) -> &'static str {
        "actix"
    }

    fn family(&self) -> Family {
        Family::Actors
    }

    fn summary(&self) -> &'static str {
        "actors on actix: private state behind a mailbox, typed messages"
    }

    /// `--threads` is the number of Arbiters fanout spreads its workers over. The
    /// other workloads run on the System's one Arbiter: their actors talk all the
    /// time, and on one Arbiter a message never crosses a thread.
    fn uses_threads(&self) -> bool {
        true
    }

    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        crawl::run(spec)
    }

    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        pingpong::run(spec)
    }

    fn ring(&self, spec: &RingSpec) -> Result<RingOutcome, ModelError> {
        ring::run(spec)
    }

    fn spawn(&self, spec: &SpawnSpec) -> Result<Counted, ModelError> {
        spawn::run(spec)
    }

    fn fanout(&self, spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        fanout::run(spec)
    }
}
