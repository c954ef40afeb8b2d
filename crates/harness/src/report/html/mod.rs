//! `report.html`: one self-contained page per results folder. The CSS and the
//! charts' SVG are inline, nothing is fetched and no script runs, so the page
//! opens from disk, mails as one file and prints.
//!
//! Written by hand: a template crate would save little, and [`esc`] is the one
//! rule every piece of text and attribute goes through.
//!
//! 1. this file: the page (head, fingerprint, colour legend, how to read it, one
//!    section per workload or sweep) and the pieces the multi-run page shares.
//! 2. `table.rs`: a group's table.

mod table;

use std::fmt::Write as _;

use super::charts::{Palette, hex};
use super::figures::Figure;
use super::{BUSY_OTHERS, FLAG_MARK, Machine, Row, describe, groups};

pub(super) use table::group_table;

/// The page's file name in a results folder.
pub const HTML_FILE: &str = "report.html";

/// Text made safe for HTML content and quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A section id from a group's name: letters, digits and dashes.
pub(super) fn anchor(prefix: &str, name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{prefix}-{s}")
}

const CSS: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;
 color:#1d1d1f;margin:0;background:#fafafa}
main{max-width:1480px;margin:0 auto;padding:1.2em 1.4em 4em}
h1{font-size:1.7em;margin:.3em 0}
h2{font-size:1.3em;margin:1.8em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.4em 0 .3em}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eee;
 padding:.1em .3em;border-radius:3px;word-break:break-all}
