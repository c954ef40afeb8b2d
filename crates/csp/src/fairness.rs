//! fairness in CSP: a ticker process asleep on a timer channel, and a process per
//! hog; each reports on a channel of its own kind, and the run's thread collects.
//!
//! The ticker's sleep is `after(tick).recv()`, Go's `<-time.After(tick)`, made
//! afresh for each tick so that each wake-up's lateness counts from just before
//! its own sleep (a `tick(d)` channel keeps its own schedule, so a wait on it is
//! not a sleep of `tick` from now, which is what the ticker must measure). A
//! blocking `recv` on an `after` channel is a `thread::sleep` to its deadline
//! inside crossbeam, so the wake-up is the kernel's timer, as in the `threads`
//! baseline. Go would start a goroutine per hog, and its runtime would preempt a hog
//! that never yields (since Go 1.14, by signal); here the processes are OS threads,
//! so it is the kernel that preempts them: a hog loses its core when its time
//! slice ends, and the ticker, woken by the timer, is late only by the kernel's
//! wake-up latency, plus a slice when every core is busy with a hog. A hog's
//! yield between chunks is `std::thread::yield_now` (`sched_yield` on Linux, and
//! Go's `runtime.Gosched` in spirit): with a core free it changes nothing, which
//! is what the comparison with the cooperative models shows. Inside a chunk a hog
//! touches no channel, so the only place it could give way is the yield.
//!
//! "Ticker first" is a message: the ticker sends the moment its first sleep
//! begins on `started`, and the run starts the hogs only once that has arrived,
//! so the ticker is running before any hog could finish, however busy the machine.
//! Every process reports once, and "all done" is the report channels closing.
//!
//! The cost is the thread baseline's: a kernel thread and stack per process, a
//! kernel transition per sleep and per yield. `--threads` sizes nothing here: the
//! kernel's scheduler spreads the processes over every core.

use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, after, unbounded};
use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, HogResult, lateness_ns};

use crate::process::{self, check_budget, go, spawn_failed};

// ## ticker

/// The ticker process: says when its first sleep begins, then sleeps `ticks`
/// times on a timer channel and sends the latenesses, in order, when done.
fn ticker(spec: &FairnessSpec, started: &Sender<Instant>, report: &Sender<Vec<u64>>) {
    let mut lateness = Vec::with_capacity(usize::try_from(spec.ticks).unwrap_or(0));
    // The run is waiting for this before it starts a hog; it lives until the
    // scope ends, so the send cannot fail.
    let _ = started.send(Instant::now());
    for _ in 0..spec.ticks {
        let asked = Instant::now();
        // An `after` channel cannot close before it delivers.
        let _ = after(spec.tick).recv();
        lateness.push(lateness_ns(asked, spec.tick));
    }
    let _ = report.send(lateness);
}

// ## hog

/// Hog `h`'s process: its chunks back to back, with a `yield_now` between two
/// and nothing else that could give up the core; then its one report.
fn hog(spec: &FairnessSpec, h: usize, report: &Sender<HogResult>) {
    let mut r = HogResult::start(h);
    for (i, chunk) in spec.hog_chunks(h).enumerate() {
        if i > 0 {
            std::thread::yield_now();
            r.yields += 1;
        }
        r.run_chunk(chunk);
    }
    // The collector lives until the scope ends.
    let _ = report.send(r);
}

// ## run

pub(crate) fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
    // The ticker and a process per hog; `--threads` has nothing to size here.
    let wanted = spec.hogs + 1;
    check_budget(wanted)?;
    // No runtime to start: a process is an OS thread.
    spec.probe.begin();
    // Unbounded, so no process waits on the collector.
    let (send_started, started) = unbounded();
    let (send_ticks, ticks) = unbounded();
    let (send_hog, hogs) = unbounded();
    process::scope(|s| {
        go(s, "ticker", move || {
            ticker(spec, &send_started, &send_ticks)
        })
        .map_err(|e| spawn_failed(0, wanted, &e))?;
        // Closed without a message only if the ticker died before its first sleep.
        let ticker_started = started
            .recv()
            .map_err(|_| ModelError::failed("the ticker ended before its first sleep"))?;
        for h in 0..spec.hogs {
            let report = send_hog.clone();
            go(s, "hog", move || hog(spec, h, &report))
                // Returning lets the scope join the ticker and the hogs started.
                .map_err(|e| spawn_failed(h + 1, wanted, &e))?;
        }
        // Now only the hogs hold senders: the channel closes after the last one.
        drop(send_hog);
        collect(spec, ticker_started, &ticks, &hogs)
    })
}

// CSP: nothing is joined here; each process's result is a message, and the scope
// in `run` joins the threads after the answer is known.
/// The collector, on the run's own thread: every hog's report until the channel
/// closes, then the ticker's.
fn collect(
    spec: &FairnessSpec,
    ticker_started: Instant,
    ticks: &Receiver<Vec<u64>>,
    hogs: &Receiver<HogResult>,
) -> Result<FairnessOutcome, ModelError> {
    let mut reports: Vec<HogResult> = hogs.iter().collect();
    // Closed without a message only if the ticker panicked; the scope says so.
    let lateness_ns = ticks.recv().unwrap_or_default();
    // The answer is known; what is left is the threads' exit and join.
    spec.probe.end();
    reports.sort_unstable_by_key(|r| r.hog);
    Ok(FairnessOutcome {
        ticker_started,
        lateness_ns,
        hogs: reports,
    })
}
