//! The `Model` trait: the one interface every concurrency model implements.
//!
//! A model is a way of organising concurrent work (callbacks, stackless futures,
//! stackful coroutines, CSP processes, actors, plain threads). Each model crate
//! implements this trait once, with one method per workload, and registers the
//! value in the root crate's registry. The harness never looks inside: it builds a
//! spec, calls the method, and verifies the outcome against the spec.
//!
//! Each call builds and tears down its own runtime (thread pool, event loop, actor
//! system), so one call is one complete, fair run, and nothing it started outlives it.

use std::fmt;

use crate::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec,
};

/// The family a model belongs to; models are grouped by it in listings and docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Family {
    /// No concurrency, or one OS thread per task: the yardsticks.
    Baseline,
    /// A single-threaded event loop that calls registered functions when I/O is ready.
    Callbacks,
    /// `async`/`await`: state machines polled by an executor.
    Stackless,
    /// Coroutines with their own stacks, switched by a user-space scheduler.
    Stackful,
    /// Communicating sequential processes: share nothing, talk over channels.
    Csp,
    /// Actors: private state behind a mailbox, one message at a time.
    Actors,
}

impl Family {
    /// Every family, in the order the docs present them.
    pub const ALL: [Family; 6] = [
        Family::Baseline,
        Family::Callbacks,
        Family::Stackless,
        Family::Stackful,
        Family::Csp,
        Family::Actors,
    ];

    /// The family's name, as listings and reports show it.
    pub fn name(self) -> &'static str {
        match self {
            Family::Baseline => "baseline",
            Family::Callbacks => "callbacks",
            Family::Stackless => "stackless",
            Family::Stackful => "stackful",
            Family::Csp => "csp",
            Family::Actors => "actors",
        }
    }
}

/// A family by its name (`csp`), as `new-model --family` takes it.
impl std::str::FromStr for Family {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Family::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
                format!("unknown family '{s}'; families: {}", names.join(", "))
            })
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` so that `{:<10}` lines listings up.
        f.pad(self.name())
    }
}

/// Why a model could not produce an outcome.
///
/// A wrong outcome is not a `ModelError`: the model returns what it computed, and
/// the harness's verification says what differs. Failed requests in a crawl are not
/// a `ModelError` either: they are per-path results inside the `CrawlOutcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// The model cannot run this cell honestly on this machine (a million OS threads,
    /// more coroutine stacks than `vm.max_map_count` allows). The reason names the
    /// limit and, where there is one, how to raise it.
    Unsupported { reason: String },
    /// The run itself broke: a runtime failed to start, a thread panicked.
    Failed { reason: String },
}

impl ModelError {
    /// Shorthand for [`ModelError::Unsupported`].
    pub fn unsupported(reason: impl Into<String>) -> Self {
        Self::Unsupported {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`ModelError::Failed`].
    pub fn failed(reason: impl Into<String>) -> Self {
        Self::Failed {
            reason: reason.into(),
        }
    }

    /// True for an honest "this model cannot do this here".
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported { .. })
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported { reason } => write!(f, "unsupported: {reason}"),
            Self::Failed { reason } => write!(f, "failed: {reason}"),
        }
    }
}

impl std::error::Error for ModelError {}

/// One concurrency model, able to run all eight workloads.
///
/// Implementations are unit structs (or hold only configuration), so a registry can
/// keep them as `&'static dyn Model`.
pub trait Model: Sync {
    /// The name users type: `tokio`, `threads`, `actix`.
    fn name(&self) -> &'static str;

    /// The family the model belongs to.
    fn family(&self) -> Family;

    /// One line saying what the model is, for `list`.
    fn summary(&self) -> &'static str;

    /// Whether the model does more than one thing at a time. Every model is, but
    /// the `sequential` yardstick, which says no: the conformance suite still runs
    /// its concurrency cases (a crawl with `concurrency` requests in flight at
    /// the server, spawn with all `n` tasks alive at once) and fails them with a
    /// message that says the model declared itself not concurrent, so a one-at-a-time
    /// "model" can never pass as a concurrent one.
    fn concurrent(&self) -> bool {
        true
    }

    /// The workloads in which the model has worker threads that `--threads` sets.
    /// Models without them (single-threaded loops, one-thread-per-task) answer
    /// none, and the CLI rejects `--threads` for them instead of silently ignoring
    /// it; a model that uses them in some workloads only names those, and the
    /// reports show the OS threads each cell really ran on.
    fn threads_in(&self, workload: crate::spec::Workload) -> bool {
        let _ = workload;
        false
    }

    /// True for a model whose worker threads are set once per process (may reads
    /// its configuration when its scheduler first starts, and it cannot be
    /// stopped). `compare` runs every cell in a fresh process, so `--threads` still
    /// holds there; the conformance suite, which runs in one process, then leaves
    /// the check that the count changes the threads to the model's own test, which
    /// must start a process per count.
    fn threads_fixed_per_process(&self) -> bool {
        false
    }

    /// Whether `--threads` means something in any workload of this model.
    fn uses_threads(&self) -> bool {
        crate::spec::Workload::ALL
            .into_iter()
            .any(|w| self.threads_in(w))
    }

    /// The primitive the model does `workload`'s hand-overs with, as reports name
    /// it beside every row: `tokio::sync::mpsc (unbounded)`, `actix do_send`,
    /// `std Mutex+Condvar slot`. For crawl, the socket and wait it uses; for spawn,
    /// the sleep. A reader sees what was compared.
    fn primitive(&self, workload: crate::spec::Workload) -> &'static str;

    /// GET every path in `spec.paths`, at most `spec.concurrency` in flight.
    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError>;

    /// Two tasks pass a counter back and forth `spec.rounds` times.
    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError>;

    /// `spec.tasks` tasks in a ring pass a token `spec.hops` times.
    fn ring(&self, spec: &RingSpec) -> Result<RingOutcome, ModelError>;

    /// Spawn `spec.n` tasks that each sleep `spec.sleep_ms` and report; join them all.
    fn spawn(&self, spec: &SpawnSpec) -> Result<Counted, ModelError>;

    /// A producer feeds `spec.items` items to `spec.workers` workers; a collector sums.
    fn fanout(&self, spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError>;

    /// Serve the page protocol on `spec`'s listener until `spec.stop` fires.
    fn server(&self, spec: &ServerSpec) -> Result<ServerOutcome, ModelError>;

    /// A ticker sleeps `spec.ticks` times among `spec.hogs` CPU hogs.
    fn fairness(&self, spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError>;

    /// Start a slow request per path; after `spec.after`, cancel them all.
    fn cancel(&self, spec: &CancelSpec) -> Result<CancelOutcome, ModelError>;
}

impl fmt::Debug for dyn Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("name", &self.name())
            .field("family", &self.family())
            .finish()
    }
}

/// The message a panic carried (`panic!("...")` gives a `&str` or a `String`), for
/// turning a caught panic into a [`ModelError::Failed`] that says what happened.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
