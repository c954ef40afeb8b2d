//! What each model's implementation costs to write and read: the cost column of
//! `list` and of every report row (issue #17), computed from the source the binary
//! was built from ([`crate::source`] embeds it), so a result file always describes
//! the code that produced it.
//!
//! The definitions, per model and workload:
//!
//! - **workload lines**: the non-blank, non-comment lines of the model's
//!   `<workload>.rs`. A line counts when anything but whitespace and comments is on
//!   it (the lines of a multi-line string literal count: they are code); `//`,
//!   `///`, `//!` and `/* */` comments do not. Everything from a top-level
//!   `#[cfg(test)]` on is left out, as `show` leaves it out: tests are not the cost
//!   of the implementation.
//! - **runtime lines**: the same count over the model's share of runtime code:
//!   every other `.rs` file under its source folder (subfolders included, e.g.
//!   minirt's `src/rt/`) that is not a workload file and not a test (`tests.rs`,
//!   a `tests/` folder), plus the crate's files on the way down to that folder
//!   (baseline's `src/lib.rs` for `sequential` and `threads`). Models that share a
//!   folder (`tokio`, `tokio-current`) share the figure.
//! - **unsafe**: every `unsafe` keyword in the code (not in comments or strings) of
//!   the workload file and the runtime share together, so `unsafe { }` blocks,
//!   `unsafe fn`, `unsafe impl`, `unsafe trait` and `unsafe extern` each count one.
//! - **direct deps**: the distinct crates named in the crate's `[dependencies]`
//!   (and `[target.*.dependencies]`) in its `Cargo.toml`, workspace-inherited ones
//!   included; `harness` is left out, since every model links it to be measured and
//!   it adds nothing to what the model itself needs. Dev- and build-dependencies
//!   are not counted.

use std::collections::BTreeSet;

use harness::report::CodeCost;
use harness::spec::Workload;

use crate::source;

/// The cost of `model`'s implementation of `workload`, by the definitions above.
/// A model with no embedded source (not in [`crate::SOURCES`]) costs all zeros,
/// which a test rules out for every registered model.
pub fn code_cost(model: &str, workload: Workload) -> CodeCost {
    let Some(dir) = source::source_dir(model) else {
        return CodeCost::default();
    };
    let workload_file = source::workload_file(model, workload)
        .map(|(_, text)| measure(text))
        .unwrap_or_default();
    let runtime = runtime_cost(dir);
    CodeCost {
        workload_lines: workload_file.lines,
        runtime_lines: runtime.lines,
        unsafe_blocks: workload_file.unsafe_keywords + runtime.unsafe_keywords,
        direct_deps: direct_deps(dir).len() as u32,
    }
}

/// What one piece of source holds, by the module's definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Measured {
    /// Non-blank, non-comment lines above the first top-level `#[cfg(test)]`.
    pub lines: u32,
    /// `unsafe` keywords in code (not in comments or string literals).
    pub unsafe_keywords: u32,
}

impl std::ops::Add for Measured {
    type Output = Measured;
    fn add(self, other: Measured) -> Measured {
        Measured {
            lines: self.lines + other.lines,
            unsafe_keywords: self.unsafe_keywords + other.unsafe_keywords,
        }
    }
}

/// The runtime share of the model whose workload files are in `dir`, summed.
pub fn runtime_cost(dir: &str) -> Measured {
    runtime_files(dir)
        .iter()
        .filter_map(|path| source::file(path))
        .map(measure)
        .fold(Measured::default(), |a, b| a + b)
}

/// The files of the runtime share of the model whose workload files are in `dir`
/// (see the module docs), sorted.
pub fn runtime_files(dir: &str) -> Vec<&'static str> {
    let src = crate_src(dir);
    // Another model's folder below this one is that model's, not ours.
    let others: Vec<&str> = crate::SOURCES
        .iter()
        .map(|(_, d)| *d)
        .filter(|d| *d != dir && within(d, dir))
        .collect();
    source::files()
        .iter()
        .map(|(path, _)| *path)
        .filter(|path| path.ends_with(".rs") && !is_test(path) && !is_workload_file(path))
        .filter(|path| {
            let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
            let below = within(parent, dir) && !others.iter().any(|o| within(parent, o));
            // The crate's folders from `src/` down to `dir`, their own files only.
            let on_the_way = within(dir, parent) && within(parent, src);
            below || on_the_way
        })
        .collect()
}

