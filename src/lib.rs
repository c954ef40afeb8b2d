//! The model registry: every concurrency model the CLI, `compare` and the benches
//! know about, in the order tables list them.
//!
//! A new model joins the project by implementing [`harness::Model`] in a crate of
//! its own and adding one line to [`MODELS`] and one to [`SOURCES`] (`new-model`
//! writes the crate and both lines); `list`, `run`, `compare`, `grade` and
//! `cargo bench` pick it up from here. [`source`] holds the models' own source
//! files, embedded at build time, and [`side_by_side`] lays two of them out in
//! columns for `show`.

pub mod cost;
pub mod side_by_side;
pub mod source;

use harness::Model;

/// Every registered model: baselines first, then by family, as the docs present them.
pub static MODELS: &[&dyn Model] = &[
    &cm_baseline::Sequential,
    &cm_baseline::Threads,
    &cm_callbacks::Callbacks,
    &cm_stackless::Tokio,
    &cm_stackless::TokioCurrent,
    &cm_minirt::MiniRt,
    &cm_stackful::May,
    &cm_csp::Crossbeam,
    &cm_actors::Actix,
];

/// Where each model's workload files are, relative to the workspace root, as
/// `(model, folder)`: what `show` prints and `grade CRATE_DIR` looks models up by.
/// `tokio` and `tokio-current` share theirs: they differ only in the runtime.
pub static SOURCES: &[(&str, &str)] = &[
    ("sequential", "crates/baseline/src/sequential"),
    ("threads", "crates/baseline/src/threads"),
    ("callbacks", "crates/callbacks/src"),
    ("tokio", "crates/stackless/src"),
    ("tokio-current", "crates/stackless/src"),
    ("minirt", "crates/minirt/src"),
    ("may", "crates/stackful/src"),
    ("crossbeam", "crates/csp/src"),
    ("actix", "crates/actors/src"),
];

/// The model called `name`, or an error line naming the known models.
pub fn find(name: &str) -> Result<&'static dyn Model, String> {
    MODELS
        .iter()
        .copied()
        .find(|m| m.name() == name)
        .ok_or_else(|| {
            format!(
                "unknown model '{name}'; known models: {}",
                names().join(", ")
            )
        })
}

/// The names of every registered model.
pub fn names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.name()).collect()
}
