//! pingpong: 10,000 round trips between two tasks.

mod common;

use criterion::{criterion_group, criterion_main};
use harness::spec::PingPongSpec;

fn pingpong(c: &mut criterion::Criterion) {
    let spec = PingPongSpec::new(10_000);
    common::bench_models(c, "pingpong", |m| m.pingpong(&spec), |o| spec.verify(o));
}

criterion_group!(benches, pingpong);
criterion_main!(benches);