/// The direct dependencies of the crate that holds `dir`, by name, `harness` left
/// out (see the module docs).
pub fn direct_deps(dir: &str) -> BTreeSet<String> {
    let src = crate_src(dir);
    let root = src.strip_suffix("/src").unwrap_or(src);
    source::file(&format!("{root}/Cargo.toml"))
        .map(dependencies)
        .unwrap_or_default()
        .into_iter()
        .filter(|name| name != "harness" && name != "cm-harness")
        .collect()
}

/// The crate names in a manifest's `[dependencies]` and `[target.*.dependencies]`
/// tables, in both the `name = ...` / `name.workspace = true` form and the
/// `[dependencies.name]` form.
pub fn dependencies(manifest: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_end_matches(']').trim();
            let table = header
                .strip_prefix("target.")
                .and_then(|t| t.rsplit_once(".dependencies").map(|(_, rest)| rest))
                .map(|rest| ("dependencies", rest))
                .or_else(|| {
                    header
                        .strip_prefix("dependencies")
                        .map(|rest| ("dependencies", rest))
                });
            in_deps = false;
            match table {
                // `[dependencies]` itself: the keys below are crates.
                Some((_, "")) => in_deps = true,
                // `[dependencies.name]`: the header names the crate.
                Some((_, rest)) if rest.starts_with('.') => {
                    names.insert(rest[1..].trim_matches('"').to_owned());
                }
                _ => {}
            }
            continue;
        }
        if in_deps && let Some((key, _)) = line.split_once('=') {
            let name = key.split('.').next().unwrap_or("").trim().trim_matches('"');
            if !name.is_empty() {
                names.insert(name.to_owned());
            }
        }
    }
    names
}

/// Counts the code lines and `unsafe` keywords of one Rust file (see [`Measured`]).
///
/// A small lexer rather than a line regex, because a line is code or comment
/// depending on what opened before it: a `/*` three lines up, a string literal
/// that holds `//` or the word `unsafe`.
pub fn measure(text: &str) -> Measured {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Measured::default();
    let mut state = State::Code;
    let mut line_has_code = false;
    let mut at_line_start = true;
    let mut ident = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if at_line_start && state == State::Code {
            at_line_start = false;
            if starts_with(&chars[i..], "#[cfg(test)]") {
                break;
            }
        }
        if c == '\n' {
            if line_has_code {
                out.lines += 1;
            }
            line_has_code = false;
            at_line_start = true;
            if state == State::LineComment {
                state = State::Code;
            }
            end_ident(&mut ident, &mut out);
            i += 1;
            continue;
        }
        match state {
            State::LineComment => {}
            State::BlockComment(depth) => {
                if c == '/' && next == Some('*') {
                    state = State::BlockComment(depth + 1);
                    i += 1;
                } else if c == '*' && next == Some('/') {
                    state = if depth == 1 {
                        State::Code
                    } else {
                        State::BlockComment(depth - 1)
                    };
                    i += 1;
                }
            }
            State::Str => {
                line_has_code |= !c.is_whitespace();
                if c == '\\' {
                    // The escaped character, a `"` or a `\` included, is content;
                    // an escaped newline is left for the loop to count.
                    if next != Some('\n') {
                        i += 1;
                    }
                } else if c == '"' {
                    state = State::Code;
                }
            }
            State::RawStr(hashes) => {
                line_has_code |= !c.is_whitespace();
                if c == '"'
                    && chars[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == '#')
                        .count()
                        == hashes
                {
                    state = State::Code;
                    i += hashes;
                }
            }
            State::Code => {
                if c == '/' && next == Some('/') {
                    end_ident(&mut ident, &mut out);
                    state = State::LineComment;
                    i += 1;
                } else if c == '/' && next == Some('*') {
                    end_ident(&mut ident, &mut out);
                    state = State::BlockComment(1);
                    i += 1;
                } else if c == '"' {
                    line_has_code = true;
                    // `r"`, `br"`, `cr"` open a raw string; `b"`, `c"` a plain one.
                    state = if matches!(ident.as_str(), "r" | "br" | "cr") {
                        State::RawStr(0)
                    } else {
                        State::Str
                    };
                    ident.clear();
                } else if c == '#' && matches!(ident.as_str(), "r" | "br" | "cr") {
                    line_has_code = true;
                    let hashes = chars[i..].iter().take_while(|&&h| h == '#').count();
                    if chars.get(i + hashes) == Some(&'"') {
                        state = State::RawStr(hashes);
                        i += hashes;
                    }
                    // Otherwise a raw identifier (`r#type`): its name follows as an
                    // ordinary identifier, never the keyword `unsafe`.
                    ident.clear();
                } else if c == '\'' {
                    end_ident(&mut ident, &mut out);
                    line_has_code = true;
                    // A char literal (`'a'`, `'"'`, `'\n'`, `'\''`) is skipped whole,
                    // so a quote inside it opens nothing; a lifetime is left as code.
                    if next == Some('\\') {
                        let close = chars[i + 3..].iter().position(|&q| q == '\'');
                        i += close.map_or(0, |p| p + 3);
                    } else if chars.get(i + 2) == Some(&'\'') {
                        i += 2;
                    }
                } else if c.is_alphanumeric() || c == '_' {
                    line_has_code = true;
                    ident.push(c);
                } else {
                    end_ident(&mut ident, &mut out);
                    line_has_code |= !c.is_whitespace();
                }
            }
        }
        i += 1;
    }
    end_ident(&mut ident, &mut out);
    if line_has_code {
        out.lines += 1;
    }
    out
}

