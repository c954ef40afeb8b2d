//! spawn, sequentially: there is nothing to spawn onto, so each "task" would run to
//! the end (sleep, report) before the next begins, and `n` tasks would take
//! `n × sleep` with one of them alive at a time.
//!
//! The spawn rules measure `n` tasks alive at once, and one thread running one task
//! at a time never has more than one: for `n > 1` the honest answer is
//! `unsupported`, given before anything sleeps, rather than minutes of sleeping
//! followed by a failed verification. A single task runs, and still declines if
//! its sleep alone would pass the wait cap.

use std::time::Duration;

use harness::spec::{Counted, SpawnSpec};
use harness::{ModelError, Probe};

use super::within_wait_budget;

// ## task

/// The one task this model can run: alive from its first step to its last.
fn task(probe: &Probe, sleep: Duration) {
    let _alive = probe.enter();
    std::thread::sleep(sleep);
}

// ## run

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let n = u32::try_from(spec.n).unwrap_or(u32::MAX);
    // Saturating: a sleep too long to multiply is declined all the same.
    let in_turn = spec.sleep.checked_mul(n).unwrap_or(Duration::MAX);
    if n > 1 {
        return Err(ModelError::unsupported(format!(
            "one thread runs one task at a time, so at most 1 of {} tasks would be \
             alive at once (the spawn rules need all of them), and sleeping them one \
             after another would take {:.0} s",
            spec.n,
            in_turn.as_secs_f64()
        )));
    }
    within_wait_budget(in_turn, "sleeping these tasks")?;
    // No runtime to build: the work starts with the first task.
    spec.probe.begin();
    // Not "start all, then wait": starting a task here is running it to its end.
    let mut reported = 0;
    for _ in 0..spec.n {
        task(&spec.probe, spec.sleep);
        reported += 1;
    }
    Ok(collect(spec, reported))
}

// ## collect

/// Every task has finished by the time it is counted: nothing to join.
fn collect(spec: &SpawnSpec, reported: u64) -> Counted {
    spec.probe.end();
    Counted { count: reported }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness::spec::SpawnSpec;

    #[test]
    fn declines_the_default_spawn_before_sleeping() {
        let spec = SpawnSpec::new(10_000, Duration::from_millis(1000));
        let started = std::time::Instant::now();
        let err = run(&spec).unwrap_err();
        assert!(err.is_unsupported(), "{err}");
        assert!(
            err.to_string().contains("at most 1 of 10000 tasks"),
            "{err}"
        );
        assert!(err.to_string().contains("10000 s"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(
            spec.probe.phases().is_none(),
            "nothing ran, so nothing was measured"
        );
    }

    #[test]
    fn one_task_is_alive_and_measured() {
        let spec = SpawnSpec::new(1, Duration::from_millis(5));
        let out = run(&spec).unwrap();
        assert!(spec.verify(&out).is_ok());
        let phases = spec.probe.phases().expect("both marks");
        assert!(phases.work_ns >= 5_000_000, "{phases:?}");
    }
}
