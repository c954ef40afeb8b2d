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
//! `--threads` is the number of Arbiters a run spreads its actors over, the
//! System's own included: there is no work stealing in actix, so placing actors on
//! Arbiters is how an actix program uses more than one core. A run never starts
//! more Arbiters than it has actors to place, because an Arbiter with no actor is a
//! thread that only inflates the count. With `--threads 1` everything runs on the
//! calling thread and no message crosses a thread. The one exception is pingpong:
//! its two actors only ever talk to each other, so there is nothing to spread, and
//! they share one Arbiter whatever `--threads` says (the workload does not take
//! the flag).
//!
//! The workloads, one file each:
//! - `crawl.rs`: a coordinator hands paths to supervised fetcher actors, spread
//!   over the Arbiters.
//! - `pingpong.rs`: two actors `do_send` the counter to each other, on one Arbiter.
//! - `ring.rs`: 503 actors forwarding a token with `do_send`, spread over the
//!   Arbiters in contiguous blocks.
//! - `spawn.rs`: n actors that each wake once with `ctx.run_later` and report, each
//!   Arbiter starting its share.
//! - `fanout.rs`: job batches dealt to worker actors spread over the Arbiters; each
//!   worker sends one partial sum to a collector when its mailbox closes.
//! - `server.rs`: an acceptor actor whose stream is the listener deals each
//!   connection to an Arbiter, where a connection actor serves it; the delay is a
//!   `ctx.run_later` timer, the stop a message to the acceptor.
//! - `fairness.rs`: a ticker actor re-arming `ctx.run_later` among hog actors on
//!   the same Arbiters; a hog yields by waiting on one `yield_now` and sending
//!   itself a `Continue` (a message to self alone does not yield in actix).
//! - `cancel.rs`: an actor per request; cancelling is `ctx.stop()`, which drops
//!   the request's future and closes its socket, and `stopped` reports the end.

mod cancel;
mod crawl;
mod fairness;
mod fanout;
mod pingpong;
mod ring;
mod server;
mod spawn;
mod system;

use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
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

    /// Every workload but pingpong spreads its actors over `--threads` Arbiters
    /// (one OS thread each), up to one Arbiter per actor: see the crate's docs.
    fn threads_in(&self, workload: Workload) -> bool {
        workload != Workload::PingPong
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "tokio TcpStream in supervised actix actors",
            Workload::PingPong | Workload::Ring | Workload::Fanout => "actix do_send",
            Workload::Spawn => "actix ctx.run_later",
            Workload::Server => "actix actor per connection, ctx.run_later",
            Workload::Fairness => "actix ctx.wait(yield_now) + ctx.notify",
            Workload::Cancel => "actix actor per request, ctx.stop",
        }
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

    fn server(&self, spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
        server::run(spec)
    }

    fn fairness(&self, spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
        fairness::run(spec)
    }

    fn cancel(&self, spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
        cancel::run(spec)
    }
}