/// Where the lexer in [`measure`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    LineComment,
    /// Nested block comments, their depth.
    BlockComment(u32),
    Str,
    /// A raw string and the number of `#` that close it.
    RawStr(usize),
}

/// Ends the identifier being read, counting it if it is the keyword `unsafe`.
fn end_ident(ident: &mut String, out: &mut Measured) {
    if ident == "unsafe" {
        out.unsafe_keywords += 1;
    }
    ident.clear();
}

fn starts_with(chars: &[char], prefix: &str) -> bool {
    let mut rest = chars.iter();
    prefix.chars().all(|p| rest.next() == Some(&p))
}

/// Whether folder `path` is `folder` or lies below it (whole names: `src/seq` is
/// not within `src/sequential`).
fn within(path: &str, folder: &str) -> bool {
    path == folder
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `crates/<name>/src`, the source root of the crate that holds `dir`.
fn crate_src(dir: &str) -> &str {
    dir.find("/src").map_or(dir, |i| &dir[..i + "/src".len()])
}

/// Whether `path` is a workload file: `<workload>.rs` for one of the workloads.
fn is_workload_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    Workload::ALL
        .iter()
        .any(|w| name.strip_suffix(".rs") == Some(w.name()))
}

/// Whether `path` holds tests rather than the implementation.
fn is_test(path: &str) -> bool {
    path.ends_with("/tests.rs") || path.contains("/tests/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file with every trap the lexer must step around, and its known counts:
    /// the code lines are marked `// code` where they also carry a comment.
    const TRICKY: &str = r####"//! Module docs: unsafe { } here is prose.
use std::fmt; // code

/* A block comment
   /* nested, with unsafe { } inside */
   still a comment
*/
/// Docs saying unsafe fn.
pub unsafe fn raw() {} // code: 1 unsafe

fn f<'a>(x: &'a str) -> &'a str {
    let s = "a string with // and unsafe { } in it";
    let q = '"';
    let e = '\'';
    let r = r#"raw with "quotes" and unsafe"#;
    let multi = "line one
unsafe line two";
    // unsafe { } in a comment
    let v = unsafe { std::hint::black_box(1) };
    unsafe_op_in_unsafe_fn_is_a_name();
    let _ = (s, q, e, r, multi, v); /* trailing */ x
}

