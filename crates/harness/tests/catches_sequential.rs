//! A model that does one thing at a time but says it is concurrent must fail the
//! suite's concurrency cases, with a message that says what it did not do. Alone in
//! this binary, because the suite counts the process's threads.
//!
//! The harness cannot depend on `cm-baseline`, so the one-at-a-time model is
//! written here: its crawl fetches each page in turn, and its spawn runs each task
//! to its end before starting the next, skipping the sleep (sleeping 100 tasks of
//! 500 ms in turn would make this test take a minute).

use harness::conformance::run;
use harness::http::fetch_blocking;
use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// One at a time, but it claims otherwise: `concurrent` keeps its default, true.
struct OneAtATime;

impl Model for OneAtATime {
    fn name(&self) -> &'static str {
        "one-at-a-time"
    }
    fn family(&self) -> Family {
        Family::Baseline
    }
    fn summary(&self) -> &'static str {
        "sequential, registered as concurrent"
    }
    fn primitive(&self, _: Workload) -> &'static str {
        "a blocking call"
    }
    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        // The fault matrices' stalls, one timeout each in turn, would only slow
        // this test down.
        if spec.paths.iter().any(|p| p.starts_with("/fault/")) {
            return Err(ModelError::unsupported("not this test"));
        }
        spec.probe.measure(|| {
            let results = spec
                .paths
                .iter()
                .map(|path| fetch_blocking(spec.addr, path, spec.timeout))
                .collect();
            Ok(CrawlOutcome { results })
        })
    }
    fn pingpong(&self, _: &PingPongSpec) -> Result<Counted, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn spawn(&self, spec: &SpawnSpec) -> Result<Counted, ModelError> {
        spec.probe.measure(|| {
            for _ in 0..spec.n {
                let _alive = spec.probe.enter();
            }
            Ok(Counted {
                count: spec.n as u64,
            })
        })
    }
    fn fanout(&self, _: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn server(&self, _: &ServerSpec) -> Result<ServerOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn fairness(&self, _: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn cancel(&self, _: &CancelSpec) -> Result<CancelOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
}

#[test]
fn a_sequential_model_registered_as_concurrent_fails_and_is_told_why() {
    let findings = run(&OneAtATime);
    let failure = |prefix: &str| -> String {
        let f = findings
            .iter()
            .find(|f| f.case.starts_with(prefix))
            .unwrap_or_else(|| panic!("no case '{prefix}'"));
        f.result.clone().expect_err(prefix)
    };
    let crawl = failure("concurrency: crawl, 12 pages");
    assert!(
        crawl.contains(
            "the server saw at most 1 request in flight at once; a concurrent model must have 6"
        ),
        "{crawl}"
    );
    let spawn = failure("concurrency: spawn, 100 tasks");
    assert!(
        spawn.contains(
            "at most 1 of 100 tasks were alive at once; a concurrent model must have all 100"
        ),
        "{spawn}"
    );
    // It claimed to be concurrent, so nothing blames its own declaration.
    assert!(!crawl.contains("says it is not concurrent"), "{crawl}");
    // One at a time is still a correct crawl where only one is asked for.
    let one = findings
        .iter()
        .find(|f| f.case == "crawl, 1 page of 0 bytes")
        .expect("the one-page case");
    assert!(one.result.is_ok(), "{one:?}");
}
