//! The shared harness every concurrency model stands on.
//!
//! A model crate depends on this crate for what it must compute ([`spec`]), the
//! HTTP pieces it shares with the others ([`http`]), and the trait it implements
//! ([`Model`]). The root crate's CLI uses the rest to measure models against each
//! other, and each model crate's test is one call to [`conformance::check`].
//!
//! Contents, in the order a reader meets them:
//!
//! 1. [`model`]: the [`Model`] trait, [`Family`] and [`ModelError`].
//! 2. [`spec`]: the five workloads' specs, outcomes and verification.
//! 3. [`probe`]: what a model marks inside its run (measured phase, tasks alive).
//! 4. [`params`]: the command-line parameters, their defaults and bounds.
//! 5. [`pages`]: what the delay server serves, and so what a client must receive.
//! 6. [`http`]: request bytes, the incremental response reader, typed fetch errors.
//! 7. [`server`]: the delay server (tokio + hyper): bounded, hardened against
//!    hostile clients, with its fault paths and the seeds' plain paths.
//! 8. [`target`]: where a crawl goes (a delay server, `--target URL`, `--urls
//!    FILE`) and so what its verification can know.
//! 9. [`limits`]: open files, OS threads, memory mappings.
//! 10. [`cell`]: one cell run in-process: call, probe, verify, report.
//! 11. [`measure`]: running one cell in a child process, timed from outside.
//! 12. [`cgroup`]: a memory cgroup per cell, for the memory the kernel spends.
//! 13. [`report`]: statistics, tables, CSV, JSON, Markdown and SVG charts.
//! 14. [`conformance`]: the suite every model must pass.
//! 15. [`os`]: every call beyond plain POSIX (`/proc`, `/sys`, `prctl` on Linux),
//!     with what stands in for it on macOS and other systems.

pub mod cell;
pub mod cgroup;
pub mod conformance;
pub mod http;
pub mod limits;
pub mod measure;
pub mod model;
pub mod os;
pub mod pages;
pub mod params;
pub mod probe;
pub mod report;
pub mod server;
pub mod spec;
pub mod target;

pub use model::{Family, Model, ModelError, panic_message};
pub use probe::Probe;