unsafe impl Send for Thing {}

#[cfg(test)]
mod tests {
    unsafe fn not_counted() {}
}
"####;

    #[test]
    fn comments_blanks_and_tests_are_left_out_and_every_unsafe_keyword_counts() {
        let m = measure(TRICKY);
        // use, pub unsafe fn, fn f, let s, let q, let e, let r, the two lines of
        // `multi`, let v, the unsafe_op call, let _, the closing brace, unsafe impl.
        assert_eq!(m.lines, 14);
        // `unsafe fn raw`, `unsafe { black_box }`, `unsafe impl`: not the prose,
        // the comments, the strings, the longer identifier or the test module.
        assert_eq!(m.unsafe_keywords, 3);
    }

    #[test]
    fn a_file_without_a_final_newline_counts_its_last_line() {
        assert_eq!(
            measure("fn a() {}\n\n   \nfn b() {}"),
            Measured {
                lines: 2,
                unsafe_keywords: 0
            }
        );
    }

    #[test]
    fn dependencies_are_read_from_every_form_and_harness_is_not_a_dependency() {
        let manifest = "[package]\nname = \"cm-x\"\n\n[dependencies]\nharness.workspace = true\n\
                        tokio = { workspace = true } # why\n\"quoted\" = \"1\"\n\n\
                        [target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n\n\
                        [dependencies.mio]\nversion = \"1\"\n\n[dev-dependencies]\nloom = \"0.7\"\n";
        let names: Vec<String> = dependencies(manifest).into_iter().collect();
        assert_eq!(names, ["harness", "libc", "mio", "quoted", "tokio"]);
    }

    #[test]
    fn every_registered_model_has_a_cost_for_every_workload() {
        for model in crate::names() {
            for w in Workload::ALL {
                let cost = code_cost(model, w);
                assert!(cost.workload_lines > 0, "{model} {}: {cost:?}", w.name());
                // Every model has at least a lib.rs (or mod.rs) with its Model impl.
                assert!(cost.runtime_lines > 0, "{model} {}: {cost:?}", w.name());
            }
        }
    }

    #[test]
    fn the_runtime_share_is_the_folder_less_its_workload_files() {
        let minirt = runtime_files("crates/minirt/src");
        assert!(minirt.contains(&"crates/minirt/src/lib.rs"));
        assert!(minirt.contains(&"crates/minirt/src/rt/executor.rs"));
        assert!(!minirt.iter().any(|p| p.ends_with("/crawl.rs")));
        // `sequential` gets its own folder and the crate root, not `threads`' folder.
        let sequential = runtime_files("crates/baseline/src/sequential");
        assert_eq!(
            sequential,
            [
                "crates/baseline/src/lib.rs",
                "crates/baseline/src/sequential/mod.rs"
            ]
        );
    }

    #[test]
    fn the_figures_match_the_sources_they_come_from() {
        // tokio: std and tokio only, no unsafe anywhere in its crate.
        let tokio = code_cost("tokio", Workload::Crawl);
        assert_eq!(direct_deps("crates/stackless/src").len(), 1);
        assert_eq!(tokio.direct_deps, 1);
        assert_eq!(tokio.unsafe_blocks, 0);
        assert_eq!(tokio, code_cost("tokio-current", Workload::Crawl));
        // The baselines need nothing beyond std.
        assert_eq!(code_cost("threads", Workload::Ring).direct_deps, 0);
        // may spawns every coroutine through an unsafe builder call: each workload
        // file has some, and the runtime share has its own.
        let may_runtime = runtime_cost("crates/stackful/src");
        assert!(may_runtime.unsafe_keywords > 0);
        for w in Workload::ALL {
            assert!(code_cost("may", w).unsafe_blocks > may_runtime.unsafe_keywords);
        }
        // The workload figure is that file's own count.
        let (_, text) = source::workload_file("may", Workload::Crawl).expect("embedded");
        assert_eq!(
            code_cost("may", Workload::Crawl).workload_lines,
            measure(text).lines
        );
    }
}
