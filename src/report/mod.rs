//! Reports: analysis results as text for people and JSON for machines.
//!
//! Owns: wording, layout, colour and the AWS-shaped JSON field names. Must
//! not know: how results were computed, or where the snapshot came from.

pub mod audit;
pub mod diagram;
pub mod elb;
pub mod flows;
pub mod json;
pub mod text;
pub mod whatif;
