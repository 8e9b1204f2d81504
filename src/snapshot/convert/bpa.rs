//! VPC Block Public Access (BPA.1–BPA.7): the account options of each
//! region and the exclusions, parsed into the model's enums.
//!
//! Owns: `VpcBlockPublicAccessOptions` and `VpcBlockPublicAccessExclusions`
//! shapes → model. Must not know: what a mode blocks (the engine's
//! `analysis::path::bpa`).

use super::warn;
use crate::model::*;
use crate::snapshot::load::RawSnapshot;
use crate::snapshot::Warning;

pub(super) fn convert(raw: &RawSnapshot, net: &mut Network, warnings: &mut Vec<Warning>) {
    net.bpa_exclusions_described = raw.keys_seen.contains("VpcBlockPublicAccessExclusions");
    for (o, origin) in &raw.bpa_options {
        let location = Location {
            region: origin.region.clone(),
            account: origin.account.clone(),
        };
        let options = BlockPublicAccess {
            location,
            mode: BpaMode::parse(&o.internet_gateway_block_mode),
            exclusions_allowed: o.exclusions_allowed.as_deref() != Some("not-allowed"),
            managed_by: o.managed_by.clone(),
        };
        if let BpaMode::Other(m) = &options.mode {
            warn(warnings, origin, "InternetGatewayBlockMode", format!("VPC Block Public Access mode `{m}` is not known to this version; internet traffic of the VPCs it governs is unknown (BPA.1)"));
        }
        if net
            .block_public_access
            .iter()
            .any(|b| b.location == options.location)
        {
            warn(warnings, origin, "", "a second VpcBlockPublicAccessOptions for the same region and account folder; put each region's output in its own folder (BPA.1). The first is used".into());
            continue;
        }
        net.block_public_access.push(options);
    }
    for (e, origin) in &raw.bpa_exclusions {
        let Some(resource) = resource_of_arn(&e.resource_arn) else {
            warn(
                warnings,
                origin,
                "ResourceArn",
                format!(
                    "exclusion {} names `{}`, neither a VPC nor a subnet ARN; ignored (BPA.4)",
                    e.exclusion_id, e.resource_arn
                ),
            );
            continue;
        };
        net.bpa_exclusions.insert(
            e.exclusion_id.clone(),
            BpaExclusion {
                id: e.exclusion_id.clone(),
                mode: BpaExclusionMode::parse(&e.internet_gateway_exclusion_mode),
                resource,
                state: BpaExclusionState::parse(e.state.as_deref().unwrap_or("create-complete")),
            },
        );
    }
}

/// `arn:aws:ec2:us-east-1:123456789012:vpc/vpc-…` or `…:subnet/subnet-…`.
fn resource_of_arn(arn: &str) -> Option<BpaResource> {
    let tail = arn.rsplit(':').next()?;
    match tail.split_once('/')? {
        ("vpc", id) if id.starts_with("vpc-") => Some(BpaResource::Vpc(id.to_string())),
        ("subnet", id) if id.starts_with("subnet-") => Some(BpaResource::Subnet(id.to_string())),
        _ => None,
    }
}

/// `BlockPublicAccessStates.InternetGatewayBlockMode` of describe-vpcs.
pub(super) fn vpc_mode(v: &crate::snapshot::shapes::Vpc) -> Option<BpaMode> {
    v.block_public_access_states
        .as_ref()
        .and_then(|s| s.internet_gateway_block_mode.as_deref())
        .map(BpaMode::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_arns() {
        assert_eq!(
            resource_of_arn("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0abc"),
            Some(BpaResource::Vpc("vpc-0abc".into()))
        );
        assert_eq!(
            resource_of_arn("arn:aws:ec2:us-east-1:111122223333:subnet/subnet-0abc"),
            Some(BpaResource::Subnet("subnet-0abc".into()))
        );
        assert_eq!(
            resource_of_arn("arn:aws:ec2:us-east-1:1:instance/i-1"),
            None
        );
    }
}
