//! crawl with threads: `concurrency` OS threads, each blocking in its own fetch.
//!
//! The threads share one atomic cursor into the path list (the "queue") and each
//! hands its `(index, result)` pairs back through its join handle; the caller puts
//! them in path order. One blocked thread per request in flight is the model's
//! promise and its price: a 1-second page costs a sleeping kernel thread and its
//! stack for that second.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use harness::ModelError;
use harness::http::{FetchResult, fetch_blocking};
use harness::spec::{CrawlOutcome, CrawlSpec};

use super::{builder, check_thread_budget, join, spawn_failed};

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.in_flight();
    check_thread_budget(workers)?;
    spec.reserve_sockets()?;
    // No runtime to build: the work starts with the first thread.
    spec.probe.begin();
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<FetchResult>> = vec![None; spec.paths.len()];
    thread::scope(|s| {
        let mut handles = Vec::with_capacity(workers);
        for w in 0..workers {
            let next = &next;
            let handle = builder("crawl").spawn_scoped(s, move || {
                let mut mine = Vec::new();
                // Relaxed is enough: the cursor only hands out distinct indices;
                // the results travel back through the join, which synchronises.
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = spec.paths.get(i) else { break };
                    mine.push((i, fetch_blocking(spec.addr, path, spec.timeout)));
                }
                mine
            });
            match handle {
                Ok(h) => handles.push(h),
                // The threads already started finish the whole list on their own.
                Err(e) if w > 0 => {
                    drop(e);
                    break;
                }
                Err(e) => return Err(spawn_failed(w, workers, &e)),
            }
        }
        for h in handles {
            for (i, r) in join(h)? {
                results[i] = Some(r);
            }
        }
        Ok(())
    })?;
    spec.probe.end();
    CrawlOutcome::from_slots(results)
}
