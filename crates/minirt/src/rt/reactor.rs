//! The reactor: the seeds' `selector`. Each socket is registered once with a token
//! (its index here); a task that meets `WouldBlock` leaves its waker in the token's
//! slot; `poll` runs `epoll_wait` (through mio) and hands the loop the waker behind
//! each event. The seeds register a callback per event (`selector.register(fd,
//! EVENT_READ, on_readable)`); here the "callback" is always the same: wake the task.
//! The loop wakes them once the reactor is no longer borrowed, so a waker that
//! opens or drops a socket does not find it busy.
//!
//! mio is edge-triggered: an event means "something changed", not "ready now". That
//! is safe here because a task only waits after the socket said `WouldBlock`, and
//! any byte that arrives after that raises a new edge. Events come only between
//! task polls, on this thread, so a waker can never be missed in between.
//!
//! One waker per socket is enough because [`TcpStream`](super::TcpStream) takes
//! `&mut self` to read or write: one operation at a time can wait on it. Any event
//! wakes that task, which retries its system call; an event for the other direction
//! costs it one `WouldBlock`. tokio's I/O driver keeps a reader and a writer apart
//! (so two tasks may split a socket), plus readiness bits with a tick counter per
//! source, so a task can skip a syscall it knows would block; its sources live in a
//! slab shared across worker threads.

use std::io;
use std::task::Waker;
use std::time::Duration;

use mio::event::Source;
use mio::{Events, Interest, Poll, Token};

/// The token of the runtime's `mio::Waker` (the cross-thread poke).
const WAKE_TOKEN: Token = Token(usize::MAX);

#[derive(Debug)]
pub(crate) struct Reactor {
    poll: Poll,
    events: Events,
    /// The task waiting on each socket, by token.
    waiting: Vec<Option<Waker>>,
    /// Tokens of dropped sockets, for reuse.
    free: Vec<usize>,
}

impl Reactor {
    /// A reactor, and the `mio::Waker` that ends its `poll` from any thread.
    pub(crate) fn new() -> io::Result<(Self, mio::Waker)> {
        let poll = Poll::new()?;
        let poke = mio::Waker::new(poll.registry(), WAKE_TOKEN)?;
        let reactor = Self {
            poll,
            events: Events::with_capacity(1024),
            waiting: Vec::new(),
            free: Vec::new(),
        };
        Ok((reactor, poke))
    }

    /// `selector.register`: watch `source` both ways, for as long as it lives.
    pub(crate) fn register(&mut self, source: &mut impl Source) -> io::Result<usize> {
        let token = self.free.last().copied().unwrap_or(self.waiting.len());
        let interest = Interest::READABLE | Interest::WRITABLE;
        self.poll
            .registry()
            .register(source, Token(token), interest)?;
        // Claimed only once registered, so a failure leaves nothing to undo.
        if self.free.pop().is_none() {
            self.waiting.push(None);
        }
        Ok(token)
    }

    /// `selector.unregister`, when the socket is dropped.
    pub(crate) fn deregister(&mut self, source: &mut impl Source, token: usize) {
        // Closing the socket right after removes it from epoll anyway; an error here
        // changes nothing.
        let _ = self.poll.registry().deregister(source);
        self.waiting[token] = None;
        self.free.push(token);
    }

    /// Leaves `waker` to be woken at the next event on `token`.
    pub(crate) fn wait(&mut self, token: usize, waker: &Waker) {
        self.waiting[token] = Some(waker.clone());
    }

    /// `selector.select(timeout)`: waits for events (not at all with a zero
    /// timeout, forever with `None`) and hands over the waker of the task behind
    /// each, for the loop to wake once the reactor is no longer borrowed: a wake
    /// may run code that registers or drops a socket.
    pub(crate) fn poll(&mut self, timeout: Option<Duration>, woken: &mut Vec<Waker>) {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal: the loop simply comes round again.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return,
            Err(e) => panic!("minirt: epoll_wait failed: {e}"),
        }
        for event in self.events.iter() {
            // `WAKE_TOKEN` finds no slot: the poke only had to end the wait, and the
            // loop drains the inbox next. Errors and hang-ups wake the task too: its
            // next read or write reports them.
            if let Some(waker) = self.waiting.get_mut(event.token().0).and_then(Option::take) {
                woken.push(waker);
            }
        }
    }
}
