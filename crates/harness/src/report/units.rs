//! Units as people read them: `1.23 ms`, `8.7 KiB`, `2.51 M` items per second.

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
        Workload::Crawl | Workload::PingPong | Workload::Ring => fmt_ns(v),
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
