//! fairness with threads: the ticker on an OS thread of its own, asleep in
//! `std::thread::sleep`, and one OS thread per hog; the kernel's scheduler shares
//! the cores among them.
//!
//! This is preemptive scheduling, the contrast every cooperative model in this
//! project is measured against: a hog that never yields still loses its core when
//! its time slice ends, and a thread whose sleep has ended is woken by the timer
//! whatever the hogs are doing. Yielding between chunks is
//! `std::thread::yield_now` (`sched_yield` on Linux): the hog offers its core to
//! another runnable thread, and changes little, since the kernel takes the core
//! when it wants it anyway. Measured on a shared 2-core machine (`run --workload
//! fairness --model threads`, 3 runs each of `--hogs` 0, 1, 2, 4, 8 with
//! `--yield-every` 0 and 1000): the median tick was 61-128 µs late with any
//! number of hogs, as with none (71-90 µs: `thread::sleep`'s own floor, 50 µs of
//! it the kernel's default timer slack, `/proc/self/timerslack_ns`), and the
//! worst tick 0.1-12.6 ms, a tail the machine's noise gives even without hogs (up
//! to 4.0 ms). The cost is the usual one: a
//! kernel thread and stack per task, a kernel transition per sleep and per yield.
//!
//! The ticker starts first and the hogs only once it is about to sleep (a
//! `Barrier`), so the ticker is running before any hog can finish, however busy
//! the machine.

use std::sync::Barrier;
use std::thread;
use std::time::Instant;

use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, HogResult, lateness_ns};

use super::{builder, check_thread_budget, join, spawn_failed};

// ## ticker

/// The ticker, on its own thread: `ticks` sleeps of `tick`, each one's lateness
/// recorded. Returns when its first sleep began, and the latenesses in order.
fn ticker(spec: &FairnessSpec, running: &Barrier) -> (Instant, Vec<u64>) {
    let mut lateness = Vec::with_capacity(usize::try_from(spec.ticks).unwrap_or(0));
    running.wait();
    let started = Instant::now();
    for _ in 0..spec.ticks {
        let asked = Instant::now();
        thread::sleep(spec.tick);
        lateness.push(lateness_ns(asked, spec.tick));
    }
    (started, lateness)
}

// ## hog

/// Hog `h`, on its own thread: its chunks back to back, with a `yield_now`
/// between two (and nothing else that could give up the core).
fn hog(spec: &FairnessSpec, h: usize) -> HogResult {
    let mut r = HogResult::start(h);
    for (i, chunk) in spec.hog_chunks(h).enumerate() {
        if i > 0 {
            thread::yield_now();
            r.yields += 1;
        }
        r.run_chunk(chunk);
    }
    r
}

// ## run

pub(crate) fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
    // The ticker and one thread per hog; `--threads` has nothing to size here.
    let wanted = spec.hogs + 1;
    check_thread_budget(wanted)?;
    // No runtime to build: the work starts with the ticker's thread.
    spec.probe.begin();
    let running = Barrier::new(2);
    let outcome = thread::scope(|s| {
        let ticking = builder("ticker")
            .spawn_scoped(s, || ticker(spec, &running))
            .map_err(|e| spawn_failed(0, wanted, &e))?;
        running.wait();
        let mut hogs = Vec::with_capacity(spec.hogs);
        for h in 0..spec.hogs {
            // On a refusal the scope joins the ticker and the hogs already started.
            let started = builder("hog").spawn_scoped(s, move || hog(spec, h));
            hogs.push(started.map_err(|e| spawn_failed(h + 1, wanted, &e))?);
        }
        let hogs = hogs.into_iter().map(join).collect::<Result<Vec<_>, _>>()?;
        let (ticker_started, lateness_ns) = join(ticking)?;
        Ok(FairnessOutcome {
            ticker_started,
            lateness_ns,
            hogs,
        })
    });
    spec.probe.end();
    outcome
}
