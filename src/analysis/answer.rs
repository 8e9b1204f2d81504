//! The answer to one `path` question, whatever the destination is: a load
//! balancer (two composed walks per node and target, [`super::elb`]) or
//! anything else (one round trip, [`super::path`]). The CLI and the tests
//! call [`answer`], so they dispatch alike.
//!
//! Owns: choosing between the two analyses, and what "found" means when
//! the snapshot lacks resources the answer depends on. Must not know:
//! snapshots, output formats.

use miette::Diagnostic;
use thiserror::Error;

use super::elb::{self, LbAnalysis};
use super::endpoint::EndpointError;
use super::{path, PathAnalysis, PathQuery};
use crate::topology::Topology;

/// What `path` found.
#[derive(Clone, Debug)]
pub enum PathAnswer {
    /// The destination is not a load balancer.
    Path(PathAnalysis),
    /// The destination is a load balancer (or one of its nodes).
    LoadBalancer(LbAnalysis),
}

#[derive(Debug, Error, Diagnostic)]
pub enum AnswerError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Endpoint(#[from] EndpointError),
    #[error("--lb-only needs a load balancer as the destination (its ARN, name, or a node's interface or address); {destination} is not one")]
    LbOnlyWithoutLoadBalancer { destination: String },
}

/// Answer `query`; `lb_only` (for a load balancer destination) stops at
/// its listeners instead of following it to its targets.
pub fn answer(
    topo: &Topology,
    query: &PathQuery,
    lb_only: bool,
) -> Result<PathAnswer, AnswerError> {
    if let Some((lb, node)) = elb::resolve(topo, &query.destination)? {
        let a = elb::analyze(topo, query, lb, node.as_deref(), lb_only)?;
        return Ok(PathAnswer::LoadBalancer(a));
    }
    if lb_only {
        return Err(AnswerError::LbOnlyWithoutLoadBalancer {
            destination: query.destination.clone(),
        });
    }
    Ok(PathAnswer::Path(path::analyze(topo, query)?))
}

impl PathAnswer {
    /// Does the answer depend on load balancers (so on the kinds of
    /// resources a load balancer question needs)?
    pub fn through_load_balancer(&self) -> bool {
        matches!(self, PathAnswer::LoadBalancer(_))
    }

    /// The snapshot lacks kinds of resources the answer depends on, given
    /// as (what, IAM action): no path is claimed (see
    /// [`PathAnalysis::mark_unknown`]; a load balancer answer is only
    /// marked by [`PathAnswer::found`] taking `missing` into account).
    pub fn mark_unknown(&mut self, missing: &[(String, String)]) {
        if let PathAnswer::Path(a) = self {
            a.mark_unknown(missing);
        }
    }

    /// Some traffic gets there and its replies get back, and nothing the
    /// answer depends on is `missing`: an incomplete snapshot never
    /// answers "reachable".
    pub fn found(&self, missing: &[(String, String)]) -> bool {
        match self {
            PathAnswer::Path(a) => a.path_found(),
            PathAnswer::LoadBalancer(a) => a.path_found() && missing.is_empty(),
        }
    }
}
