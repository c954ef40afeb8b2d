//! cancel: 50 slow requests cancelled after 100 ms, against an in-process delay
//! server; criterion's "time" is each run's time from the cancel to the moment the
//! server saw every connection closed.

mod common;

use criterion::{criterion_group, criterion_main};
use harness::params::{Param, Params};
use harness::server::{self, ServerConfig};
use harness::spec::Workload;

fn cancel(c: &mut criterion::Criterion) {
    let server = server::spawn(ServerConfig::default()).expect("start the delay server");
    let mut params = Params::new();
    params.set(Param::N, 50).expect("in range");
    params.set(Param::AfterMs, 100).expect("in range");
    common::bench_cells(c, Workload::Cancel, &params, server.addr());
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = cancel
}
criterion_main!(benches);
