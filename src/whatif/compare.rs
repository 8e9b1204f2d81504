//! The sequence `whatif` and `diff` share: configuration differences →
//! affected pairs → differential reachability (or, within an access scope,
//! the audit findings of both sides) → intents on the after-state.

use super::differential::{self, Differential};
use super::intents::{self, Intent, IntentResult};
use crate::analysis::endpoint::EndpointError;
use crate::audit::{self, analysis::AuditError, Scope};
use crate::change::diff::{self, ConfigChange};
use crate::model::Network;
use crate::progress::{Progress, Silent};
use crate::topology::Topology;

/// What to compare besides the configuration and every affected pair.
#[derive(Clone, Default)]
pub struct WhatifOptions<'a> {
    /// Checked on the after-state.
    pub intents: &'a [Intent],
    /// Compare only the paths this access scope selects.
    pub scope: Option<&'a Scope>,
    /// Counts the class walks (and, within a scope, the audits' walks) as
    /// they finish, for a progress display.
    pub progress: Option<&'a dyn Progress>,
}

/// What changed between two networks.
#[derive(Clone, Debug)]
pub struct WhatifResult {
    pub config: Vec<ConfigChange>,
    pub diff: Differential,
    pub intents: Vec<IntentResult>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WhatifError {
    /// An intent names an endpoint the after-state lacks.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Intent(#[from] EndpointError),
    /// The scope names what the snapshot lacks (the caller locates it in
    /// the scope file).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Scope(#[from] AuditError),
}

/// Compare `before` with `after`. Intents are validated before anything is
/// analysed.
pub fn compare(
    before: &Network,
    after: &Network,
    options: &WhatifOptions,
) -> Result<WhatifResult, WhatifError> {
    let after_topo = Topology::new(after);
    intents::validate(&after_topo, options.intents)?;
    let config = diff::diff(before, after);
    let touched = diff::affected(before, after, &config);
    let before_topo = Topology::new(before);
    let diff = match options.scope {
        // Within a scope: the audit findings of both sides, pair by pair.
        Some(scope) => {
            let progress = options.progress.unwrap_or(&Silent);
            let b = audit::audit_with_progress(&before_topo, scope, progress)?;
            let a = audit::audit_with_progress(&after_topo, scope, progress)?;
            differential::scoped(
                &before_topo,
                &after_topo,
                &b.traffic_by_pair(),
                &a.traffic_by_pair(),
            )
        }
        // Every ENI pair (and internet ↔ ENI) that the change can touch.
        None => differential::differential_with_progress(
            &before_topo,
            &after_topo,
            Some(&touched),
            options.progress.unwrap_or(&Silent),
        ),
    };
    let intents = intents::check(&after_topo, options.intents)?;
    Ok(WhatifResult {
        config,
        diff,
        intents,
    })
}
