//! crawl: 100 pages with a 10 ms delay, all in flight, from an in-process delay
//! server (its CPU is shared with the model here; `compare` separates them).

mod common;

use criterion::{criterion_group, criterion_main};
use harness::server::{self, ServerConfig};
use harness::spec::CrawlSpec;

fn crawl(c: &mut criterion::Criterion) {
    let server = server::spawn(ServerConfig::default()).expect("start the delay server");
    let spec = CrawlSpec::pages(server.addr(), 100, 10, 1024);
    common::bench_models(c, "crawl", |m| m.crawl(&spec), |o| spec.verify(o));
}

criterion_group!(benches, crawl);
criterion_main!(benches);
