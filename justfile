# The common recipes. `just --list` shows them.

# Run every test (what CI runs, after fmt and clippy).
test:
    cargo test --workspace

# Formatting and lints, as CI checks them.
check:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Everything CI does.
ci:
    bash .ci/run

# Every model on every workload at quick sizes; pass flags through, e.g.
# `just compare --workload crawl --n 1000`.
compare *ARGS:
    cargo run --release -- compare {{ARGS}}

# The criterion benches (one group per workload, every model in it).
bench *ARGS:
    cargo bench {{ARGS}}

# The delay server on port 5000, 1 s per page, like the seeds' server.
serve port="5000" delay="1000":
    cargo run --release -- serve --port {{port}} --delay-ms {{delay}}

# Re-print and re-draw the reports of an earlier compare.
report DIR:
    cargo run --release -- report {{DIR}}

# Start a new model crate, every workload stubbed and the crate registered, e.g.
# `just new-model flume csp`; then `cargo run -- grade flume` (see CONTRIBUTING.md).
new-model NAME FAMILY:
    cargo run --quiet -- new-model {{NAME}} --family {{FAMILY}}
