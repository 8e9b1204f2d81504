//! vpcreach: offline reachability and network access analysis for AWS VPCs.
//!
//! The pipeline, one module per stage:
//! [`snapshot`] (AWS JSON → model) → [`model`] (plain types) →
//! [`topology`] (indexes and the component graph) → [`analysis`] (path, …),
//! [`audit`], [`whatif`], [`flows`] → [`report`] (text, JSON) → the
//! `vpcreach` binary's CLI, which calls the same entry points as the tests:
//! [`analysis::answer`], [`audit::audit`], [`whatif::compare`].
//! [`packet`] holds the header sets every analysis computes with.

// Input errors carry the whole source text so that miette can point into it;
// they happen once per run, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod audit;
pub mod change;
pub mod flows;
pub mod model;
pub mod packet;
pub mod plan;
pub mod progress;
pub mod report;
pub mod snapshot;
pub mod synth;
pub mod topology;
pub mod whatif;
