//! The one thing `tokio` and `tokio-current` do differently: the runtime that drives
//! the workload. Every workload file hands its measured future to [`run`].
//!
//! [`run`] builds a fresh runtime of the chosen [`Flavor`], marks the probe's
//! `begin`, spawns the future as a task, blocks the calling thread until that task
//! finishes, marks `end`, and drops the runtime, which stops and joins its worker
//! threads before returning. So the measured phase holds the workload and nothing
//! else (the worker threads already exist at `begin`; building them, and joining
//! them, is start-up), one `Model` call is one complete run, and nothing it started
//! outlives it.
//!
//! Why spawn instead of `block_on(future)` directly: on the multi-thread runtime the
//! future given to `block_on` is polled by the *calling* thread, which is not one of
//! the workers. Tasks it talks to run on the workers, so every message it sends or
//! receives would wake a thread on the other side of a futex. Spawned, the measured
//! future is an ordinary task on a worker, and the tasks it wakes land in that
//! worker's own run queue. (That does not keep a two-task exchange on one worker:
//! see `pingpong.rs`.)

use std::future::Future;

use harness::{ModelError, Probe};
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinError;

/// Which tokio scheduler runs the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// The work-stealing scheduler: this many worker threads, each with its own run
    /// queue, stealing from each other when idle.
    MultiThread { workers: usize },
    /// One thread, the caller's: every task, timer and socket is driven from
    /// inside `block_on`, and nothing is ever sent between threads.
    CurrentThread,
}

impl Flavor {
    fn build(self) -> std::io::Result<Runtime> {
        let mut builder = match self {
            Flavor::MultiThread { workers } => {
                let mut b = Builder::new_multi_thread();
                b.worker_threads(workers.max(1)).thread_name("tokio-worker");
                b
            }
            Flavor::CurrentThread => Builder::new_current_thread(),
        };
        // The I/O driver for crawl's sockets, the timer for sleeps and timeouts.
        builder.enable_all().build()
    }
}

/// Runs `work` as a task on a fresh runtime of `flavor`, between `probe`'s two
/// marks, and returns its output once the runtime, and every thread it started,
/// has shut down.
pub(crate) fn run<F, T>(flavor: Flavor, probe: &Probe, work: F) -> Result<T, ModelError>
where
    F: Future<Output = Result<T, ModelError>> + Send + 'static,
    T: Send + 'static,
{
    let rt = flavor
        .build()
        .map_err(|e| ModelError::failed(format!("could not start the tokio runtime: {e}")))?;
    // The runtime is up (its worker threads exist: `build` starts them); no task
    // of the workload exists yet.
    probe.begin();
    let task = rt.spawn(work);
    let out = rt.block_on(task);
    // Every workload joins all its tasks before its future returns: the answer is
    // known, and what follows is teardown.
    probe.end();
    // Dropping the runtime cancels any task still alive and joins the worker and
    // blocking-pool threads; the workloads end all their tasks before returning,
    // so this only waits for the threads to exit.
    drop(rt);
    out.map_err(joined)?
}

/// A task that did not return: it panicked (the only way, since nothing here
/// aborts tasks), which ends the run as `Failed`.
pub(crate) fn joined(err: JoinError) -> ModelError {
    if err.is_panic() {
        let msg = harness::panic_message(&*err.into_panic());
        ModelError::failed(format!("a task panicked: {msg}"))
    } else {
        ModelError::failed(format!("a task was cancelled: {err}"))
    }
}
