//! The one thing `tokio` and `tokio-current` do differently: the runtime that drives
//! the workload. Every workload file starts one with [`start`] and hands its
//! measured future to [`Runtime::run`], between the probe's two marks:
//!
//! ```text
//! let rt = runtime::start(flavor)?; // the worker threads exist: start-up
//! spec.probe.begin();
//! let out = rt.run(async move { ... }); // the workload, as a spawned task
//! spec.probe.end();
//! out                                   // `rt` drops here: its threads are joined
//! ```
//!
//! So the measured phase holds the workload and nothing else (building the worker
//! threads, and joining them when the [`Runtime`] drops at the end of the workload's
//! `run`, is start-up and teardown), one `Model` call is one complete run, and
//! nothing it started outlives it.
//!
//! Why spawn instead of `block_on(future)` directly: on the multi-thread runtime the
//! future given to `block_on` is polled by the *calling* thread, which is not one of
//! the workers. Tasks it talks to run on the workers, so every message it sends or
//! receives would wake a thread on the other side of a futex. Spawned, the measured
//! future is an ordinary task on a worker, and the tasks it wakes land in that
//! worker's own run queue. (That does not keep a two-task exchange on one worker:
//! see `pingpong.rs`.)

use std::future::Future;

use harness::ModelError;
use tokio::runtime::Builder;
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

/// A started tokio runtime. Dropping it cancels any task still alive and joins the
/// worker and blocking-pool threads; the workloads end all their tasks before
/// their future returns, so the drop only waits for the threads to exit.
pub(crate) struct Runtime(tokio::runtime::Runtime);

/// Builds a runtime of `flavor`, with its I/O driver (the crawl's sockets) and its
/// timer (sleeps and timeouts). `build` starts the worker threads.
pub(crate) fn start(flavor: Flavor) -> Result<Runtime, ModelError> {
    let mut builder = match flavor {
        Flavor::MultiThread { workers } => {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(workers.max(1)).thread_name("tokio-worker");
            b
        }
        Flavor::CurrentThread => Builder::new_current_thread(),
    };
    builder
        .enable_all()
        .build()
        .map(Runtime)
        .map_err(|e| ModelError::failed(format!("could not start the tokio runtime: {e}")))
}

impl Runtime {
    /// Runs `work` as a task on this runtime and blocks the calling thread until it
    /// has finished: every workload joins all its tasks before its future returns,
    /// so when this returns the answer is known.
    pub(crate) fn run<F, T>(&self, work: F) -> Result<T, ModelError>
    where
        F: Future<Output = Result<T, ModelError>> + Send + 'static,
        T: Send + 'static,
    {
        let task = self.0.spawn(work);
        self.0.block_on(task).map_err(joined)?
    }
}

/// A task that did not return: it panicked, which ends the run as `Failed`. (The
/// one workload that aborts tasks, the cancel, tells a cancelled join apart
/// itself and hands only the panics here.)
pub(crate) fn joined(err: JoinError) -> ModelError {
    if err.is_panic() {
        let msg = harness::panic_message(&*err.into_panic());
        ModelError::failed(format!("a task panicked: {msg}"))
    } else {
        ModelError::failed(format!("a task was cancelled: {err}"))
    }
}
