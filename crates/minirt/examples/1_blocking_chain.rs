//! Step 1 of the tour (`docs/tour.md`): a chain of plain function calls that
//! blocks.
//!
//! `main_task` calls `big_step`, which calls `small_step`, which waits (here 300 ms
//! in `thread::sleep`) and returns 1. Each call pushes a frame on the one stack the
//! thread has; the wait holds the whole thread, so running the chain twice takes
//! twice as long. Everything after this is about giving the thread back while waiting.
//!
//! Run: `cargo run -p cm-minirt --example 1_blocking_chain`

use std::thread;
use std::time::{Duration, Instant};

fn small_step(start: Instant) -> u32 {
    println!("    small step: begin at {:?}", start.elapsed());
    thread::sleep(Duration::from_millis(300)); // the blocking wait
    println!("    small step: end at {:?}", start.elapsed());
    1
}

fn big_step(start: Instant) -> u32 {
    println!("  big step: begin");
    let small = small_step(start);
    println!("  big step: end");
    small + 1
}

fn main_task(name: &str, start: Instant) -> u32 {
    println!("{name}: begin");
    let big = big_step(start);
    println!("{name}: result {big}");
    big
}

fn main() {
    let start = Instant::now();
    let results = [main_task("task A", start), main_task("task B", start)];
    let took = start.elapsed();
    println!("two chains took {took:.2?}: one after the other, the thread held by each wait");
    // The last line is what `tests/examples.rs` checks: the same on every run.
    let serial = if took >= Duration::from_millis(600) {
        "at least"
    } else {
        "LESS THAN"
    };
    println!("results {results:?}: 600 ms of waits took {serial} 600 ms");
}
