//! The model registry: every concurrency model the CLI, `compare` and the benches
//! know about, in the order tables list them.
//!
//! A new model joins the project by implementing [`harness::Model`] in a crate of
//! its own and adding one line to [`MODELS`]; `list`, `run`, `compare` and
//! `cargo bench` pick it up from here.

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
