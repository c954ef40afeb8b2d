//! Step 8 of the tour (`docs/tour.md`): the crawler with a queue and a fixed number
//! of workers, as in the 500 Lines crawler (its `max_tasks`).
//!
//! Step 7 spawned one task per URL: fine for ten URLs known in advance. A crawler
//! learns its URLs as it goes, from the links in each page, and should not open a
//! connection per link. So the 500 Lines crawler puts URLs on a queue and starts
//! `max_tasks` workers, each a loop of "take a URL, fetch it, queue the links not
//! seen before, mark the URL done". The crawl is over when no URL is unfinished:
//! the queue counts the URLs put and not yet done (asyncio's `Queue.join` and
//! `task_done`). There the main coroutine awaits `join` and then cancels the
//! workers; here [`WorkQueue::get`] answers `None` once the count is zero, and the
//! workers return by themselves.
//!
//! The delay server's pages carry no links, so [`links`] stands in for parsing
//! them: page `i` links to pages `2i+1` and `2i+2` (below [`PAGES`]) and back to
//! page 0, which the `seen` set drops, as 500 Lines drops what is in `seen_urls`.
//! Three workers crawl twelve pages that take 100 ms each; the server's own count
//! shows that no more than three requests were ever in flight.
//!
//! Run: `cargo run -p cm-minirt --example 8_crawler_workers`

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::future::poll_fn;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use cm_minirt::rt::{Runtime, TcpStream, spawn};
use harness::pages;
use harness::server::{self, ServerConfig};

/// Pages in the site.
const PAGES: u64 = 12;
/// Workers: the most requests in flight at once (500 Lines' `max_tasks`).
const MAX_TASKS: usize = 3;

/// The links on page `i`: its two children in a binary tree, and home.
fn links(i: u64) -> impl Iterator<Item = u64> {
    [2 * i + 1, 2 * i + 2, 0].into_iter().filter(|&j| j < PAGES)
}

// ## The queue

struct Queue {
    urls: VecDeque<u64>,
    /// URLs put and not yet marked done: what `Queue.join` waits to see at zero.
    unfinished: usize,
    /// Workers waiting for a URL.
    waiting: Vec<Waker>,
}

/// The queue the workers share. One thread runs every task, so an `Rc<RefCell>`
/// does; no borrow is held across an `.await`.
#[derive(Clone)]
struct WorkQueue(Rc<RefCell<Queue>>);

impl WorkQueue {
    fn new() -> Self {
        WorkQueue(Rc::new(RefCell::new(Queue {
            urls: VecDeque::new(),
            unfinished: 0,
            waiting: Vec::new(),
        })))
    }

    /// `q.put_nowait(url)`: queue it and wake one waiting worker.
    fn put(&self, url: u64) {
        let waiter = {
            let mut q = self.0.borrow_mut();
            q.urls.push_back(url);
            q.unfinished += 1;
            q.waiting.pop()
        };
        if let Some(waker) = waiter {
            waker.wake();
        }
    }

    /// `await q.get()`, ending: the next URL, or `None` once every URL put has been
    /// marked done and the crawl is over.
    async fn get(&self) -> Option<u64> {
        poll_fn(|cx| {
            let mut q = self.0.borrow_mut();
            if let Some(url) = q.urls.pop_front() {
                return Poll::Ready(Some(url));
            }
            if q.unfinished == 0 {
                return Poll::Ready(None);
            }
            // Empty, but a worker still fetching may find more links: wait.
            q.waiting.push(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    /// `q.task_done()`. The last one wakes every waiting worker, to see the end.
    fn task_done(&self) {
        let waiters = {
            let mut q = self.0.borrow_mut();
            q.unfinished -= 1;
            if q.unfinished == 0 {
                std::mem::take(&mut q.waiting)
            } else {
                Vec::new()
            }
        };
        waiters.into_iter().for_each(Waker::wake);
    }
}

// ## A worker

/// GET `path` and return the whole response (step 7's fetch).
async fn fetch(addr: SocketAddr, path: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await? {
            0 => return Ok(response),
            n => response.extend_from_slice(&buf[..n]),
        }
    }
}

/// A 200 whose body is page `i` as the server must send it.
fn is_page(response: &[u8], i: u64) -> bool {
    let Some(head_end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    response.get(9..12) == Some(b"200".as_slice())
        && response[head_end + 4..] == pages::body(i, pages::DEFAULT_BODY_BYTES)
}

/// What the workers found, shared among them.
struct Crawl {
    queue: WorkQueue,
    seen: RefCell<HashSet<u64>>,
    good: RefCell<usize>,
    start: Instant,
}

/// 500 Lines' `work`: take a URL, fetch it, queue its new links, mark it done.
async fn worker(id: usize, addr: SocketAddr, crawl: Rc<Crawl>) {
    while let Some(i) = crawl.queue.get().await {
        let response = fetch(addr, &format!("/page/{i}")).await;
        let ok = response.as_deref().is_ok_and(|r| is_page(r, i));
        *crawl.good.borrow_mut() += usize::from(ok);
        let found: Vec<u64> = links(i)
            .filter(|&j| crawl.seen.borrow_mut().insert(j))
            .collect();
        println!(
            "{:>7.1?}  worker {id}: /page/{i} {}, new links {found:?}",
            crawl.start.elapsed(),
            if ok { "ok" } else { "BAD" },
        );
        found.into_iter().for_each(|j| crawl.queue.put(j));
        crawl.queue.task_done();
    }
}

fn main() -> std::io::Result<()> {
    let server = server::spawn(ServerConfig {
        delay: Duration::from_millis(100),
        ..ServerConfig::default()
    })?;
    let addr = server.addr();
    let rt = Runtime::new()?;
    let crawl = Rc::new(Crawl {
        queue: WorkQueue::new(),
        seen: RefCell::new(HashSet::from([0])),
        good: RefCell::new(0),
        start: Instant::now(),
    });
    crawl.queue.put(0);
    let workers = Rc::clone(&crawl);
    rt.block_on(async move {
        let tasks: Vec<_> = (1..=MAX_TASKS)
            .map(|id| spawn(worker(id, addr, Rc::clone(&workers))))
            .collect();
        for task in tasks {
            task.await.expect("a worker does not panic");
        }
    });
    let seen = crawl.seen.borrow().len();
    let good = *crawl.good.borrow();
    println!("took {:.2?}", crawl.start.elapsed());
    // The last line is what `tests/examples.rs` checks: the same on every run.
    println!(
        "{good} of {seen} pages found from /page/0 fetched right by {MAX_TASKS} workers, \
         at most {} requests in flight",
        server.stats().peak_in_flight()
    );
    Ok(())
}
