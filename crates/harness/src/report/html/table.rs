//! A group's table on the page: every column of the terminal table (from
//! `columns.rs`, so the two cannot drift), then what only the page has room for:
//! the measured phase, the load figures (others' CPU; for crawl the delay server's
//! CPU and the machine's idle share) and the code cost. The notes follow it.

use std::fmt::Write as _;

use super::super::charts::{Palette, hex};
use super::super::columns::{cells, header, notes};
use super::super::{FLAG_MARK, Row, fmt_ns};
use super::esc;
use crate::spec::Workload;

/// What each extra column's header says when hovered.
const COST_TITLE: &str = "non-blank, non-comment lines of the workload file / of the \
                          model's runtime code / unsafe blocks / direct dependencies";

/// The table of one group, with its notes.
pub(in crate::report) fn group_table(group: &[&Row], palette: &Palette) -> String {
    let Some(first) = group.first() else {
        return String::new();
    };
    let crawl = first.workload == Workload::Crawl;
    let head = header(first.workload);
    let last = head.len() - 1;
    let mut s = String::from("<div class=\"table-wrap\">\n<table class=\"results\">\n<thead><tr>");
    for (i, h) in head.iter().enumerate() {
        if i == last {
            s.push_str("<th>measured phase</th>");
            if crawl {
                s.push_str("<th class=\"num\" title=\"the delay server's CPU, as a share of one core\">server CPU</th>");
                s.push_str("<th class=\"num\" title=\"the machine's idle share during the runs\">machine idle</th>");
            }
            s.push_str("<th class=\"num\" title=\"the share of the machine's CPU other processes used during the runs (median)\">others' CPU</th>");
            let _ = write!(s, "<th title=\"{}\">cost</th>", esc(COST_TITLE));
        }
        let class = if i == 0 || i == last {
            ""
        } else {
            " class=\"num\""
        };
        let _ = write!(s, "<th{class}>{}</th>", esc(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in group {
        let flags = r.flags();
        let class = match (flags.is_empty(), r.verified) {
            (_, false) => " class=\"failed\"",
            (false, _) => " class=\"flagged\"",
            _ => "",
        };
        let _ = write!(s, "<tr data-model=\"{}\"{class}>", esc(&r.model));
        let c = cells(r);
        for (i, cell) in c.iter().enumerate() {
            if i == last {
                s.push_str(&extra_cells(r, crawl));
            }
            if i == 0 {
                let colour = hex(palette.colour(&r.model));
                let _ = write!(
                    s,
                    "<td><span class=\"swatch\" style=\"background:{colour}\"></span>{}</td>",
                    esc(cell)
                );
            } else if i == 1 && !flags.is_empty() {
                let _ = write!(
                    s,
                    "<td class=\"num\" title=\"{}\">{}</td>",
                    esc(&flags.join("; ")),
                    esc(cell)
                );
            } else if i == last {
                let _ = write!(s, "<td class=\"status\">{}</td>", esc(cell));
            } else {
                let _ = write!(s, "<td class=\"num\">{}</td>", esc(cell));
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n</div>\n");
    let n = notes(group);
    if !n.is_empty() {
        s.push_str("<ul class=\"notes\">\n");
        for note in n {
            let class = if note.starts_with(FLAG_MARK) {
                " class=\"flag\""
            } else {
                ""
            };
            let _ = writeln!(s, "<li{class}>{}</li>", esc(&note));
        }
        s.push_str("</ul>\n");
    }
    s
}

/// The columns only the page shows, in their order.
fn extra_cells(r: &Row, crawl: bool) -> String {
    let pct = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{:.0} %", 100.0 * v));
    let mut s = format!(
        "<td class=\"num\">{}</td>",
        r.median_work_ns
            .filter(|_| r.verified)
            .map_or_else(|| "–".to_owned(), |v| fmt_ns(v as f64))
    );
    if crawl {
        let _ = write!(s, "<td class=\"num\">{}</td>", pct(r.server_cpu_share));
        let _ = write!(s, "<td class=\"num\">{}</td>", pct(r.machine_idle));
    }
    let _ = write!(s, "<td class=\"num\">{}</td>", pct(r.others_share));
    let cost = r.code_cost.map_or_else(
        || "–".to_owned(),
        |c| {
            format!(
                "{} / {} / {} / {}",
                c.workload_lines, c.runtime_lines, c.unsafe_blocks, c.direct_deps
            )
        },
    );
    let _ = write!(
        s,
        "<td class=\"num\" title=\"{}\">{}</td>",
        esc(COST_TITLE),
        esc(&cost)
    );
    s
}
