//! Unit tests for each piece of the runtime, through its public API: the executor
//! (no lost wake-ups, panics reported, detached tasks freed), timers (fire in
//! order, cancel on drop), the channel, the reactor and `TcpStream`, the wake
//! path from other threads, and wakers that do runtime work of their own; then
//! `JoinHandle::abort`, `yield_now` and `TcpListener`.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use cm_minirt::rt::{
    JoinError, JoinHandle, Runtime, Sleep, TcpStream, channel, sleep, spawn, thread_channel,
    timeout,
};

fn rt() -> Runtime {
    Runtime::new().expect("a runtime needs only an epoll fd and an eventfd")
}

/// Yields once: wakes itself and returns Pending, like `asyncio.sleep(0)`.
async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

#[test]
fn block_on_returns_the_output_and_spawned_tasks_run() {
    let out = rt().block_on(async {
        let a = spawn(async { 20 });
        let b = spawn(async { 22 });
        a.await.unwrap() + b.await.unwrap()
    });
    assert_eq!(out, 42);
}

#[test]
fn tasks_interleave_in_fifo_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    rt().block_on({
        let log = Rc::clone(&log);
        async move {
            let handles: Vec<_> = ["a", "b"]
                .into_iter()
                .map(|name| {
                    let log = Rc::clone(&log);
                    spawn(async move {
                        for step in 1..=3 {
                            log.borrow_mut().push(format!("{name}{step}"));
                            yield_now().await;
                        }
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
    });
    assert_eq!(*log.borrow(), ["a1", "b1", "a2", "b2", "a3", "b3"]);
}

#[test]
fn a_wake_during_the_poll_is_not_lost() {
    // The task wakes itself before returning Pending a thousand times; each wake
    // must bring exactly one more poll.
    let polls = rt().block_on(async {
        spawn(async {
            let mut polls = 0;
            poll_fn(|cx| {
                polls += 1;
                if polls == 1000 {
                    return Poll::Ready(());
                }
                cx.waker().wake_by_ref();
                cx.waker().wake_by_ref(); // a second wake before the poll: no extra poll
                Poll::Pending
            })
            .await;
            polls
        })
        .await
        .unwrap()
    });
    assert_eq!(polls, 1000);
}

#[test]
fn a_task_that_panics_is_reported_and_the_others_go_on() {
    let (err, other) = rt().block_on(async {
        let bad = spawn(async {
            yield_now().await;
            panic!("boom at step 2");
        });
        let good = spawn(async {
            yield_now().await;
            7
        });
        (bad.await.unwrap_err(), good.await.unwrap())
    });
    assert_eq!(
        err,
        cm_minirt::rt::JoinError::Panicked("boom at step 2".into())
    );
    assert!(err.to_string().contains("task panicked"), "{err}");
    assert_eq!(other, 7);
}

/// Sets its flag when dropped: shows a future was freed.
struct DropFlag(Rc<RefCell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        *self.0.borrow_mut() = true;
    }
}

#[test]
fn a_dropped_join_handle_does_not_leak_the_task() {
    let freed = Rc::new(RefCell::new(false));
    let runtime = rt();
    runtime.block_on({
        let freed = Rc::clone(&freed);
        async move {
            let flag = DropFlag(freed);
            let handle = spawn(async move {
                sleep(Duration::from_millis(5)).await;
                drop(flag);
                vec![0u8; 1024] // an output nobody collects
            });
            drop(handle);
            sleep(Duration::from_millis(20)).await;
        }
    });
    assert!(*freed.borrow(), "the detached task ran to its end");
    assert_eq!(runtime.live_tasks(), 0, "and was freed");
}

#[test]
fn dropping_the_runtime_drops_unfinished_tasks() {
    let freed = Rc::new(RefCell::new(false));
    {
        let runtime = rt();
        runtime.block_on({
            let freed = Rc::clone(&freed);
            async move {
                let flag = DropFlag(freed);
                drop(spawn(async move {
                    sleep(Duration::from_secs(3600)).await;
                    drop(flag);
                }));
                yield_now().await;
            }
        });
        assert_eq!(runtime.live_tasks(), 1);
        assert!(!*freed.borrow());
    }
    assert!(*freed.borrow());
}

#[test]
fn timers_fire_in_deadline_order_then_in_registration_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let started = Instant::now();
    rt().block_on({
        let order = Rc::clone(&order);
        async move {
            let handles: Vec<_> = [(30, 'c'), (10, 'a'), (20, 'b'), (20, 'B'), (0, '0')]
                .into_iter()
                .map(|(ms, name)| {
                    let order = Rc::clone(&order);
                    spawn(async move {
                        sleep(Duration::from_millis(ms)).await;
                        order.borrow_mut().push(name);
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
    });
    assert_eq!(*order.borrow(), ['0', 'a', 'b', 'B', 'c']);
    // No timer fires early. (No upper bound: a slow machine may fire them late.)
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(30), "{took:?}");
}

#[test]
fn timeout_cancels_the_slow_future_and_lets_the_fast_one_finish() {
    rt().block_on(async {
        let slow = timeout(Duration::from_millis(10), sleep(Duration::from_secs(3600))).await;
        assert_eq!(slow, None);
        let fast = timeout(Duration::from_secs(3600), async { 5 }).await;
        assert_eq!(fast, Some(5));
    });
}

#[test]
fn a_dropped_sleep_never_wakes_its_task() {
    // The task files a 20 ms timer, drops the sleep, and waits for a message that
    // comes at 60 ms. A timer left behind would poll it once more at 20 ms.
    let polls = rt().block_on(async {
        let (mut tx, mut rx) = channel::channel::<()>(1);
        let waiter = spawn(async move {
            let mut polls = 0;
            let mut early = Some(Box::pin(sleep(Duration::from_millis(20))));
            let mut message = pin!(rx.recv());
            poll_fn(|cx| {
                polls += 1;
                if let Some(mut early) = early.take() {
                    // Files the timer; the sleep is dropped at the end of this block.
                    assert!(early.as_mut().poll(cx).is_pending());
                }
                message.as_mut().poll(cx).map(|_| polls)
            })
            .await
        });
        sleep(Duration::from_millis(60)).await;
        tx.send(()).await.unwrap();
        waiter.await.unwrap()
    });
    assert_eq!(
        polls, 2,
        "polled at the start and for the message, not for the timer"
    );
}

#[test]
fn a_late_wake_for_a_finished_task_is_harmless() {
    // Task `a` ends but leaves its waker behind, and `b` reuses its place in the
    // task list. The stale wake may poll `b` once for nothing; `b` still waits for
    // its value and gets it.
    let got = rt().block_on(async {
        let stale = Rc::new(RefCell::new(None));
        let keep = Rc::clone(&stale);
        spawn(poll_fn(move |cx| {
            *keep.borrow_mut() = Some(cx.waker().clone());
            Poll::Ready(())
        }))
        .await
        .unwrap();
        let (mut tx, mut rx) = channel::channel::<u32>(1);
        let b = spawn(async move { rx.recv().await });
        yield_now().await;
        let stale: Option<Waker> = stale.borrow_mut().take();
        stale.expect("task a left its waker").wake();
        yield_now().await;
        tx.send(9).await.unwrap();
        b.await.unwrap()
    });
    assert_eq!(got, Some(9));
}

#[test]
fn channel_waits_when_full_and_closes_when_a_side_drops() {
    let got = rt().block_on(async {
        let (mut tx, mut rx) = channel::channel::<u32>(2);
        let producer = spawn(async move {
            for i in 0..10 {
                tx.send(i).await.unwrap();
            }
        });
        let mut got = Vec::new();
        while let Some(v) = rx.recv().await {
            got.push(v);
        }
        producer.await.unwrap();
        // With the receiver gone, send gives the value back.
        let (mut tx, rx) = channel::channel::<u32>(1);
        drop(rx);
        assert_eq!(tx.send(9).await, Err(9));
        got
    });
    assert_eq!(got, (0..10).collect::<Vec<_>>());
}

#[test]
fn an_unbounded_channel_never_makes_the_sender_wait() {
    let got = rt().block_on(async {
        let (mut tx, mut rx) = channel::unbounded::<u32>();
        // One task sends everything before anyone receives: a bound would stall it.
        let sent = timeout(Duration::from_secs(5), async {
            for i in 0..1000 {
                tx.send(i).await.unwrap();
            }
        })
        .await;
        assert_eq!(sent, Some(()), "a send waited");
        drop(tx);
        let mut got = Vec::new();
        while let Some(v) = rx.recv().await {
            got.push(v);
        }
        got
    });
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
}

#[test]
fn tcp_stream_talks_to_a_real_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 5];
        conn.read_exact(&mut buf).unwrap();
        thread::sleep(Duration::from_millis(20)); // make the client wait
        conn.write_all(&buf).unwrap();
    });
    let echoed = rt().block_on(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"hello").await.unwrap();
        let mut out = Vec::new();
        let mut buf = [0u8; 16];
        loop {
            match stream.read(&mut buf).await.unwrap() {
                0 => break out,
                n => out.extend_from_slice(&buf[..n]),
            }
        }
    });
    server.join().unwrap();
    assert_eq!(echoed, b"hello");
}

