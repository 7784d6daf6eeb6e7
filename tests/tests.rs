//! Integration tests (one binary, as ripgrep does).

mod util;

mod bad_dependence;
mod bad_input;
mod charts;
mod cli;
mod compare;
mod crn;
mod dependence;
mod determinism;
mod exact;
mod initial;
mod limits;
mod market_outputs;
mod outputs;
mod properties;
mod reference;
mod shards;
mod value_stability;
