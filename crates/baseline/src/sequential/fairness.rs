//! fairness, sequentially: one thread does one thing at a time, so a ticker and a
//! hog cannot run together, and there is no scheduling to be fair or unfair with.
//!
//! Run one after the other, the ticker would tick on time before the first hog
//! (or after the last) and never beside one, and a verification that the two
//! overlapped would be all that stopped it passing for perfectly fair. So with
//! hogs the honest answer is `unsupported`, given before anything runs. The cure
//! is what the other models are: a second thing running, either preempted by the
//! kernel (`threads`: the ticker's thread is woken whatever the hogs do) or
//! cooperative (tokio, may, callbacks, actors: the ticker runs only when a hog
//! yields, which `--yield-every` controls). With `--hogs 0` the ticker runs alone,
//! and its lateness is the floor of `std::thread::sleep` on this machine.

use std::thread;
use std::time::Instant;

use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, lateness_ns};

// ## ticker

/// The ticker, on the calling thread: `ticks` sleeps of `tick`, each one's
/// lateness recorded.
fn ticker(spec: &FairnessSpec) -> (Instant, Vec<u64>) {
    let mut lateness = Vec::with_capacity(usize::try_from(spec.ticks).unwrap_or(0));
    let started = Instant::now();
    for _ in 0..spec.ticks {
        let asked = Instant::now();
        thread::sleep(spec.tick);
        lateness.push(lateness_ns(asked, spec.tick));
    }
    (started, lateness)
}

// ## hog

// None: a hog here would run its chunks to the end on the one thread, and its
// yields would hand the thread to nobody (there is no scheduler to yield to).

// ## run

pub(crate) fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
    if spec.hogs > 0 {
        return Err(ModelError::unsupported(format!(
            "one thread runs one thing at a time, so the ticker cannot run while a hog \
             runs: each of the {} hogs would hold the thread to its end, and a tick \
             behind it waits the whole hog; fairness needs a second thing running, \
             preempted (threads) or cooperative (the async, green-thread and actor \
             models, which tick when a hog yields)",
            spec.hogs
        )));
    }
    // No runtime to build: the work starts with the first tick.
    spec.probe.begin();
    let (ticker_started, lateness_ns) = ticker(spec);
    spec.probe.end();
    Ok(FairnessOutcome {
        ticker_started,
        lateness_ns,
        hogs: Vec::new(),
    })
}
