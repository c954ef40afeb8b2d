//! What a coroutine that outgrows its stack does, with may 0.3.51 and its
//! `generator` 0.8.11: the measurement behind the "stack overflow" paragraph of
//! `docs/models/stackful.md`.
//!
//! Each case runs in a child process (this test binary again), which spawns one
//! coroutine with may's 8 KiB stack that recurses without end, holding a channel
//! sender. The guard page stops it; generator's SIGSEGV handler prints "coroutine
//! in thread '..' has overflowed its stack" and switches out of the coroutine
//! without unwinding it, and `join` returns `Err`. Then one of two things happens,
//! depending on how the last frames fell: if they wrote over the words may paints
//! at the bottom of every stack, may's clean-up reads the stack as used to the
//! last word, prints "stack overflow detected" and calls `exit(1)`, ending the
//! whole process (with small frames in a release build it does so every time); if
//! not, the process lives on, with the coroutine's locals never dropped (the
//! sender it held still keeps the channel open). Never a crash by signal, never an
//! unwinding that runs destructors.

use std::process::Command;

/// Set in a child: the frame size to recurse with, in words.
const CHILD_ENV: &str = "CM_STACKFUL_OVERFLOW_CHILD";

/// Recurses with frames of about `K` words until the stack runs out.
#[inline(never)]
fn deep<const K: usize>(n: u64) -> u64 {
    let frame = std::hint::black_box([n; K]);
    if n == 0 {
        frame[0]
    } else {
        deep::<K>(n - 1).wrapping_add(frame[K - 1])
    }
}

#[test]
fn an_overflow_is_abandoned_or_ends_the_process_never_unwound() {
    if let Ok(words) = std::env::var(CHILD_ENV) {
        child(&words);
        return;
    }
    for words in ["1", "100"] {
        let exe = std::env::current_exe().expect("the test binary's path");
        let out = Command::new(exe)
            .args([
                "--exact",
                "an_overflow_is_abandoned_or_ends_the_process_never_unwound",
                "--nocapture",
            ])
            .env(CHILD_ENV, words)
            .output()
            .expect("start the child");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let what = format!(
            "frames of {words} words: {}\n{stdout}\n{stderr}",
            out.status
        );
        assert!(stderr.contains("has overflowed its stack"), "{what}");
        match out.status.code() {
            // The process survived: join said Err, and the sender was not dropped.
            Some(0) => assert!(stdout.contains("join: Err; channel: still open"), "{what}"),
            // may's clean-up ended the process.
            Some(1) => assert!(stderr.contains("stack overflow detected"), "{what}"),
            _ => panic!("neither outcome: {what}"),
        }
        // Shown with --nocapture: which of the two this build got.
        eprintln!("frames of {words} words: child {}", out.status);
    }
}

/// The child: one overflowing coroutine, then what its join and channel say.
fn child(words: &str) {
    may::config().set_workers(1).set_stack_size(1024);
    let (tx, rx) = may::sync::mpsc::channel::<()>();
    let recurse: fn(u64) -> u64 = if words == "1" { deep::<1> } else { deep::<100> };
    // SAFETY: this breaks the second of may's conditions on purpose (the coroutine
    // overflows its stack), in a child process that exists to show what follows;
    // it touches no thread-local storage. The guard page below the stack is what
    // stops it, and the child does nothing afterwards but report.
    let handle = unsafe {
        may::coroutine::Builder::new()
            .stack_size(1024)
            .spawn(move || {
                let _tx = tx;
                recurse(u64::MAX)
            })
    }
    .expect("spawn the coroutine");
    let joined = if handle.join().is_ok() { "Ok" } else { "Err" };
    let channel = match rx.try_recv() {
        Err(std::sync::mpsc::TryRecvError::Empty) => "still open",
        Err(std::sync::mpsc::TryRecvError::Disconnected) => "closed",
        Ok(()) => "a message",
    };
    println!("\njoin: {joined}; channel: {channel}");
}