#[test]
fn connecting_where_nothing_listens_fails() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = rt().block_on(TcpStream::connect(addr)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn wakes_from_other_threads_reach_a_parked_loop() {
    let sum = rt().block_on(async {
        let (tx, mut rx) = thread_channel::channel::<u64>();
        let workers: Vec<_> = (0..4)
            .map(|t| {
                let tx = tx.clone();
                thread::spawn(move || {
                    for i in 0..1000 {
                        if i % 100 == 0 {
                            thread::sleep(Duration::from_millis(1)); // let the loop park
                        }
                        tx.send(t * 1000 + i).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let mut sum = 0;
        while let Some(v) = rx.recv().await {
            sum += v;
        }
        for w in workers {
            w.join().unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..4000).sum::<u64>());
}

/// A waker that does some runtime work of its own when woken, then wakes the task
/// it wraps, as a combinator's or an instrumentation layer's waker may. A `Waker`
/// must be `Send`, and sleeps and sockets are not, so `work` reaches them through
/// a thread-local; it runs on the loop's thread, inside the loop's wake.
struct Busy {
    task: Waker,
    work: fn(),
}

impl Wake for Busy {
    fn wake(self: Arc<Self>) {
        (self.work)();
        self.task.wake_by_ref();
    }
}

/// Polls `future` to its end with a [`Busy`] waker around the task's own, and
/// calls `on_pending` each time it returns `Pending`.
async fn with_busy_waker<F: Future>(
    work: fn(),
    future: F,
    mut on_pending: impl FnMut(),
) -> F::Output {
    let mut future = pin!(future);
    poll_fn(|cx| {
        let waker = Waker::from(Arc::new(Busy {
            task: cx.waker().clone(),
            work,
        }));
        let poll = future.as_mut().poll(&mut Context::from_waker(&waker));
        if poll.is_pending() {
            on_pending();
        }
        poll
    })
    .await
}

#[test]
fn a_timer_waker_may_cancel_and_file_timers() {
    thread_local! {
        /// The sleeps the waker below works on: one to cancel, one it files.
        static EARLY: RefCell<Option<Pin<Box<Sleep>>>> = const { RefCell::new(None) };
        static FILED: RefCell<Option<Pin<Box<Sleep>>>> = const { RefCell::new(None) };
    }
    /// Drops a filed sleep (its entry leaves the timers) and files a new one.
    fn cancel_and_file() {
        drop(EARLY.take());
        let mut later = Box::pin(sleep(Duration::from_secs(3600)));
        let noop = &mut Context::from_waker(Waker::noop());
        assert!(later.as_mut().poll(noop).is_pending());
        FILED.set(Some(later));
    }
    let mut pending = 0;
    rt().block_on(async {
        let mut early = Box::pin(sleep(Duration::from_secs(3600)));
        assert!(
            early
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending()
        );
        EARLY.set(Some(early));
        let nap = sleep(Duration::from_millis(20));
        with_busy_waker(cancel_and_file, nap, || pending += 1).await;
    });
    assert_eq!(pending, 1, "the nap waited once, so its timer's waker ran");
    assert!(
        EARLY.with_borrow(Option::is_none),
        "the waker cancelled a timer"
    );
    assert!(FILED.take().is_some(), "and filed one");
}

#[test]
fn an_io_waker_may_close_a_socket() {
    thread_local! {
        /// The connection the waker below closes.
        static OTHER: RefCell<Option<TcpStream>> = const { RefCell::new(None) };
    }
    fn close_other() {
        drop(OTHER.take());
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (go, wait) = mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let (mut first, _) = listener.accept().unwrap();
        let (_second, _) = listener.accept().unwrap();
        // Only once the client waits on `first` with the busy waker.
        wait.recv().unwrap();
        first.write_all(b"x").unwrap();
    });
    let read = rt().block_on(async move {
        let mut first = TcpStream::connect(addr).await.unwrap();
        OTHER.set(Some(TcpStream::connect(addr).await.unwrap()));
        let mut buf = [0u8; 4];
        let read = first.read(&mut buf);
        let n = with_busy_waker(close_other, read, || {
            // The server waits for this; it is gone only if it panicked.
            let _ = go.send(());
        })
        .await;
        n.unwrap()
    });
    server.join().unwrap();
    assert_eq!(read, 1);
    assert!(
        OTHER.with_borrow(Option::is_none),
        "the waker closed the socket"
    );
}

#[test]
#[should_panic(expected = "inside Runtime::block_on")]
fn spawn_outside_a_runtime_panics() {
    drop(spawn(async {}));
}

#[test]
fn abort_drops_the_future_before_the_handle_says_cancelled() {
    let rt = rt();
    let dropped = Rc::new(RefCell::new(false));
    let seen = Rc::clone(&dropped);
    let got = rt.block_on(async move {
        let flag = DropFlag(Rc::clone(&seen));
        let task = spawn(async move {
            let _flag = flag;
            sleep(Duration::from_secs(3600)).await; // its timer must go with it
            "never"
        });
        yield_now().await; // the task is asleep now
        assert!(!*seen.borrow());
        task.abort();
        task.abort(); // a second abort changes nothing
        let got = task.await;
        assert!(
            *seen.borrow(),
            "the future is dropped before the handle returns"
        );
        got
    });
    assert_eq!(got, Err(JoinError::Cancelled));
    assert!(*dropped.borrow());
    assert_eq!(rt.live_tasks(), 0);
}

#[test]
fn abort_after_the_end_keeps_the_output() {
    let got = rt().block_on(async {
        let task = spawn(async { 7 });
        yield_now().await; // the task has run to its end
        task.abort();
        task.await
    });
    assert_eq!(got, Ok(7));
}

#[test]
fn a_task_may_abort_itself() {
    // The task is being polled when it aborts, so it is not on the task list to
    // be woken: it must end as soon as that poll returns.
    let got = rt().block_on(async {
        let own: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let (_keep, mut never) = channel::channel::<()>(1);
        let mine = Rc::clone(&own);
        let task = spawn(async move {
            if let Some(handle) = mine.borrow().as_ref() {
                handle.abort();
            }
            never.recv().await; // nothing ever comes
        });
        *own.borrow_mut() = Some(task);
        yield_now().await;
        let task = own.borrow_mut().take().expect("the handle is back");
        // Bounded, so a task that never ends fails the test instead of hanging it.
        timeout(Duration::from_secs(5), task).await
    });
    assert_eq!(got, Some(Err(JoinError::Cancelled)));
}

#[test]
fn aborting_a_read_closes_its_socket() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        // Blocks until the other side closes: the abort is what closes it.
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest).unwrap();
        rest.len()
    });
    rt().block_on(async move {
        let reader = spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let mut buf = [0u8; 16];
            stream.read(&mut buf).await.map(|_| ()) // the peer never writes
        });
        sleep(Duration::from_millis(20)).await;
        reader.abort();
        assert_eq!(reader.await.unwrap_err(), JoinError::Cancelled);
    });
    assert_eq!(peer.join().unwrap(), 0, "the peer saw the close");
}

