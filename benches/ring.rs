//! ring: the 503-task thread-ring, 10,000 hops (building the ring is part of it).

mod common;

use criterion::{criterion_group, criterion_main};
use harness::spec::RingSpec;

fn ring(c: &mut criterion::Criterion) {
    common::bench_models(
        c,
        "ring",
        || RingSpec::new(RingSpec::DEFAULT_TASKS, 10_000),
        |s| &s.probe,
        |m, s| m.ring(s),
        |s, o| s.verify(o),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = ring
}
criterion_main!(benches);
