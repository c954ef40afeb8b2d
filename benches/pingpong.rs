//! pingpong: 10,000 round trips between two tasks.

mod common;

use criterion::{criterion_group, criterion_main};
use harness::spec::PingPongSpec;

fn pingpong(c: &mut criterion::Criterion) {
    common::bench_models(
        c,
        "pingpong",
        || PingPongSpec::new(10_000),
        |s| &s.probe,
        |m, s| m.pingpong(s),
        |s, o| s.verify(o),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = pingpong
}
criterion_main!(benches);
