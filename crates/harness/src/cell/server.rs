//! The server cell: bind, let the model listen, run the load against it once it
//! is up, stop it once the load is done, and judge both sides.
//!
//! The order keeps start-up out of every latency: the load generator starts only
//! after the model's `probe.begin()` (its runtime is up and it can accept), and
//! the stop comes only after the generator has closed every connection, so the
//! model's measured phase is the load and nothing else.

use std::time::{Duration, Instant};

use crate::load::{self, LoadReport};
use crate::model::{Model, ModelError};
use crate::params::Params;
use crate::probe::Probe;
use crate::spec::ServerOutcome;

/// How long a model may take to start listening before the run fails.
const LISTEN_DEADLINE: Duration = Duration::from_secs(30);

/// Both sides of a server run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServerFigures {
    /// What the client saw.
    pub load: LoadReport,
    /// What the model counted.
    pub tally: ServerOutcome,
    /// The most connections the model held open at once (the probe's gauge).
    pub peak_connections: u64,
}

pub(super) fn execute(model: &dyn Model, params: &Params) -> super::Ran<Box<ServerFigures>> {
    let spec = match params.server() {
        Ok(spec) => spec,
        Err(e) => {
            let e = ModelError::failed(format!("could not bind a listener: {e}")).to_string();
            return (0, Probe::default(), (Some(e), String::new()), None);
        }
    };
    let config = params.load_config(spec.addr);
    let (probe, stop) = (spec.probe.clone(), spec.stop.clone());
    // The conductor: waits for the model to listen, runs the load, then stops it.
    let conductor = std::thread::spawn(move || {
        if !probe.wait_begun(LISTEN_DEADLINE) {
            stop.stop();
            return None;
        }
        let report = load::run(&config);
        stop.stop();
        Some(report)
    });
    let start = Instant::now();
    let outcome = model.server(&spec);
    let call_ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    // A model that returned early (unsupported, failed) never began: the conductor
    // gives up at its deadline; stop it now instead.
    if spec.probe.begun_at().is_none() {
        spec.stop.stop();
    }
    let report = conductor.join().ok().flatten();
    let probe = spec.probe.clone();
    let mut figures: Option<Box<ServerFigures>> = None;
    let verdict = match (outcome, report) {
        (Err(e), _) => (Some(e.to_string()), String::new()),
        (Ok(_), None) => (
            Some(
                ModelError::failed(format!(
                    "the model did not call spec.probe.begin() within {} s, so no load \
                     was sent",
                    LISTEN_DEADLINE.as_secs()
                ))
                .to_string(),
            ),
            String::new(),
        ),
        (Ok(tally), Some(load)) => {
            let summary = format!(
                "{} of {} requests answered at {:.0}/s, p50 {:.1} ms, p99 {:.1} ms; \
                 {} connections held at once",
                load.ok,
                load.scheduled,
                load.achieved_rate(),
                load.latency.p50_us as f64 / 1e3,
                load.latency.p99_us as f64 / 1e3,
                probe.peak_alive()
            );
            let error = if probe.phases().is_none() {
                Some(
                    ModelError::failed(
                        "the model did not mark its measured phase \
                         (spec.probe.begin() and spec.probe.end())",
                    )
                    .to_string(),
                )
            } else {
                spec.verify(&tally, &load)
                    .err()
                    .map(|e| fell_behind(&tally, &load, e))
            };
            figures = Some(Box::new(ServerFigures {
                load,
                tally,
                peak_connections: probe.peak_alive(),
            }));
            (error, summary)
        }
    };
    (call_ns, probe, verdict, figures)
}

/// What a failed server run is called. A server that answered every request it
/// answered correctly, dropped no connection, and only ran out of time (requests
/// past their timeout, connections the backlog could not take) *fell behind*: a
/// measured result, shown unranked, not a broken model. Anything else (a corrupt
/// page, a reset, a bad status, a dropped connection) failed verification.
fn fell_behind(tally: &ServerOutcome, load: &LoadReport, e: crate::spec::VerifyError) -> String {
    let only_late = load.errors.keys().all(|k| k == "timeout" || k == "connect");
    if tally.dropped == 0 && load.failed() > 0 && only_late {
        format!(
            "fell behind: {} of {} requests not answered in time ({}); {:.0} pages/s",
            load.failed(),
            load.scheduled,
            load.errors_in_words(),
            load.achieved_rate()
        )
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::VerifyError;

    #[test]
    fn only_lateness_is_falling_behind() {
        let mut load = LoadReport {
            scheduled: 10,
            ok: 6,
            elapsed_ns: 1_000_000_000,
            ..LoadReport::default()
        };
        load.errors.insert("timeout".into(), 4);
        let tally = ServerOutcome::default();
        let e = || VerifyError("4 of 10 requests failed".into());
        assert!(fell_behind(&tally, &load, e()).starts_with("fell behind: 4 of 10"));
        load.errors.insert("corrupt".into(), 1);
        assert!(fell_behind(&tally, &load, e()).starts_with("verification failed"));
        load.errors.remove("corrupt");
        let dropped = ServerOutcome {
            dropped: 1,
            ..ServerOutcome::default()
        };
        assert!(fell_behind(&dropped, &load, e()).starts_with("verification failed"));
    }
}
