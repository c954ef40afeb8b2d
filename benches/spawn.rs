//! spawn: 1,000 tasks that each sleep 200 ms, all alive at once (1,000 OS threads
//! start well within the sleep), joined.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main};
use harness::spec::SpawnSpec;

fn spawn(c: &mut criterion::Criterion) {
    common::bench_models(
        c,
        "spawn",
        || SpawnSpec::new(1_000, Duration::from_millis(200)),
        |s| &s.probe,
        |m, s| m.spawn(s),
        |s, o| s.verify(o),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = spawn
}
criterion_main!(benches);
