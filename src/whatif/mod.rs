//! `whatif` and `diff`: what a change does to reachability.
//!
//! [`compare`] is the whole sequence both commands run (and the tests
//! call): configuration differences, the pairs they can affect, gained and
//! lost reachability ([`differential`]), and intents on the after-state
//! ([`intents`]).
//!
//! Owns: before/after comparison and intent checks. Must not know: change
//! files, snapshots on disk, output formats.

pub mod compare;
pub mod differential;
pub mod intents;

pub use compare::{compare, WhatifError, WhatifOptions, WhatifResult};
