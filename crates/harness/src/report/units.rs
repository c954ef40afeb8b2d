//! Units as people read them: `1.23 ms`, `8.7 KiB`, `2.51 M` items per second;
//! and what each workload's headline is called.

use crate::spec::Workload;

/// `1.23 ms`, `456 µs`, `2.50 s`.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// `12.3 MiB`, `840 B`.
pub fn fmt_bytes(b: f64) -> String {
    if b >= (1u64 << 30) as f64 {
        format!("{:.2} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1u64 << 20) as f64 {
        format!("{:.1} MiB", b / (1u64 << 20) as f64)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

pub(super) fn fmt_headline(workload: Workload, v: f64) -> String {
    match workload {
        Workload::Crawl
        | Workload::PingPong
        | Workload::Ring
        | Workload::Server
        | Workload::Fairness
        | Workload::Cancel => fmt_ns(v),
        Workload::Spawn => fmt_bytes(v),
        Workload::Fanout => {
            if v >= 1e6 {
                format!("{:.2} M", v / 1e6)
            } else {
                format!("{:.0} k", v / 1e3)
            }
        }
    }
}

/// What the headline column means for each workload.
pub fn headline_label(workload: Workload) -> &'static str {
    match workload {
        Workload::Crawl => "CPU/request",
        Workload::PingPong => "per round trip",
        Workload::Ring => "per hop",
        Workload::Spawn => "RSS/task",
        Workload::Fanout => "items/s",
        Workload::Server => "p99",
        Workload::Fairness => "max late",
        Workload::Cancel => "to quiet",
    }
}

/// What a row's `costs` are, lower is better.
pub fn cost_label(workload: Workload) -> &'static str {
    match workload {
        Workload::Crawl => "CPU ns per request",
        Workload::PingPong => "ns per round trip",
        Workload::Ring => "ns per hop",
        Workload::Spawn => "bytes of RSS per task",
        Workload::Fanout => "ns per item",
        Workload::Server => "ns of p99 latency",
        Workload::Fairness => "ns of the ticker's worst lateness",
        Workload::Cancel => "ns from the cancel to a quiet server",
    }
}
