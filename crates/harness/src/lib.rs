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
//! 2. [`spec`]: the eight workloads' specs, outcomes and verification.
//! 3. [`probe`]: what a model marks inside its run (measured phase, tasks alive).
//! 4. [`params`]: the command-line parameters, their defaults and bounds.
//! 5. [`pages`]: what the delay server serves, and so what a client must receive.
//! 6. [`http`]: request bytes, the incremental response reader, typed fetch errors.
//! 7. [`respond`]: the page protocol, server side: what the `server` workload's
//!    models parse and answer.
//! 8. [`load`]: the open-loop load generator, the `server` workload's client.
//! 9. [`server`]: the delay server (tokio + hyper): bounded, hardened against
//!    hostile clients, with its fault paths and the seeds' plain paths.
//! 10. [`target`]: where a crawl goes (a delay server, `--target URL`, `--urls
//!    FILE`) and so what its verification can know.
//! 11. [`limits`]: open files, OS threads, memory mappings.
//! 12. [`cell`]: one cell run in-process: call, probe, verify, report.
//! 13. [`measure`]: running one cell in a child process, timed from outside.
//! 14. [`cgroup`]: a memory cgroup per cell, for the memory the kernel spends.
//! 15. [`report`]: statistics, tables, CSV, JSON, Markdown and SVG charts.
//! 16. [`conformance`]: the suite every model must pass.
//! 17. [`os`]: every call beyond plain POSIX (`/proc`, `/sys`, `prctl` on Linux),
//!     with what stands in for it on macOS and other systems.

pub mod cell;
pub mod cgroup;
pub mod conformance;
pub mod http;
pub mod limits;
pub mod load;
pub mod measure;
pub mod model;
pub mod os;
pub mod pages;
pub mod params;
pub mod probe;
pub mod report;
pub mod respond;
pub mod server;
pub mod spec;
pub mod target;

pub use model::{Family, Model, ModelError, panic_message};
pub use probe::Probe;
