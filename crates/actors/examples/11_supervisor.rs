//! Step 11 of the tour (`docs/tour.md`): actors, the Erlang answer the seeds compare
//! against, and a supervisor that restarts an actor when it crashes.
//!
//! An actor owns its state and handles one message at a time from its mailbox;
//! others reach it only through its address. Erlang adds "let it crash": a process
//! does not defend against every fault, it dies, and the supervisor above it starts
//! it again in a known state. actix's `Supervisor` does that for an actor that
//! stops. It does not build a new actor, as an Erlang supervisor starts a new process
//! from its child spec. It keeps the same value and mailbox, runs it on a fresh
//! context, and calls `Supervised::restarting` first: that is where the state a
//! fresh start must not inherit gets reset. The address stays good throughout.
//!
//! A counter adds up what it is sent. `Crash` makes it stop itself, the actix way
//! of dying (a panic in a handler would end the task that runs both the actor and
//! its supervisor, so nothing would restart it). Its supervisor restarts it, its
//! total back at zero, and the next message, sent to the same address, finds it
//! running.
//!
//! Run: `cargo run -p cm-actors --example 11_supervisor`

use actix::prelude::*;

/// Add `n` to the total; answers the new total.
#[derive(Message)]
#[rtype(result = "u64")]
struct Add(u64);

/// Fail: the counter stops.
#[derive(Message)]
#[rtype(result = "()")]
struct Crash;

/// How often the counter has been restarted.
#[derive(Message)]
#[rtype(result = "u32")]
struct Restarts;

#[derive(Default)]
struct Counter {
    total: u64,
    /// Kept across restarts: the Supervisor keeps this value, so only what
    /// `restarting` resets starts afresh.
    restarts: u32,
}

impl Actor for Counter {
    type Context = Context<Self>;

    fn started(&mut self, _ctx: &mut Context<Self>) {
        println!("counter: started, total {}", self.total);
    }
}

impl Supervised for Counter {
    /// Erlang would start a fresh process; here the fresh state is made by hand.
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.restarts += 1;
        self.total = 0;
        println!("supervisor: restarting the counter");
    }
}

impl Handler<Add> for Counter {
    type Result = u64;

    fn handle(&mut self, Add(n): Add, _ctx: &mut Context<Self>) -> u64 {
        self.total += n;
        println!("counter: add {n}, total {}", self.total);
        self.total
    }
}

impl Handler<Crash> for Counter {
    type Result = ();

    fn handle(&mut self, _: Crash, ctx: &mut Context<Self>) {
        println!("counter: crashing with total {}", self.total);
        ctx.stop();
    }
}

impl Handler<Restarts> for Counter {
    type Result = u32;

    fn handle(&mut self, _: Restarts, _ctx: &mut Context<Self>) -> u32 {
        self.restarts
    }
}

fn main() {
    let summary = System::new().block_on(async {
        let counter = Supervisor::start(|_| Counter::default());
        let reply = "the supervised counter answers";
        counter.send(Add(1)).await.expect(reply);
        let before = counter.send(Add(2)).await.expect(reply);
        counter.send(Crash).await.expect(reply);
        // The same address: the mailbox outlived the crash.
        let after = counter.send(Add(5)).await.expect(reply);
        let restarts = counter.send(Restarts).await.expect(reply);
        format!(
            "restarts: {restarts}; total {before} before the crash, {after} after it, \
             through the same address"
        )
    });
    // The last line is what `tests/examples.rs` checks: the same on every run.
    println!("{summary}");
}
