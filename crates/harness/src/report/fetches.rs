//! Under a crawl-of-URLs table: what each URL got.
//!
//! A crawl of `--urls` is verified by status and length only, so a 404 or a
//! timeout is an answer, not a failed cell; the table's rows then say "yes", and
//! this list is where the reader sees what the URLs really returned. Every model
//! fetched the same URLs; where all agree a URL takes one line, and where they
//! differ the line names each model's answer.

use super::Row;
use crate::spec::Fetched;

/// URLs listed under a table; the rest are in `results.json`.
const MAX_LISTED: usize = 40;

/// The notes for a group's URLs, or none where its rows list no fetches.
pub(super) fn url_notes(group: &[&Row]) -> Vec<String> {
    let listed: Vec<&Row> = group
        .iter()
        .copied()
        .filter(|r| !r.fetches.is_empty())
        .collect();
    let Some(first) = listed.first() else {
        return Vec::new();
    };
    let count = first.fetches.len();
    let mut out = vec![format!(
        "what each of the {count} URLs got (each model's last run; \
         bodies not checked against digests):"
    )];
    for i in 0..count.min(MAX_LISTED) {
        let answers: Vec<(&str, Option<&Fetched>)> = listed
            .iter()
            .map(|r| (r.model.as_str(), r.fetches.get(i)))
            .collect();
        let path = answers
            .iter()
            .find_map(|(_, f)| f.map(|f| f.path.as_str()))
            .unwrap_or("?");
        let same = answers
            .iter()
            .all(|(_, f)| f.map(same_answer) == answers[0].1.map(same_answer));
        let line = if same {
            answers[0]
                .1
                .map_or_else(|| "no result".into(), Fetched::outcome)
        } else {
            let each: Vec<String> = answers
                .iter()
                .map(|(m, f)| {
                    let what = f.map_or_else(|| "no result".into(), Fetched::outcome);
                    let digest = f.and_then(|f| f.digest.as_deref());
                    match digest {
                        Some(d) => format!("{m} {what} (digest {d})"),
                        None => format!("{m} {what}"),
                    }
                })
                .collect();
            each.join("; ")
        };
        out.push(format!("  {path}: {line}"));
    }
    // Verified, since every URL got a typed error; but then the rows time
    // failures, and a reader should not take them for fetches.
    let pages = listed
        .iter()
        .flat_map(|r| &r.fetches)
        .filter(|f| f.error.is_none())
        .count();
    if pages == 0 {
        out.insert(
            1,
            "  no URL answered 200 in any model: these rows time failures, not fetches".into(),
        );
    }
    if count > MAX_LISTED {
        out.push(format!(
            "  … and {} more URLs, listed in results.json",
            count - MAX_LISTED
        ));
    }
    out
}

/// What two models' answers must share to be shown as one: status, length,
/// digest and error, in full (two 200s of the same length with different bodies
/// are two answers).
fn same_answer(f: &Fetched) -> (Option<u16>, Option<u64>, Option<&str>, Option<&str>) {
    (f.status, f.bytes, f.digest.as_deref(), f.error.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Machine, RowInput};
    use crate::spec::Workload;

    fn row(model: &str, fetches: Vec<Fetched>) -> Row {
        let machine = Machine {
            cpu: "test".into(),
            cores: 1,
            kernel: "test".into(),
            rustc: "test".into(),
            profile: "test".into(),
            context: Default::default(),
        };
        let mut row = Row::new(RowInput {
            workload: Workload::Crawl,
            group: "crawl".into(),
            model: model.into(),
            family: "test".into(),
            primitive: String::new(),
            params: Default::default(),
            sweep: None,
            runs: Vec::new(),
            unranked: None,
            error: None,
            machine,
            server_threads: None,
        });
        row.fetches = fetches;
        row
    }

    fn fetched(path: &str, bytes: Option<u64>, error: Option<&str>) -> Fetched {
        Fetched {
            path: path.into(),
            status: bytes.map(|_| 200),
            bytes,
            digest: bytes.map(|b| format!("{b:016x}")),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn models_that_agree_share_a_line_and_those_that_differ_are_named() {
        let a = row(
            "a",
            vec![fetched("/x", Some(3), None), fetched("/y", Some(5), None)],
        );
        let b = row(
            "b",
            vec![
                fetched("/x", Some(3), None),
                fetched("/y", None, Some("timed out")),
            ],
        );
        let notes = url_notes(&[&a, &b]);
        assert_eq!(notes[1], "  /x: 200, 3 bytes");
        assert_eq!(
            notes[2],
            "  /y: a 200, 5 bytes (digest 0000000000000005); b timed out"
        );
        assert!(url_notes(&[&row("c", Vec::new())]).is_empty());
        let down = row("d", vec![fetched("/x", None, Some("connect failed"))]);
        assert!(url_notes(&[&down])[1].contains("no URL answered 200"));
    }
}
