//! The `cancel` workload in both baseline models, through the harness's cell,
//! against an in-process delay server: the cell checks that every request ended
//! cancelled, that the server saw every connection close, and that nothing was
//! left open. One test, so no other test's sockets are counted beside it.

use std::time::Duration;

use harness::Model;
use harness::cell::{CellFigures, execute};
use harness::params::{Param, Params};
use harness::server::{self, ServerConfig};
use harness::spec::{CancelSpec, Workload};

#[test]
fn threads_cancels_every_request_and_sequential_declines() {
    let delay_server = server::spawn(ServerConfig::default()).expect("the delay server");
    let mut params = Params::new();
    params.set(Param::N, 8).unwrap();
    params.set(Param::AfterMs, 100).unwrap();

    let report = execute(
        &cm_baseline::Threads,
        Workload::Cancel,
        &params,
        delay_server.addr(),
    );
    assert_eq!(report.error, None, "{}", report.summary);
    let Some(CellFigures::Cancel(f)) = report.figures else {
        panic!("no cancel figures: {report:?}")
    };
    assert_eq!(
        (f.cancelled, f.seen_by_server, f.tasks_left),
        (8, 8, 0),
        "{f:?}"
    );
    assert!(f.quiet_after_ns.is_some(), "{f:?}");

    // Straight to the model, not through the cell: the cell's watch would wait
    // its full deadline for requests that never come.
    let model: &dyn Model = &cm_baseline::Sequential;
    let spec = CancelSpec::new(delay_server.addr(), 8, 60_000, Duration::from_millis(100));
    let error = model.cancel(&spec).unwrap_err();
    assert!(error.is_unsupported(), "{error}");
    assert!(
        error.to_string().contains("cannot be in flight together"),
        "{error}"
    );
    assert!(
        spec.probe.phases().is_none(),
        "nothing ran, so nothing was measured"
    );
}
