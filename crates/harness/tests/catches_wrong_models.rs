//! The conformance suite must fail models that are wrong. These models are wrong
//! on purpose; one test runs both in turn, alone in this binary, because the suite
//! counts the process's threads.

use std::time::Duration;

use harness::conformance::run;
use harness::http::Page;
use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, HogResult, PingPongSpec, RequestEnd, RingOutcome, RingSpec,
    ServerOutcome, ServerSpec, SpawnSpec, Workload, run_job,
};
use harness::{Family, Model, ModelError};

/// A model that answers every case wrongly, in a different way each time.
struct Liar;

impl Model for Liar {
    fn name(&self) -> &'static str {
        "liar"
    }
    fn family(&self) -> Family {
        Family::Baseline
    }
    fn summary(&self) -> &'static str {
        "wrong on purpose"
    }
    fn primitive(&self, _: Workload) -> &'static str {
        "" // names nothing, which the suite must catch
    }
    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        // A page for every path, good or faulty, with a digest that is off.
        let page = Page {
            status: 200,
            bytes: 0,
            digest: 1,
        };
        Ok(CrawlOutcome {
            results: spec.paths.iter().map(|_| Ok(page)).collect(),
        })
    }
    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        Ok(Counted {
            count: spec.rounds + 1,
        })
    }
    fn ring(&self, spec: &RingSpec) -> Result<RingOutcome, ModelError> {
        Ok(RingOutcome {
            holder: spec.expected_holder() % spec.tasks + 1,
        })
    }
    fn spawn(&self, spec: &SpawnSpec) -> Result<Counted, ModelError> {
        if spec.n == 1 {
            panic!("the liar panics");
        }
        Err(ModelError::unsupported("too lazy"))
    }
    fn fanout(&self, spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        Ok(FanoutOutcome {
            items: spec.items,
            sum: spec.expected_sum() ^ 1,
            job_messages: spec.jobs(),
            result_messages: spec.workers as u64,
        })
    }
    fn server(&self, spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
        // Claims pages it never served: the listener closes at once.
        spec.probe.measure(|| {
            Ok(ServerOutcome {
                answered: 3,
                ..ServerOutcome::default()
            })
        })
    }
    fn fairness(&self, spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
        // Every hog reports its items and yields, with a sum that is off.
        spec.probe.measure(|| {
            let hogs = (0..spec.hogs)
                .map(|h| HogResult {
                    items: spec.hog_items,
                    sum: 1,
                    yields: spec.expected_yields(),
                    ..HogResult::start(h)
                })
                .collect();
            Ok(FairnessOutcome {
                ticker_started: std::time::Instant::now(),
                lateness_ns: vec![0; spec.ticks as usize],
                hogs,
            })
        })
    }
    fn cancel(&self, spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
        // Says it cancelled requests it never started.
        spec.probe.measure(|| {
            spec.cancelling();
            Ok(CancelOutcome {
                ends: spec.paths.iter().map(|_| RequestEnd::Cancelled).collect(),
            })
        })
    }
}

fn every_case_catches_a_lying_model() {
    let findings = run(&Liar);
    assert!(findings.len() > 10);
    for f in &findings {
        assert!(
            f.result.is_err(),
            "case '{}' let a wrong answer through",
            f.case
        );
    }
    let panicked = findings
        .iter()
        .find(|f| f.case.starts_with("spawn, 1 "))
        .unwrap();
    assert!(
        panicked
            .result
            .as_ref()
            .unwrap_err()
            .contains("panicked: the liar panics"),
        "{panicked:?}"
    );
}

/// A model that leaves a thread running after a run that is otherwise right.
struct Leaky;

impl Model for Leaky {
    fn name(&self) -> &'static str {
        "leaky"
    }
    fn family(&self) -> Family {
        Family::Baseline
    }
    fn summary(&self) -> &'static str {
        "leaks a thread per pingpong"
    }
    fn primitive(&self, _: Workload) -> &'static str {
        "std::thread::spawn"
    }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        spec.probe.measure(|| {
            std::thread::spawn(|| std::thread::sleep(Duration::from_secs(5)));
            Ok(Counted { count: spec.rounds })
        })
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

fn a_leaked_thread_fails_the_case() {
    let findings = run(&Leaky);
    let second = findings
        .iter()
        .find(|f| f.case == "pingpong, 1 round")
        .unwrap();
    let err = second.result.as_ref().unwrap_err();
    assert!(err.contains("still running after the run ended"), "{err}");
    // Errors name the model's own words.
    let crawl = &findings[1];
    assert!(
        crawl
            .result
            .as_ref()
            .unwrap_err()
            .contains("unsupported: not this test")
    );
}

/// A model whose answers are right but whose work is not the work asked: it
/// sleeps its spawn tasks one after another, sends fanout items one message each,
/// never marks its ring's measured phase, and claims `--threads` in pingpong while
/// running on the caller's thread.
struct Unequal;

impl Model for Unequal {
    fn name(&self) -> &'static str {
        "unequal"
    }
    fn family(&self) -> Family {
        Family::Baseline
    }
    fn summary(&self) -> &'static str {
        "right answers, wrong work"
    }
    fn primitive(&self, _: Workload) -> &'static str {
        "a function call"
    }
    fn threads_in(&self, workload: Workload) -> bool {
        workload == Workload::PingPong
    }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        Err(ModelError::unsupported("not this test"))
    }
    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        spec.probe.measure(|| Ok(Counted { count: spec.rounds }))
    }
    fn ring(&self, spec: &RingSpec) -> Result<RingOutcome, ModelError> {
        Ok(RingOutcome {
            holder: spec.expected_holder(),
        })
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
    fn fanout(&self, spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        spec.probe.measure(|| {
            let mut out = FanoutOutcome::default();
            for w in 0..spec.workers as u64 {
                let (count, sum) = run_job(0..0);
                let _ = w;
                out.add_result(count, sum);
            }
            let (count, sum) = run_job(0..spec.items);
            out.items += count;
            out.sum = out.sum.wrapping_add(sum);
            out.job_messages = spec.items; // one message per item, not per batch
            Ok(out)
        })
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

fn unequal_work_fails_the_rules() {
    let findings = run(&Unequal);
    let err = |prefix: &str| -> String {
        let f = findings
            .iter()
            .find(|f| f.case.starts_with(prefix))
            .unwrap_or_else(|| panic!("no case '{prefix}'"));
        f.result.clone().expect_err(prefix)
    };
    assert!(err("spawn, 200").contains("at most 1 of 200 tasks were alive at once"));
    assert!(err("fanout, 400 items").contains("job messages"));
    assert!(err("ring, 10 tasks").contains("did not mark its measured phase"));
    assert!(err("names a primitive").contains("pingpong: says it uses --threads"));
    // The right answer with the right work still passes.
    let ok = findings
        .iter()
        .find(|f| f.case == "pingpong, 1000 rounds")
        .unwrap();
    assert!(ok.result.is_ok(), "{ok:?}");
}

#[test]
fn the_suite_fails_wrong_models() {
    every_case_catches_a_lying_model();
    a_leaked_thread_fails_the_case();
    unequal_work_fails_the_rules();
}
