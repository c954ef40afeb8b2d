//! What the crawl's fetchers rely on: an actix `Supervisor` restarts the *same*
//! actor value (it calls `Supervised::restarting` on it, then `started`), on the
//! same mailbox, so addresses stay good and messages queued behind the one that
//! crashed are still handled. Erlang's supervisors start a new process instead;
//! `docs/models/actors.md` says which actix does, and this test holds it to that.

use actix::prelude::*;

/// Stops the actor, as a fetcher does after catching a panic.
#[derive(Message)]
#[rtype(result = "()")]
struct Crash;

/// Asks for the actor's own record of its life: (handled, restarts, starts).
#[derive(Message)]
#[rtype(result = "(u32, u32, u32)")]
struct Report;

#[derive(Default)]
struct Counter {
    handled: u32,
    restarts: u32,
    starts: u32,
}

impl Actor for Counter {
    type Context = Context<Self>;

    fn started(&mut self, _: &mut Context<Self>) {
        self.starts += 1;
    }
}

impl Supervised for Counter {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.restarts += 1;
    }
}

impl Handler<Crash> for Counter {
    type Result = ();

    fn handle(&mut self, _: Crash, ctx: &mut Context<Self>) {
        self.handled += 1;
        ctx.stop();
    }
}

impl Handler<Report> for Counter {
    // A tuple is not a `MessageResponse` of its own; `MessageResult` wraps it.
    type Result = MessageResult<Report>;

    fn handle(&mut self, _: Report, _: &mut Context<Self>) -> Self::Result {
        self.handled += 1;
        MessageResult((self.handled, self.restarts, self.starts))
    }
}

#[test]
fn a_supervisor_restarts_the_same_actor_on_the_same_mailbox() {
    let system = System::new();
    let report = system.block_on(async {
        let addr = Supervisor::start(|_| Counter::default());
        // Both crashes are queued before the actor first runs: the second must
        // survive the first restart in the mailbox.
        addr.do_send(Crash);
        addr.do_send(Crash);
        addr.send(Report).await
    });
    // State kept across both restarts (a new actor would report (1, 0, 1)):
    // two crashes and this report handled, `restarting` twice, `started` three times.
    assert_eq!(report, Ok((3, 2, 3)));
}
