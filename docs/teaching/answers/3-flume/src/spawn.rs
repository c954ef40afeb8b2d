//! spawn in `flume`: one process (an OS thread) per task; each sleeps in the kernel
//! and reports with one message on a shared flume channel.
//!
//! The collector counts the reports until the channel closes, which it does when
//! the last task has dropped its sender: "everyone is done" is a closed channel, no
//! join handle needed. All `n` are alive at once, so this is where OS threads meet
//! the machine's limits; the run checks them first and answers `unsupported` above
//! them.

use std::thread;
use std::time::Duration;

use flume::{Receiver, Sender};
use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};

use crate::process;

// ## task

/// One task's life, on its own thread: alive, asleep, then one report.
fn task(probe: &Probe, sleep: Duration, report: &Sender<()>) {
    let _alive = probe.enter();
    thread::sleep(sleep);
    // The collector only stops reading once every sender is gone, so this lands.
    let _ = report.send(());
}

// ## run

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    process::check_budget(spec.n, "spawn")?;
    let (report, reports) = flume::unbounded();
    process::scope(move |s| {
        spec.probe.begin();
        for started in 0..spec.n {
            let report = report.clone();
            process::go(s, "spawn", move || task(&spec.probe, spec.sleep, &report))
                .map_err(|e| process::refused(started, spec.n, &e))?;
        }
        // Only the tasks hold senders now: the channel closes with the last one.
        drop(report);
        Ok(collect(spec, &reports))
    })
}

// ## collect

/// Counts the reports until the last task has hung up.
fn collect(spec: &SpawnSpec, reports: &Receiver<()>) -> Counted {
    let count = reports.iter().count() as u64;
    spec.probe.end();
    Counted { count }
}