#[test]
fn yield_now_lets_a_due_timer_run_before_the_yielder_goes_on() {
    let log = Rc::new(RefCell::new(Vec::new()));
    rt().block_on({
        let log = Rc::clone(&log);
        async move {
            let tick_log = Rc::clone(&log);
            let ticker = spawn(async move {
                sleep(Duration::from_millis(1)).await;
                tick_log.borrow_mut().push("tick");
            });
            let hog_log = Rc::clone(&log);
            let hog = spawn(async move {
                // Busy past the ticker's deadline, never awaiting: its timer is due.
                let start = Instant::now();
                while start.elapsed() < Duration::from_millis(3) {
                    std::hint::spin_loop();
                }
                hog_log.borrow_mut().push("chunk 1");
                cm_minirt::rt::yield_now().await;
                hog_log.borrow_mut().push("chunk 2");
            });
            ticker.await.unwrap();
            hog.await.unwrap();
        }
    });
    // A wake straight onto the ready queue would give "chunk 1", "chunk 2", "tick":
    // the hog would be the only ready task and run on before the timers are seen.
    assert_eq!(*log.borrow(), ["chunk 1", "tick", "chunk 2"]);
}

#[test]
fn a_listener_accepts_until_it_is_dropped() {
    let std_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let client = thread::spawn(move || {
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.write_all(b"ping").unwrap();
        let mut answer = [0u8; 4];
        conn.read_exact(&mut answer).unwrap();
        answer
    });
    rt().block_on(async move {
        let mut listener = cm_minirt::rt::TcpListener::from_std(std_listener).unwrap();
        let (mut conn, peer) = listener.accept().await.unwrap();
        assert!(peer.ip().is_loopback());
        let mut buf = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            got += conn.read(&mut buf[got..]).await.unwrap();
        }
        assert_eq!(&buf, b"ping");
        conn.write_all(b"pong").await.unwrap();
    });
    assert_eq!(&client.join().unwrap(), b"pong");
    // The runtime, and the listener with it, are gone: the port refuses.
    assert!(std::net::TcpStream::connect(addr).is_err());
}
