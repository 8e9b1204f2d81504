//! `audit`: every path a Network Access Scope asks about, exhaustively.
//!
//! Owns: scopes ([`scope`]) and findings ([`analysis`]). Knows the scope
//! shapes only as plain values; JSON parsing lives in
//! [`crate::snapshot::scope_shapes`] and output formats in
//! [`crate::report::audit`].

pub mod analysis;
pub mod canon;
pub mod scope;

pub use analysis::{audit, audit_with_progress, AuditResult, Finding};
pub use scope::Scope;
