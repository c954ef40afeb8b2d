//! The two yardsticks every other model is measured against.
//!
//! 1. [`Sequential`] (`sequential`): one thread, one thing at a time. The seeds'
//!    starting point: a crawler that fetches ten one-second pages takes ten seconds,
//!    because every `recv` blocks the only thread there is.
//! 2. [`Threads`] (`threads`): one OS thread per task, coordinated through shared
//!    state, locks and join handles, with nothing beyond `std`. The seeds' first
//!    answer to blocking, and the cost of that answer: a kernel thread, a stack and
//!    a context switch per task.
//!
//! Neither model takes `--threads` (`threads_in` is false for every workload):
//! `sequential` runs on the calling thread only, and `threads` starts one thread
//! per task, so the workload's own size (crawl's `concurrency`, ring's `tasks`,
//! spawn's `n`, fanout's `workers`) sets how many threads there are, never a pool
//! size. Neither has a runtime to build either, so both mark the probe's measured
//! phase from the start of the work to the moment the answer is known.
//!
//! Each model lives in its own folder with one file per workload, the same file
//! names as every other model crate, so any two read side by side.
#![forbid(unsafe_code)]

mod sequential;
mod threads;

pub use sequential::Sequential;
pub use threads::Threads;
