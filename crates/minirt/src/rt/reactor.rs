//! The reactor: the seeds' `selector`. Each socket is registered once with a token
//! (its index here); a task that meets `WouldBlock` leaves its waker in the token's
//! slot; `poll` runs `epoll_wait` (through mio) and wakes the task behind each event.
//! The seeds register a callback per event (`selector.register(fd, EVENT_READ,
//! on_readable)`); here the "callback" is always the same: wake the task.
//!
//! mio is edge-triggered: an event means "something changed", not "ready now". That
//! is safe here because a task only waits after the socket said `WouldBlock`, and
//! any byte that arrives after that raises a new edge. Events come only between
//! task polls, on this thread, so a waker can never be missed in between.
//!
//! tokio's I/O driver does the same with more: readiness bits with a tick counter
//! per source, so a task can skip a syscall it knows would block, and many tasks
//! may wait on one socket; sources live in a slab shared across worker threads.

use std::io;
use std::task::Waker;
use std::time::Duration;

use mio::event::Source;
use mio::{Events, Interest, Poll, Registry, Token};

/// The token of the runtime's `mio::Waker` (the cross-thread poke).
pub(crate) const WAKE_TOKEN: Token = Token(usize::MAX);

/// Which way a task waits on a socket.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Direction {
    Read,
    Write,
}

/// The tasks waiting on one socket.
#[derive(Default)]
struct IoSlot {
    reader: Option<Waker>,
    writer: Option<Waker>,
}

pub(crate) struct Reactor {
    poll: Poll,
    events: Events,
    slots: Vec<IoSlot>,
    free: Vec<usize>,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Self> {
        Ok(Self {
            poll: Poll::new()?,
            events: Events::with_capacity(1024),
            slots: Vec::new(),
            free: Vec::new(),
        })
    }

    pub(crate) fn registry(&self) -> &Registry {
        self.poll.registry()
    }

    /// `selector.register`: watch `source` both ways, for as long as it lives.
    pub(crate) fn register(&mut self, source: &mut impl Source) -> io::Result<usize> {
        let token = self.free.pop().unwrap_or_else(|| {
            self.slots.push(IoSlot::default());
            self.slots.len() - 1
        });
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self
            .poll
            .registry()
            .register(source, Token(token), interest)
        {
            self.free.push(token);
            return Err(e);
        }
        Ok(token)
    }

    /// `selector.unregister`, when the socket is dropped.
    pub(crate) fn deregister(&mut self, source: &mut impl Source, token: usize) {
        // Closing the socket right after removes it from epoll anyway; an error here
        // changes nothing.
        let _ = self.poll.registry().deregister(source);
        self.slots[token] = IoSlot::default();
        self.free.push(token);
    }

    /// Leaves `waker` to be woken at the next event on `token` in `direction`.
    pub(crate) fn wait(&mut self, token: usize, direction: Direction, waker: &Waker) {
        let slot = &mut self.slots[token];
        let held = match direction {
            Direction::Read => &mut slot.reader,
            Direction::Write => &mut slot.writer,
        };
        match held {
            Some(w) if w.will_wake(waker) => {}
            _ => *held = Some(waker.clone()),
        }
    }

    /// `selector.select(timeout)`: waits for events (not at all with a zero
    /// timeout, forever with `None`) and wakes the task behind each.
    pub(crate) fn poll(&mut self, timeout: Option<Duration>) {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal: the loop simply comes round again.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return,
            Err(e) => panic!("minirt: epoll_wait failed: {e}"),
        }
        for event in self.events.iter() {
            // The poke only had to end the wait; the loop drains the inbox next.
            let Some(slot) = self.slots.get_mut(event.token().0) else {
                continue;
            };
            // Errors and hang-ups wake both sides: the next read or write reports them.
            let failed = event.is_error();
            if event.is_readable() || event.is_read_closed() || failed {
                if let Some(w) = slot.reader.take() {
                    w.wake();
                }
            }
            if event.is_writable() || event.is_write_closed() || failed {
                if let Some(w) = slot.writer.take() {
                    w.wake();
                }
            }
        }
    }
}
