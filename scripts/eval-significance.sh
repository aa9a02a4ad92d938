#!/usr/bin/env bash
# Prints the significance scorer's ROC AUC and precision at 10 on the
# held-out half of the labelled set (docs/significance.md). The tuning half,
# pair by pair: VELLUM_SIGNIFICANCE_SPLIT=tuning scripts/eval-significance.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet --test significance -- --nocapture --exact held_out_measurement 2>&1 |
    grep -E '^split '
