//! What every bench file shares: one criterion group per workload with every
//! registered model in it, timing only the model call and verifying every outcome.
//!
//! Sizes here are small so that `cargo bench` finishes in a few minutes; the big
//! sizes belong to `cargo run --release -- compare`, which also runs each cell in a
//! process of its own. A model that answers `unsupported` is skipped with a note; a
//! model whose outcome does not verify stops the bench, since its time means nothing.

use std::time::{Duration, Instant};

use concurrency_models::MODELS;
use criterion::Criterion;
use harness::{Model, ModelError};

/// Benchmarks `call` for every registered model in one group named `workload`.
pub fn bench_models<T>(
    c: &mut Criterion,
    workload: &str,
    call: impl Fn(&dyn Model) -> Result<T, ModelError>,
    verify: impl Fn(&T) -> Result<(), harness::spec::VerifyError>,
) {
    let mut group = c.benchmark_group(workload);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for &model in MODELS {
        // One trial run decides whether the model takes part at all.
        match call(model) {
            Err(e) if e.is_unsupported() => {
                eprintln!("{workload}/{}: skipped, {e}", model.name());
                continue;
            }
            Err(e) => panic!("{workload}/{}: {e}", model.name()),
            Ok(outcome) => {
                verify(&outcome).unwrap_or_else(|e| panic!("{workload}/{}: {e}", model.name()))
            }
        }
        group.bench_function(model.name(), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let outcome = call(model);
                    total += start.elapsed();
                    let outcome =
                        outcome.unwrap_or_else(|e| panic!("{workload}/{}: {e}", model.name()));
                    verify(&outcome).unwrap_or_else(|e| panic!("{workload}/{}: {e}", model.name()));
                }
                total
            });
        });
    }
    group.finish();
}
