//! Integration tests (one binary, as ripgrep does).

mod util;

mod bad_dependence;
mod bad_input;
mod bad_input_v2;
mod chain_paths;
mod charts;
mod cli;
mod compare;
mod crn;
mod dependence;
mod determinism;
mod exact;
mod in_memory;
mod initial;
mod limits;
mod market_exact;
mod market_invariants;
mod market_outputs;
mod notices;
mod outputs;
mod outputs_stress;
mod per_trial;
mod properties;
mod reference;
mod reference_market;
mod restriction_exact;
mod shards;
mod sketched;
mod stages_exact;
mod sweep;
mod uncertain_loadings;
mod uncertainty;
mod uncertainty_shards;
mod value_stability;
mod year_changes;
