#!/usr/bin/env bash
# Regenerate docs/reko-diq-case-study.md and docs/case-study/*.png from the
# shipped U.S. scenarios with their own seed and trials. The output is
# byte-for-byte identical on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example case_study
