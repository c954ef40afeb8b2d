//! ring in `flume`: `tasks` processes, each reading its own flume channel and
//! writing the next one's; the token is a message carrying the hops still to go.
//!
//! The process that receives the token at 0 holds it: it reports its id on a
//! channel of its own and sends a `Stop` round the ring, which every other process
//! forwards once before it ends. Every channel is `flume::unbounded`; each hop is a
//! send and, since the next process is asleep in `recv`, a thread wake-up.

use flume::{Receiver, Sender};
use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::process;

// ## message

/// What travels round the ring.
enum Msg {
    /// The token, with the hops still to go.
    Token(u64),
    /// The run is over: forward it once and end.
    Stop,
}

// ## task

/// One process of the ring, number `id`: passes the token on, one hop fewer, until
/// it arrives here at 0; then reports `id` on `holder` and sends the stop round.
fn task(id: usize, inbox: &Receiver<Msg>, next: &Sender<Msg>, holder: &Sender<usize>) {
    loop {
        match inbox.recv() {
            Ok(Msg::Token(0)) => {
                let _ = holder.send(id);
                // Wait for the stop to come back: then every other process has
                // forwarded it and is ending.
                if next.send(Msg::Stop).is_ok() {
                    let _ = inbox.recv();
                }
                return;
            }
            Ok(Msg::Token(left)) => {
                if next.send(Msg::Token(left - 1)).is_err() {
                    return;
                }
            }
            // A stop, or a ring that came apart (every sender to this inbox gone,
            // as after a refused thread): pass it on and end.
            Ok(Msg::Stop) | Err(_) => {
                let _ = next.send(Msg::Stop);
                return;
            }
        }
    }
}

// ## run

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    process::check_budget(spec.tasks, "a ring of this size")?;
    let (mut nexts, inboxes): (Vec<Sender<Msg>>, Vec<Receiver<Msg>>) =
        (0..spec.tasks).map(|_| flume::unbounded()).unzip();
    // The run's own way in, to put the token in at process 1.
    let start = nexts[0].clone();
    // Process i writes to inbox i + 1, and the last one to the first.
    nexts.rotate_left(1);
    let (holder, holders) = flume::unbounded();
    process::scope(move |s| {
        spec.probe.begin();
        for (id, (inbox, next)) in (1..).zip(inboxes.into_iter().zip(nexts)) {
            let holder = holder.clone();
            let started = process::go(s, "ring", move || task(id, &inbox, &next, &holder));
            if let Err(e) = started {
                // Dropping `start` (and the processes not started) closes the ring:
                // the processes already running see it and end.
                drop(start);
                return Err(process::refused(id - 1, spec.tasks, &e));
            }
        }
        drop(holder);
        start
            .send(Msg::Token(spec.hops))
            .map_err(|_| ModelError::failed("the ring ended before the token went in"))?;
        drop(start);
        collect(spec, &holders)
    })
}

// ## collect

/// The holder's id, from the one message the holder sends.
fn collect(spec: &RingSpec, holders: &Receiver<usize>) -> Result<RingOutcome, ModelError> {
    let holder = holders
        .recv()
        .map_err(|_| ModelError::failed("every process ended and none held the token"))?;
    spec.probe.end();
    // The scope around the caller joins every process once the stop has gone round.
    Ok(RingOutcome { holder })
}
