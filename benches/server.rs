//! server: every model serves 400 requests/s for a second over 20 connections,
//! pages after 5 ms; criterion's "time" is each run's p99 latency, from each
//! request's intended send time. The load generator runs on a thread of this
//! process here (`compare` gives it a process of its own).

mod common;

use criterion::{criterion_group, criterion_main};
use harness::params::{Param, Params};
use harness::spec::Workload;

fn server(c: &mut criterion::Criterion) {
    let mut params = Params::new();
    for (p, v) in [
        (Param::Rate, 400),
        (Param::DurationMs, 1000),
        (Param::Connections, 20),
        (Param::DelayMs, 5),
    ] {
        params.set(p, v).expect("in range");
    }
    let unused = "127.0.0.1:1".parse().expect("an address");
    common::bench_cells(c, Workload::Server, &params, unused);
}

criterion_group! {
    name = benches;
    config = common::config().sample_size(10);
    targets = server
}
criterion_main!(benches);
