//! ring: the 503-task thread-ring, 10,000 hops (building the ring is part of it).

mod common;

use criterion::{criterion_group, criterion_main};
use harness::spec::RingSpec;

fn ring(c: &mut criterion::Criterion) {
    let spec = RingSpec::new(RingSpec::DEFAULT_TASKS, 10_000);
    common::bench_models(c, "ring", |m| m.ring(&spec), |o| spec.verify(o));
}

criterion_group!(benches, ring);
criterion_main!(benches);
