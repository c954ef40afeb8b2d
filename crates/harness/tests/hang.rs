//! A model that hangs: the case fails once its deadline passes, the suite stops
//! there and reports the rest as not run, and the call returns (the hung thread is
//! left to the process's exit). Alone in this binary: the hung thread stays.

use std::time::{Duration, Instant};

use harness::conformance::{Options, run_with};
use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// Answers pingpong right, and never returns from a crawl.
struct Hangs;

impl Model for Hangs {
    fn name(&self) -> &'static str {
        "hangs"
    }
    fn family(&self) -> Family {
        Family::Baseline
    }
    fn summary(&self) -> &'static str {
        "never finishes a crawl"
    }
    fn primitive(&self, _: Workload) -> &'static str {
        "a loop that never ends"
    }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        loop {
            std::thread::park();
        }
    }
    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        spec.probe.measure(|| Ok(Counted { count: spec.rounds }))
    }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn spawn(&self, _: &SpawnSpec) -> Result<Counted, ModelError> {
        Err(ModelError::unsupported("not this test"))
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
fn a_hung_case_fails_and_stops_the_suite() {
    let options = Options {
        deadline: Duration::from_secs(1),
        ..Options::default()
    };
    let started = Instant::now();
    let findings = run_with(&Hangs, &options);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the suite waited for the hung case: {:.1?}",
        started.elapsed()
    );
    assert!(findings[0].passed() && findings[0].ran, "{:?}", findings[0]);
    let hung = &findings[1];
    assert!(hung.ran);
    let err = hung.result.as_ref().unwrap_err();
    assert!(err.contains("still running after 1 s"), "{err}");
    // Every case is still listed, so a score counts them all.
    assert_eq!(findings.len(), harness::conformance::plan(&options).len());
    for rest in &findings[2..] {
        assert!(!rest.ran, "{rest:?}");
        let err = rest.result.as_ref().unwrap_err();
        assert!(err.contains("not run: case 'crawl, 24 pages"), "{err}");
    }
}
