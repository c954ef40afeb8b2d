//! Model-checks the wake path from other threads under every interleaving loom can
//! find. The runtime's own files are compiled here against loom's `Mutex`, `Arc`
//! and atomics (they import them from `super::sync`), so the checked code is the
//! shipped code.
//!
//! Run: `cargo test -p cm-minirt --features loom --test loom --release`
//! Without the feature this file compiles to nothing. (Not `--cfg loom`: that cfg
//! would reach tokio through the harness, and tokio drops `tokio::net` under it.)
#![cfg(feature = "loom")]

mod sync {
    pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};
    pub(crate) use loom::sync::{Arc, Mutex};
}

#[allow(dead_code)]
#[path = "../src/rt/remote.rs"]
mod remote;

#[allow(dead_code)]
#[path = "../src/rt/thread_channel.rs"]
mod thread_channel;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

/// Stands in for the `mio::Waker`: a flag the loop sleeps on until it is set.
#[derive(Default)]
struct Poke {
    poked: Mutex<bool>,
    cond: Condvar,
}

impl Poke {
    fn wake(&self) {
        *self.poked.lock().unwrap() = true;
        self.cond.notify_one();
    }

    /// `epoll_wait` with no timeout: returns once poked, consuming the poke.
    fn park(&self) {
        let mut poked = self.poked.lock().unwrap();
        while !*poked {
            poked = self.cond.wait(poked).unwrap();
        }
        *poked = false;
    }
}

/// A waker that pokes, as a runtime's waker ends in the `mio::Waker`.
impl Wake for Poke {
    fn wake(self: std::sync::Arc<Self>) {
        Poke::wake(&self);
    }
}

/// The smallest executor: poll, park until woken, poll again.
fn block_on<F: Future>(future: F) -> F::Output {
    let poke = std::sync::Arc::new(Poke::default());
    let waker = Waker::from(std::sync::Arc::clone(&poke));
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return out;
        }
        poke.park();
    }
}

/// Explores every interleaving with up to three preemptions per execution, loom's
/// advice for keeping runs short; the known wake-up races need one or two.
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(f);
}

/// Two threads wake tasks while the loop drains and parks. If a wake could be lost,
/// the loop would park with nobody left to poke it, and loom reports the deadlock.
#[test]
fn inbox_never_loses_a_wake() {
    model(|| {
        let inbox = Arc::new(remote::Inbox::new());
        let poke = Arc::new(Poke::default());
        let wakers: Vec<_> = (0..2)
            .map(|id| {
                let (inbox, poke) = (Arc::clone(&inbox), Arc::clone(&poke));
                thread::spawn(move || {
                    if inbox.push(id) {
                        poke.wake();
                    }
                })
            })
            .collect();
        let mut seen = Vec::new();
        loop {
            inbox.drain(&mut seen);
            if seen.len() == 2 {
                break;
            }
            poke.park();
        }
        for w in wakers {
            w.join().unwrap();
        }
        seen.sort_unstable();
        assert_eq!(seen, [0, 1]);
    });
}

/// Two threads send into a task awaiting `recv` (`block_on` parks until the waker
/// is called): every value arrives, then the end of the stream.
#[test]
fn thread_channel_delivers_everything_then_ends() {
    model(|| {
        let (tx, mut rx) = thread_channel::channel::<u32>();
        let senders: Vec<_> = [1, 2]
            .into_iter()
            .map(|v| {
                let tx = tx.clone();
                thread::spawn(move || tx.send(v).unwrap())
            })
            .collect();
        drop(tx);
        let mut got = block_on(async {
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        for s in senders {
            s.join().unwrap();
        }
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}