.machine{font-size:1.1em;font-weight:600}
.table-wrap{overflow-x:auto;background:#fff;border:1px solid #ddd;border-radius:4px}
table{border-collapse:collapse;font-size:12.5px;width:100%}
th,td{padding:.28em .42em;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
th{background:#f2f2f2;font-weight:600;white-space:normal;vertical-align:bottom}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.status{white-space:normal;min-width:12em;max-width:26em}
tr.flagged td{background:#fff4d6}
tr.failed td{color:#8a1c1c}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;
 vertical-align:-.1em}
ul.notes{font-size:13.5px;color:#444;margin:.5em 0 1em;padding-left:1.3em}
ul.notes li.flag{color:#7a4b00;font-weight:600}
figure{margin:1.2em 0;background:#fff;border:1px solid #ddd;border-radius:4px;padding:.6em;
 max-width:900px}
figure svg{display:block;width:100%;height:auto;max-width:100%}
figcaption{font-size:12.5px;color:#555;margin-top:.2em}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(700px,1fr));gap:0 1.2em}
.legend ul{list-style:none;padding:0;margin:.4em 0;display:flex;flex-wrap:wrap;gap:.4em 2em}
.legend li b{margin-right:.6em}
.legend .model{margin-right:1em;white-space:nowrap}
.banner{padding:.6em .9em;border-radius:4px;margin:.8em 0}
.banner.busy{background:#fff4d6;border:1px solid #e8c66a}
.banner.quiet{background:#e9f6ec;border:1px solid #a9d8b4}
dl.context{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;font-size:13.5px;margin:.4em 0}
dl.context dt{color:#555}dl.context dd{margin:0}
nav{font-size:13.5px}nav a{margin-right:1em}
.reading{font-size:14px;color:#333;max-width:60em}
";

/// The start of a page, through the opening of `<main>`.
pub(super) fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(title)
    )
}

pub(super) const TAIL: &str = "</main>\n</body>\n</html>\n";

/// The colour legend: every model of the page, by family.
pub(super) fn legend(palette: &Palette) -> String {
    let mut s = String::from(
        "<section class=\"legend\" id=\"legend\">\n<h2>Colours</h2>\n<p>Each model has one \
         colour in every chart on this page: the <b>hue</b> is its family, the <b>shade</b> \
         which model of the family it is.</p>\n<ul>\n",
    );
    for f in palette.families() {
        let _ = write!(
            s,
            "<li class=\"family\" data-family=\"{}\" data-colour=\"{}\"><b>{}</b>",
            esc(&f.name),
            hex(f.colour),
            esc(&f.name)
        );
        for (m, c) in &f.models {
            let _ = write!(
                s,
                "<span class=\"model\" data-model=\"{m}\" data-colour=\"{c}\">\
                 <span class=\"swatch\" style=\"background:{c}\"></span>{m}</span>",
                m = esc(m),
                c = hex(*c)
            );
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ul>\n</section>\n");
    s
}

/// The machine's fingerprint and what else the run depended on.
pub(super) fn fingerprint(machine: &Machine) -> String {
    let mut s = format!("<p class=\"machine\">{}</p>\n", esc(&machine.to_string()));
    s.push_str(
        "<details open>\n<summary>What the run depended on</summary>\n<dl class=\"context\">\n",
    );
    for (k, v) in &machine.context {
        let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    s.push_str("</dl>\n</details>\n");
    s
}

/// Whether any figure was taken on a busy machine, said at the top of the page.
fn busy_banner(rows: &[Row]) -> String {
    let flagged: Vec<&Row> = rows.iter().filter(|r| !r.flags().is_empty()).collect();
    let most = rows
        .iter()
        .filter_map(|r| r.others_share)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    if flagged.is_empty() {
        let said = most.map_or_else(
            || "the machine's load was not measured on this system".to_owned(),
            |m| {
                format!(
                    "other processes used at most {:.0} % of the CPU (median over a row's runs)",
                    100.0 * m
                )
            },
        );
        format!("<p class=\"banner quiet\" id=\"busy\">No figure is flagged: {said}.</p>\n")
    } else {
        format!(
            "<p class=\"banner busy\" id=\"busy\">{FLAG_MARK} {} of {} rows are flagged: taken on a busy \
             machine (other processes used more than {:.0} % of the CPU during their runs) or \
             against a saturated server. Their figures measure the machine as much as the model; \
             the notes under each table say which.</p>\n",
            flagged.len(),
            rows.len(),
            100.0 * BUSY_OTHERS
        )
    }
}

const READING: &str = "<section class=\"reading\" id=\"reading\">\n<h2>How to read it</h2>\n<p>\
Each table is one workload at one size; its rows were measured in the same run, each run a \
child process. The <b>headline</b> is the marginal cost: the measured phase (the runtime \
already up) divided by the operations in it. <b>±</b> is its spread over the runs (MAD / \
median). <b>× best</b> divides each median by the best of the table, with a 95 % bootstrap \
interval; <b>tie</b> means the interval holds 1. <b>start-up</b> is the wall time outside the \
measured phase; <b>measured phase</b> the rest. <b>CPU user</b> is the model's own code, \
<b>CPU kernel</b> the kernel working for it (system calls, the TCP stack, page faults); for \
crawl both are the measured phase's, per request, and add up to the headline. <b>others' \
CPU</b> is the share of the machine other processes used during the runs. <b>cost</b> is what \
the implementation costs to write and read: lines of the workload file / lines of the model's \
runtime code / <code>unsafe</code> blocks / direct dependencies.</p>\n</section>\n";

/// One section of the page: a group, or every size of a sweep.
struct Section<'a> {
    key: String,
    workload: String,
    groups: Vec<Vec<&'a Row>>,
}

/// The whole page of one results folder.
pub fn page(rows: &[Row], command: &str, figures: &[(String, Vec<Figure>)]) -> String {
    let title = match rows
        .first()
        .and_then(|r| r.machine.context.get("date (UTC)"))
    {
        Some(date) => format!("concurrency-models: results {date}"),
        None => "concurrency-models: results".to_owned(),
    };
    let mut s = head(&title);
    let _ = writeln!(s, "<header>\n<h1>{}</h1>", esc(&title));
    if let Some(first) = rows.first() {
        s.push_str(&fingerprint(&first.machine));
    }
    let _ = writeln!(s, "<p>Command: <code>{}</code></p>", esc(command));
    s.push_str(&busy_banner(rows));
    s.push_str("</header>\n");
    let palette = Palette::new(rows.iter().map(|r| (r.model.as_str(), r.family.as_str())));
    // Sections: a sweep is one, with its charts and a table per size.
    let mut sections: Vec<Section<'_>> = Vec::new();
    for (name, group) in groups(rows) {
        let key = match &group[0].sweep {
            Some(p) => format!("{} sweep over {p}", group[0].workload),
            None => name.to_owned(),
        };
        match sections.iter_mut().find(|sec| sec.key == key) {
            Some(sec) => sec.groups.push(group),
            None => sections.push(Section {
                key,
                workload: group[0].workload.to_string(),
                groups: vec![group],
            }),
        }
    }
    s.push_str("<nav>");
    for sec in &sections {
        let _ = write!(
            s,
            "<a href=\"#{}\">{}</a>",
            anchor("s", &sec.key),
            esc(&sec.key)
        );
    }
    s.push_str("</nav>\n");
    s.push_str(&legend(&palette));
    s.push_str(READING);
    for sec in &sections {
        let sweep = sec.groups[0][0].sweep.is_some();
        let _ = writeln!(
            s,
            "<section class=\"workload\" id=\"{}\" data-workload=\"{}\">",
            anchor("s", &sec.key),
            esc(&sec.workload)
        );
        let heading = if sweep {
            sec.key.clone()
        } else {
            describe(&sec.groups[0])
        };
        let _ = writeln!(s, "<h2>{}</h2>", esc(&heading));
        let figs = || {
            figures
                .iter()
                .filter(|(k, _)| *k == sec.key)
                .flat_map(|(_, f)| f)
        };
        // A sweep's charts come first, over all its sizes; a group's follow its table.
        if sweep {
            s.push_str(&charts_html(figs()));
        }
        for group in &sec.groups {
            if sweep {
                let _ = writeln!(s, "<h3>{}</h3>", esc(&describe(group)));
            }
            s.push_str(&group_table(group, &palette));
        }
        if !sweep {
            s.push_str(&charts_html(figs()));
        }
        s.push_str("</section>\n");
    }
    s.push_str(TAIL);
    s
}

/// Figures side by side where the page is wide enough.
pub(super) fn charts_html<'a>(figs: impl Iterator<Item = &'a Figure>) -> String {
    let mut s = String::from("<div class=\"charts\">\n");
    for f in figs {
        // plotters' SVG is well-formed and its text escaped; it goes in as is.
        let svg = f.svg.trim_start_matches(|c| c != '<');
        // The chart carries its own notes (whiskers, the ideal); the caption only
        // names it and its file.
        let _ = writeln!(
            s,
            "<figure data-file=\"{f}\" title=\"{}\">\n{svg}\n<figcaption>{} · <a href=\"{f}\">{f}</a></figcaption>\n</figure>",
            esc(&f.caption),
            esc(&f.title),
            f = esc(&f.file)
        );
    }
    s.push_str("</div>\n");
    s
}
