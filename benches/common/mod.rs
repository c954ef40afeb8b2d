//! What every bench file shares: one criterion group per workload with every
//! registered model in it, timing the model's measured phase and verifying every
//! outcome.
//!
//! Sizes here are small so that `cargo bench` finishes in a few minutes; the big
//! sizes belong to `cargo run --release -- compare`, which also runs each cell in a
//! process of its own. A model that answers `unsupported` is skipped with a note; a
//! model whose outcome does not verify stops the bench, since its time means nothing.
//!
//! criterion writes its HTML report under `target/criterion/`: `report/index.html`
//! lists every group, and `<workload>/report/index.html` compares the group's models
//! (a violin plot on a log axis, then each model's own page).

use std::time::Duration;

use concurrency_models::MODELS;
use criterion::{AxisScale, Criterion, PlotConfiguration};
use harness::{Model, ModelError, Probe};

/// The bench's settings: few samples and short times, so that every model of a
/// group fits in a minute or so. Set here, not on the group, so that criterion's
/// own flags (`cargo bench --bench ring -- --measurement-time 10`) still win:
/// `criterion_group!` applies the command line over this.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// Benchmarks every registered model in one group named `workload`. `make` builds
/// a fresh spec for each call (a spec's probe records one call), `probe` finds its
/// probe, `call` runs the model on it and `verify` checks the outcome.
///
/// What criterion times is the probe's measured phase, the same marginal figure
/// `compare` divides for its per-operation columns: the runtime's build and
/// teardown are left out here too, so `cargo bench` and `compare` tell the same
/// story.
// Each bench binary compiles this module and uses one of the two runners.
#[allow(dead_code)]
pub fn bench_models<S, T>(
    c: &mut Criterion,
    workload: &str,
    make: impl Fn() -> S,
    probe: impl Fn(&S) -> &Probe,
    call: impl Fn(&dyn Model, &S) -> Result<T, ModelError>,
    verify: impl Fn(&S, &T) -> Result<(), harness::spec::VerifyError>,
) {
    let mut group = c.benchmark_group(workload);
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
    // The trial runs' fastest and slowest times, for the violin plot's axis.
    let mut span: Option<(Duration, Duration)> = None;
    for &model in MODELS {
        // One trial run decides whether the model takes part at all.
        match once(model) {
            Err(e) if e.is_unsupported() => {
                eprintln!("{workload}/{}: skipped, {e}", model.name());
                continue;
            }
            Err(e) => panic!("{workload}/{}: {e}", model.name()),
            Ok(d) => span = Some(span.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d)))),
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
    // Where the models lie orders of magnitude apart (ring: sequential in
    // microseconds, threads in hundreds of milliseconds), a linear violin plot
    // shows two shapes and a row of dots, so the axis goes logarithmic. Not always:
    // criterion's log axis starts five decades below the slowest model, which
    // squeezes a group within a factor of two (spawn, fanout) into a corner. The
    // scale is read when `finish` draws the summary, after every model has run.
    let spread = span.map_or(1.0, |(lo, hi)| {
        hi.as_secs_f64() / lo.as_secs_f64().max(1e-9)
    });
    if spread > 10.0 {
        group.plot_config(PlotConfiguration::default().summary_scale(AxisScale::Logarithmic));
    }
    group.finish();
}

/// Benchmarks every registered model on `workload` at `params` through the
/// harness's own cell (the way `run` does it), timing the figure the cell itself
/// measured: the p99 latency of a server run, the ticker's worst lateness, the
/// time from a cancel to a quiet server. criterion's statistics then describe
/// that figure over the samples, which is what these workloads are compared by.
/// `addr` is the delay server (cancel needs one; the others ignore it).
#[allow(dead_code)]
pub fn bench_cells(
    c: &mut Criterion,
    workload: harness::spec::Workload,
    params: &harness::params::Params,
    addr: std::net::SocketAddr,
) {
    let name = workload.name();
    let mut group = c.benchmark_group(name);
    let once = |model: &dyn Model| -> Result<Duration, String> {
        let report = harness::cell::execute(model, workload, params, addr);
        if let Some(e) = report.error {
            return Err(e);
        }
        let ns = report
            .figures
            .and_then(|f| f.headline_ns())
            .unwrap_or_else(|| panic!("{name}/{}: no figure", model.name()));
        Ok(Duration::from_nanos(ns as u64))
    };
    for &model in MODELS {
        match once(model) {
            Err(e) if e.starts_with("unsupported") => {
                eprintln!("{name}/{}: skipped, {e}", model.name());
                continue;
            }
            Err(e) => panic!("{name}/{}: {e}", model.name()),
            Ok(_) => {}
        }
        group.bench_function(model.name(), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| once(model).unwrap_or_else(|e| panic!("{name}/{}: {e}", model.name())))
                    .sum()
            });
        });
    }
    group.plot_config(PlotConfiguration::default().summary_scale(AxisScale::Logarithmic));
    group.finish();
}
