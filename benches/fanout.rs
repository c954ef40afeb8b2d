//! fanout: 2,000 items of fixed CPU work over as many workers as cores.

mod common;

use criterion::{criterion_group, criterion_main};
use harness::spec::{FanoutSpec, default_threads};

fn fanout(c: &mut criterion::Criterion) {
    common::bench_models(
        c,
        "fanout",
        || FanoutSpec::new(2_000, default_threads()),
        |s| &s.probe,
        |m, s| m.fanout(s),
        |s, o| s.verify(o),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = fanout
}
criterion_main!(benches);
