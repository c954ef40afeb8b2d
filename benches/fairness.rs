//! fairness: a 1 ms ticker among 2 hogs of 20 ms that never yield; criterion's
//! "time" is each run's worst lateness of the ticker.

mod common;

use criterion::{criterion_group, criterion_main};
use harness::params::{Param, Params};
use harness::spec::Workload;

fn fairness(c: &mut criterion::Criterion) {
    let mut params = Params::new();
    params.set(Param::HogMs, 20).expect("in range");
    let unused = "127.0.0.1:1".parse().expect("an address");
    common::bench_cells(c, Workload::Fairness, &params, unused);
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = fairness
}
criterion_main!(benches);
