//! A semaphore: at most `n` permits out at once; whoever asks for one while none
//! is free waits in line, and is served first come, first served.
//!
//! asyncio's `Semaphore` is how most Python crawlers bound their requests: one task
//! per URL, each holding a permit while it fetches. The seeds' crawler bounds them
//! with a fixed number of workers instead; the crawl here uses this one.
//!
//! The line is a `BTreeMap` keyed by ticket number, as `timer.rs` keys its timers:
//! the first entry is the longest waiter, and a waiter that is dropped (a timeout,
//! a cancelled task) takes its own entry out by its key. A freed permit wakes the
//! first in line without handing the permit over: the woken task takes it when it
//! runs, and if it was dropped first, its `Drop` wakes the next. Either way no
//! wake-up is lost and no permit is stranded.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

#[derive(Debug)]
struct State {
    free: usize,
    /// Waiters by ticket: the first entry has waited longest.
    line: BTreeMap<u64, Waker>,
    next_ticket: u64,
}

impl State {
    /// The waker of the first in line, if a permit is free for it.
    fn next_up(&self) -> Option<Waker> {
        (self.free > 0).then(|| self.line.values().next().cloned())?
    }
}

/// Wakes `waker`, if any, once the state is no longer borrowed.
fn wake(waker: Option<Waker>) {
    if let Some(w) = waker {
        w.wake();
    }
}

/// `n` permits, shared by cloning.
#[derive(Debug, Clone)]
pub struct Semaphore(Rc<RefCell<State>>);

/// One permit; it goes back to the semaphore when dropped.
#[derive(Debug)]
pub struct Permit(Rc<RefCell<State>>);

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Self(Rc::new(RefCell::new(State {
            free: permits,
            line: BTreeMap::new(),
            next_ticket: 0,
        })))
    }

    /// A permit, once one is free and everyone who asked before has theirs.
    pub async fn acquire(&self) -> Permit {
        let mut place = Place {
            state: &self.0,
            ticket: None,
        };
        poll_fn(|cx| place.poll(cx)).await;
        Permit(Rc::clone(&self.0))
    }
}

/// A waiting `acquire`'s place in line: none until its first `Pending`.
struct Place<'a> {
    state: &'a RefCell<State>,
    ticket: Option<u64>,
}

impl Place<'_> {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.state.borrow_mut();
        let first = match self.ticket {
            None => s.line.is_empty(),
            Some(t) => s.line.keys().next() == Some(&t),
        };
        if first && s.free > 0 {
            s.free -= 1;
            if let Some(t) = self.ticket.take() {
                s.line.remove(&t);
            }
            // More than one permit may have come free: let the next one try too.
            let next = s.next_up();
            drop(s);
            wake(next);
            return Poll::Ready(());
        }
        match self.ticket {
            // Polled again while waiting: the wake must reach this latest waker.
            Some(t) => {
                if let Some(w) = s.line.get_mut(&t) {
                    w.clone_from(cx.waker());
                }
            }
            None => {
                let t = s.next_ticket;
                s.next_ticket += 1;
                s.line.insert(t, cx.waker().clone());
                self.ticket = Some(t);
            }
        }
        Poll::Pending
    }
}

impl Drop for Place<'_> {
    /// A waiter given up before its turn: out of the line, and, if a free permit
    /// was meant for it, the next in line is woken instead.
    fn drop(&mut self) {
        if let Some(t) = self.ticket.take() {
            let mut s = self.state.borrow_mut();
            s.line.remove(&t);
            let next = s.next_up();
            drop(s);
            wake(next);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.0.borrow_mut();
        s.free += 1;
        let next = s.next_up();
        drop(s);
        wake(next);
    }
}
