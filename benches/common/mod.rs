//! What every bench file shares: one criterion group per workload with every
//! registered model in it, timing the model's measured phase and verifying every
//! outcome.
//!
//! Sizes here are small so that `cargo bench` finishes in a few minutes; the big
//! sizes belong to `cargo run --release -- compare`, which also runs each cell in a
//! process of its own. A model that answers `unsupported` is skipped with a note; a
//! model whose outcome does not verify stops the bench, since its time means nothing.

use std::time::Duration;

use concurrency_models::MODELS;
use criterion::Criterion;
use harness::{Model, ModelError, Probe};

/// Benchmarks every registered model in one group named `workload`. `make` builds
/// a fresh spec for each call (a spec's probe records one call), `probe` finds its
/// probe, `call` runs the model on it and `verify` checks the outcome.
///
/// What criterion times is the probe's measured phase, the same marginal figure
/// `compare` divides for its per-operation columns: the runtime's build and
/// teardown are left out here too, so `cargo bench` and `compare` tell the same
/// story.
pub fn bench_models<S, T>(
    c: &mut Criterion,
    workload: &str,
    make: impl Fn() -> S,
    probe: impl Fn(&S) -> &Probe,
    call: impl Fn(&dyn Model, &S) -> Result<T, ModelError>,
    verify: impl Fn(&S, &T) -> Result<(), harness::spec::VerifyError>,
) {
    let mut group = c.benchmark_group(workload);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    // One call, verified; returns its measured phase.
    let once = |model: &dyn Model| -> Result<Duration, ModelError> {
        let spec = make();
        let outcome = call(model, &spec)?;
        verify(&spec, &outcome).unwrap_or_else(|e| panic!("{workload}/{}: {e}", model.name()));
        let phases = probe(&spec)
            .phases()
            .unwrap_or_else(|| panic!("{workload}/{}: no measured phase", model.name()));
        Ok(Duration::from_nanos(phases.work_ns))
    };
    for &model in MODELS {
        // One trial run decides whether the model takes part at all.
        match once(model) {
            Err(e) if e.is_unsupported() => {
                eprintln!("{workload}/{}: skipped, {e}", model.name());
                continue;
            }
            Err(e) => panic!("{workload}/{}: {e}", model.name()),
            Ok(_) => {}
        }
        group.bench_function(model.name(), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        once(model).unwrap_or_else(|e| panic!("{workload}/{}: {e}", model.name()))
                    })
                    .sum()
            });
        });
    }
    group.finish();
}
