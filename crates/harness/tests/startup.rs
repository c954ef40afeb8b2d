//! Start-up is not per-op: a model that takes 50 ms to build its runtime shows the
//! 50 ms as set-up and start-up, and its per-operation figure is what its work
//! costs, whatever the size.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use harness::cell::execute;
use harness::measure::Sample;
use harness::params::{Param, Params};
use harness::report::{Machine, Row, RowInput};
use harness::spec::{
    Counted, CrawlOutcome, CrawlSpec, FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome,
    RingSpec, SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// Sleeps 50 ms "building its runtime", then spends 20 µs per round trip.
struct SlowStart;

const STARTUP: Duration = Duration::from_millis(50);
const PER_ROUND: Duration = Duration::from_micros(20);

impl Model for SlowStart {
    fn name(&self) -> &'static str {
        "slow-start"
    }
    fn family(&self) -> Family {
        Family::Baseline
    }
    fn summary(&self) -> &'static str {
        "a 50 ms start-up"
    }
    fn primitive(&self, _: Workload) -> &'static str {
        "a spin loop"
    }
    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        std::thread::sleep(STARTUP);
        spec.probe.measure(|| {
            // Spin rather than sleep: a sleep's overshoot would swamp 20 µs.
            let until = Instant::now() + PER_ROUND * spec.rounds as u32;
            while Instant::now() < until {
                std::hint::spin_loop();
            }
            Ok(Counted { count: spec.rounds })
        })
    }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        Err(ModelError::unsupported("pingpong only"))
    }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> {
        Err(ModelError::unsupported("pingpong only"))
    }
    fn spawn(&self, _: &SpawnSpec) -> Result<Counted, ModelError> {
        Err(ModelError::unsupported("pingpong only"))
    }
    fn fanout(&self, _: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        Err(ModelError::unsupported("pingpong only"))
    }
    fn server(
        &self,
        _: &harness::spec::ServerSpec,
    ) -> Result<harness::spec::ServerOutcome, ModelError> {
        Err(ModelError::unsupported("pingpong only"))
    }
    fn fairness(
        &self,
        _: &harness::spec::FairnessSpec,
    ) -> Result<harness::spec::FairnessOutcome, ModelError> {
        Err(ModelError::unsupported("pingpong only"))
    }
    fn cancel(
        &self,
        _: &harness::spec::CancelSpec,
    ) -> Result<harness::spec::CancelOutcome, ModelError> {
        Err(ModelError::unsupported("pingpong only"))
    }
}

/// One run as `compare` would record it: wall time around the whole call (the
/// child's process start is left out here; it only adds to start-up).
fn sample(rounds: u64) -> (Sample, harness::cell::CellReport) {
    let mut params = Params::new();
    params.set(Param::Rounds, rounds).unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let start = Instant::now();
    let report = execute(&SlowStart, Workload::PingPong, &params, addr);
    let wall = start.elapsed();
    assert!(report.verified, "{:?}", report.error);
    let phases = report.phases.expect("the model marked its phases");
    let sample = Sample {
        wall_ns: wall.as_nanos() as u64,
        user_ns: 0,
        sys_ns: 0,
        peak_rss_bytes: 0,
        vm_hwm_bytes: None,
        base_rss_bytes: phases.rss_at_begin_bytes,
        work_ns: phases.work_ns,
        work_cpu_ns: phases.work_cpu_ns(),
        cgroup_base_bytes: None,
        cgroup_peak: None,
        os_threads: phases.os_threads,
        server_cpu_ns: None,
        machine_idle: None,
        work_user_ns: Some(phases.work_user_ns),
        work_sys_ns: Some(phases.work_sys_ns),
        others_share: None,
        headline_ns: None,
        extra: None,
    };
    (sample, report)
}

#[test]
fn a_slow_start_is_start_up_not_per_op() {
    for rounds in [100, 400] {
        let (s, report) = sample(rounds);
        let phases = report.phases.unwrap();
        assert!(phases.setup_ns >= STARTUP.as_nanos() as u64, "{phases:?}");
        let row = Row::new(RowInput {
            workload: Workload::PingPong,
            group: "pingpong".into(),
            model: "slow-start".into(),
            family: "baseline".into(),
            primitive: report.primitive.clone(),
            params: report.params.clone(),
            sweep: None,
            runs: vec![s],
            unranked: None,
            error: None,
            machine: Machine::detect("test", "debug"),
            server_threads: None,
        });
        let startup = row.median_startup_ns.unwrap();
        assert!(
            startup >= STARTUP.as_nanos() as u64,
            "start-up {startup} ns"
        );
        // The per-op figure is the 20 µs of work, not 20 µs + 50 ms / rounds
        // (which would be 520 µs at 100 rounds and 145 µs at 400).
        let per_op = row.headline.unwrap();
        let want = PER_ROUND.as_nanos() as f64;
        assert!(
            per_op >= want && per_op < 1.5 * want,
            "{rounds} rounds: {per_op} ns per round trip, want about {want}"
        );
        assert_eq!(row.primitive, "a spin loop");
    }
}
