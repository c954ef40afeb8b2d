//! The actix fairness run, small, and what its header claims about yielding in
//! actix: a message an actor sends itself is handled in the same poll of its
//! context, so it lets nothing else on the Arbiter run; a future that is pending
//! once (`ctx.wait` on `yield_now`) does.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use actix::prelude::*;
use harness::Model;
use harness::spec::FairnessSpec;

#[test]
fn hogs_and_ticker_verify_with_and_without_yields() {
    for (threads, yield_every) in [(1, 0), (1, 500), (3, 700)] {
        let mut spec = FairnessSpec::new(Duration::from_millis(1), 2, 1, yield_every);
        spec.threads = threads;
        let outcome = cm_actors::Actix.fairness(&spec).expect("the run");
        spec.verify(&outcome)
            .expect("sums, yields, ticks and overlap");
        assert!(spec.probe.phases().is_some(), "the run marked its phase");
    }
}

/// Steps `left` times, each time noting whether the other task has run yet.
struct Stepper {
    left: u32,
    yield_between: bool,
    other_ran: Rc<Cell<bool>>,
    seen: Vec<bool>,
    done: Option<tokio::sync::oneshot::Sender<Vec<bool>>>,
}

#[derive(Message)]
#[rtype(result = "()")]
struct Step;

impl Actor for Stepper {
    type Context = Context<Self>;
}

impl Handler<Step> for Stepper {
    type Result = ();

    fn handle(&mut self, _: Step, ctx: &mut Context<Self>) {
        self.seen.push(self.other_ran.get());
        self.left -= 1;
        if self.left == 0 {
            let _ = self
                .done
                .take()
                .unwrap()
                .send(std::mem::take(&mut self.seen));
            ctx.stop();
            return;
        }
        if self.yield_between {
            ctx.wait(tokio::task::yield_now().into_actor(self));
        }
        ctx.notify(Step);
    }
}

/// What the stepper saw at each step, with another task ready on its Arbiter.
fn steps(yield_between: bool) -> Vec<bool> {
    System::new().block_on(async move {
        let other_ran = Rc::new(Cell::new(false));
        let (done, seen) = tokio::sync::oneshot::channel();
        let stepper = Stepper {
            left: 50,
            yield_between,
            other_ran: Rc::clone(&other_ran),
            seen: Vec::new(),
            done: Some(done),
        }
        .start();
        stepper.do_send(Step);
        // Ready as soon as it is polled: it runs the first time the thread is free.
        actix::spawn(async move { other_ran.set(true) });
        seen.await.unwrap()
    })
}

#[test]
fn a_message_to_self_is_not_a_yield_but_a_pending_future_is() {
    let notified = steps(false);
    assert!(
        notified.iter().all(|ran| !ran),
        "the other task ran between two notified steps: {notified:?}"
    );
    let yielded = steps(true);
    assert!(
        yielded.last() == Some(&true),
        "the other task never ran: {yielded:?}"
    );
}
