//! The `cancel` workload on the callbacks loop, through the harness's cell,
//! against an in-process delay server: the cell checks that every request ended
//! cancelled, that the server saw every connection close, and that nothing was
//! left open. One test, so no other test's sockets are counted beside it.

use std::time::Duration;

use cm_callbacks::Callbacks;
use harness::Model;
use harness::cell::{CellFigures, execute};
use harness::http::FetchErrorKind;
use harness::params::{Param, Params};
use harness::server::{self, ServerConfig};
use harness::spec::{CancelSpec, RequestEnd, Workload};

#[test]
fn cancels_every_request_in_flight_and_reports_those_that_failed_first() {
    let delay_server = server::spawn(ServerConfig::default()).expect("the delay server");
    let mut params = Params::new();
    params.set(Param::N, 8).unwrap();
    params.set(Param::AfterMs, 100).unwrap();
    let report = execute(&Callbacks, Workload::Cancel, &params, delay_server.addr());
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
    assert_eq!(f.sockets_left.filter(|s| *s > 0), None, "{f:?}");

    // Straight to the model: requests to a port nobody listens on fail before the
    // cancel, which still comes (and finds nothing left to cancel).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let spec = CancelSpec::new(addr, 3, 60_000, Duration::from_millis(50));
    let outcome = Callbacks.cancel(&spec).expect("an outcome");
    assert!(spec.cancelled_at().is_some(), "the cancel came");
    assert_eq!(outcome.ends.len(), 3);
    for end in &outcome.ends {
        assert!(
            matches!(end, RequestEnd::Failed(e) if e.kind() == FetchErrorKind::Connect),
            "{end:?}"
        );
    }
    assert_eq!(spec.probe.alive_now(), 0);
}
