//! spawn: 1,000 tasks that each sleep 10 ms, joined.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main};
use harness::spec::SpawnSpec;

fn spawn(c: &mut criterion::Criterion) {
    let spec = SpawnSpec::new(1_000, Duration::from_millis(10));
    common::bench_models(c, "spawn", |m| m.spawn(&spec), |o| spec.verify(o));
}

criterion_group!(benches, spawn);
criterion_main!(benches);
