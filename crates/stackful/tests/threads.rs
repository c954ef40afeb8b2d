//! `--threads` in fresh processes, the way the CLI runs every cell: for each
//! workload, a child process whose first may run asks for 1 worker and one whose
//! first run asks for 3 must differ by exactly the two extra worker threads, as the
//! probe counts them. (In one process may's workers are fixed by its first run;
//! `tests/conformance.rs` explains why the shared suite cannot check this itself.)

use std::process::Command;
use std::time::Duration;

use harness::Model;
use harness::Probe;
use harness::server::{self, ServerConfig};
use harness::spec::{
    CancelSpec, CrawlSpec, FairnessSpec, FanoutSpec, PingPongSpec, RingSpec, ServerSpec, SpawnSpec,
    Workload,
};
use harness::{http, pages};

/// Set in a child: which workload to run, and with how many threads.
const CHILD_ENV: &str = "CM_STACKFUL_THREADS_CHILD";
/// What a child prints before its count, for the parent to find it.
const MARK: &str = "probe os_threads=";

#[test]
fn threads_sets_may_workers_in_a_fresh_process() {
    if let Ok(job) = std::env::var(CHILD_ENV) {
        child(&job);
        return;
    }
    for w in Workload::ALL {
        let one = in_child(w, 1);
        let three = in_child(w, 3);
        assert_eq!(
            three,
            one + 2,
            "{w}: {one} OS threads with --threads 1, {three} with --threads 3"
        );
    }
}

/// Runs this test again in a child process as `workload` on `threads` workers and
/// returns the OS threads its probe counted.
fn in_child(workload: Workload, threads: usize) -> usize {
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([
            "--exact",
            "threads_sets_may_workers_in_a_fresh_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{workload} {threads}"))
        .output()
        .expect("start the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{workload} with {threads} threads: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        // libtest may print its own "test ... " before the line: look inside it.
        .find_map(|l| l.split_once(MARK)?.1.trim().parse().ok())
        .unwrap_or_else(|| panic!("{workload}: no count in the child's output:\n{stdout}"))
}

/// The child: one run, the first may run of this process, then its thread count.
fn child(job: &str) {
    let (workload, threads) = job.split_once(' ').expect("workload and threads");
    let workload: Workload = workload.parse().expect("a workload name");
    let threads: usize = threads.parse().expect("a thread count");
    // Started before the run, so its threads are in both children's counts alike.
    let server = server::spawn(ServerConfig::default()).expect("start the delay server");
    let probe = Probe::default();
    let model = cm_stackful::May;
    let ran = match workload {
        Workload::Crawl => {
            let mut s = CrawlSpec::pages(server.addr(), 4, 0, 10);
            (s.threads, s.probe) = (threads, probe.clone());
            model.crawl(&s).map(|o| s.verify(&o).is_ok())
        }
        Workload::PingPong => {
            let mut s = PingPongSpec::new(10);
            (s.threads, s.probe) = (threads, probe.clone());
            model.pingpong(&s).map(|o| s.verify(&o).is_ok())
        }
        Workload::Ring => {
            let mut s = RingSpec::new(10, 10);
            (s.threads, s.probe) = (threads, probe.clone());
            model.ring(&s).map(|o| s.verify(&o).is_ok())
        }
        Workload::Spawn => {
            let mut s = SpawnSpec::new(10, Duration::from_millis(50));
            (s.threads, s.probe) = (threads, probe.clone());
            model.spawn(&s).map(|o| s.verify(&o).is_ok())
        }
        Workload::Fanout => {
            let mut s = FanoutSpec::new(10, 2);
            (s.threads, s.probe) = (threads, probe.clone());
            model.fanout(&s).map(|o| s.verify(&o).is_ok())
        }
        Workload::Server => {
            let mut s = ServerSpec::bind(2).expect("bind a listener");
            (s.threads, s.probe) = (threads, probe.clone());
            // The server on a thread of its own, stopped after one page.
            std::thread::scope(|scope| {
                let served = scope.spawn(|| model.server(&s));
                assert!(
                    s.probe.wait_begun(Duration::from_secs(10)),
                    "the server began"
                );
                let path = pages::page_path(1, 5, 100);
                let fetched = http::fetch_blocking(s.addr, &path, Duration::from_secs(5));
                s.stop.stop();
                let served = served.join().expect("the server thread");
                served.map(|o| fetched.is_ok() && o.answered == 1 && o.dropped == 0)
            })
        }
        Workload::Fairness => {
            let mut s = FairnessSpec::new(Duration::from_millis(1), 2, 1, 50);
            (s.hog_items, s.threads, s.probe) = (200, threads, probe.clone());
            model.fairness(&s).map(|o| s.verify(&o).is_ok())
        }
        Workload::Cancel => {
            let mut s = CancelSpec::new(server.addr(), 4, 60_000, Duration::from_millis(100));
            (s.threads, s.probe) = (threads, probe.clone());
            model.cancel(&s).map(|o| s.verify(&o).is_ok())
        }
    };
    assert_eq!(ran, Ok(true), "{workload} ran and verified");
    let os_threads = probe
        .phases()
        .and_then(|p| p.os_threads)
        .expect("both marks");
    println!("\n{MARK}{os_threads}");
}
