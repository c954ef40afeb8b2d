//! Where `--threads` puts actix's actors: one Arbiter (one OS thread) per thread
//! asked for, never more Arbiters than actors to place. One test in this binary:
//! it counts the process's threads, so nothing may run beside it.

use std::time::Duration;

use harness::Model;
use harness::spec::{FanoutSpec, PingPongSpec, Probe, RingSpec, SpawnSpec};

/// Waits until threads that the last run joined have left `/proc/self/task`: on a
/// loaded machine a joined thread can stay listed for a moment, and the next run's
/// probe would count it as one of its own.
fn settle() {
    let mut last = harness::limits::thread_count();
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(5));
        let now = harness::limits::thread_count();
        if now == last {
            return;
        }
        last = now;
    }
}

/// The OS threads the probe saw during one run.
fn seen(probe: &Probe) -> usize {
    probe
        .phases()
        .and_then(|p| p.os_threads)
        .expect("the run marked its phase and the probe counted threads")
}

fn pingpong(threads: usize) -> usize {
    settle();
    let mut spec = PingPongSpec::new(100);
    spec.threads = threads;
    let outcome = cm_actors::Actix.pingpong(&spec).expect("pingpong runs");
    spec.verify(&outcome).expect("pingpong verifies");
    seen(&spec.probe)
}

fn ring(tasks: usize, threads: usize) -> usize {
    settle();
    let mut spec = RingSpec::new(tasks, 1000);
    spec.threads = threads;
    let outcome = cm_actors::Actix.ring(&spec).expect("ring runs");
    spec.verify(&outcome).expect("ring verifies");
    seen(&spec.probe)
}

fn spawn(n: usize, threads: usize) -> usize {
    settle();
    let mut spec = SpawnSpec::new(n, Duration::from_millis(200));
    spec.threads = threads;
    let outcome = cm_actors::Actix.spawn(&spec).expect("spawn runs");
    spec.verify(&outcome).expect("spawn verifies");
    seen(&spec.probe)
}

fn fanout(workers: usize, threads: usize) -> usize {
    settle();
    let mut spec = FanoutSpec::new(500, workers);
    spec.batch = 7;
    spec.threads = threads;
    let outcome = cm_actors::Actix.fanout(&spec).expect("fanout runs");
    spec.verify(&outcome).expect("fanout verifies");
    seen(&spec.probe)
}

#[test]
fn one_arbiter_per_thread_up_to_one_per_actor() {
    // With one Arbiter everything runs on the calling thread: the base count.
    let base = pingpong(1);
    assert_eq!(ring(10, 1), base);
    assert_eq!(spawn(10, 1), base);
    assert_eq!(fanout(3, 1), base);
    // Pingpong's two actors share one Arbiter whatever --threads says...
    assert_eq!(pingpong(2), base);
    // ...and elsewhere each thread asked for beyond the first is one more Arbiter...
    assert_eq!(ring(10, 3), base + 2);
    assert_eq!(spawn(10, 4), base + 3);
    assert_eq!(fanout(3, 3), base + 2);
    // ...but never more Arbiters than actors: two tasks, one sleeper, two workers.
    assert_eq!(ring(2, 5), base + 1);
    assert_eq!(spawn(1, 5), base);
    assert_eq!(fanout(2, 6), base + 1);
}
