#!/usr/bin/env bash
# Regenerate the README gallery (docs/img/*.png) from scenarios/example.toml
# scenarios/example-market.toml (market_*.png) and the uncertainty study of
# scenarios/example-uncertainty.toml (uncertainty_sobol_cobalt.png),
# with the scenario's own trials and seed, so the images are reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
# (The folder is this script's own: start it afresh.)
rm -rf target/gallery
cargo run --release --quiet -- run scenarios/example.toml --out target/gallery --quiet
mkdir -p docs/img
for chart in shortfall_probability supply_copper exceedance_copper concentration supply_cobalt exceedance_lithium; do
    cp "target/gallery/$chart.png" "docs/img/$chart.png"
done
rm -rf target/gallery-market
cargo run --release --quiet -- run scenarios/example-market.toml --out target/gallery-market --quiet
for chart in price_copper cost_exceedance supply_copper stock_copper; do
    cp "target/gallery-market/$chart.png" "docs/img/market_$chart.png"
done
rm -rf target/gallery-uncertainty
cargo run --release --quiet -- uncertainty scenarios/example-uncertainty.toml --samples 64 --trials 20000 --out target/gallery-uncertainty --quiet
cp target/gallery-uncertainty/sobol_cobalt.png docs/img/uncertainty_sobol_cobalt.png
echo "gallery written to docs/img/"
