//! spawn in CSP: one process per task; each waits on a timer channel and reports on
//! a shared report channel; the run counts reports until the channel closes.
//!
//! The sleep is `after(sleep).recv()`: crossbeam's `after` is a channel that
//! delivers one message at the deadline, the same value Go's `time.After` gives, so
//! a process that also had to watch for cancellation would put it in a `select!`
//! beside another channel. Counting is receiving: the report channel closes when
//! the last process has dropped its sender, which is this model's `WaitGroup`.
//!
//! All `n` threads are alive at once, so this is where OS threads meet the
//! machine's limits: the run checks them first and answers `unsupported` above
//! them, and if the kernel still refuses a thread midway, the ones already started
//! finish their sleep and the answer says how many got going.

use crossbeam_channel::{after, bounded};
use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};

use crate::process::{self, check_budget, go, spawn_failed};

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    check_budget(spec.n)?;
    // Room for every report, so no process waits on the counter to send.
    let (report, reports) = bounded::<()>(spec.n);
    let sleep = spec.sleep;
    process::scope(|s| {
        for started in 0..spec.n {
            let report = report.clone();
            go(s, "spawn", move || {
                // An `after` channel cannot close before it delivers.
                let _ = after(sleep).recv();
                // The counter lives until the scope ends.
                let _ = report.send(());
            })
            .map_err(|e| spawn_failed(started, spec.n, &e))?;
        }
        drop(report);
        Ok(Counted {
            count: reports.iter().count() as u64,
        })
    })
}
