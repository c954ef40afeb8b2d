//! crawl: 100 pages with a 10 ms delay, all in flight, from an in-process delay
//! server (its CPU is shared with the model here; `compare` separates them).

mod common;

use criterion::{criterion_group, criterion_main};
use harness::server::{self, ServerConfig};
use harness::spec::CrawlSpec;

fn crawl(c: &mut criterion::Criterion) {
    let server = server::spawn(ServerConfig::default()).expect("start the delay server");
    let addr = server.addr();
    common::bench_models(
        c,
        "crawl",
        || CrawlSpec::pages(addr, 100, 10, 1024),
        |s| &s.probe,
        |m, s| m.crawl(s),
        |s, o| s.verify(o),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = crawl
}
criterion_main!(benches);
