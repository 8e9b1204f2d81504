//! VPC Block Public Access calls (BPA.1–BPA.6): ModifyVpcBlockPublicAccessOptions,
//! Create/Modify/DeleteVpcBlockPublicAccessExclusion.

use crate::change::{err, need, State, R};
use crate::model::*;

impl State {
    /// The one region (and account) a call is made in: every VPC of the
    /// snapshot must share it, since a change file names no region.
    fn bpa_location(&self) -> R<Location> {
        let mut locations: Vec<&Location> = self
            .net
            .block_public_access
            .iter()
            .map(|o| &o.location)
            .chain(self.net.vpcs.values().map(|v| &v.location))
            .collect();
        locations.sort_by_key(|l| (l.region.clone(), l.account.clone()));
        locations.dedup();
        match locations.as_slice() {
            [] => Ok(Location::default()),
            [one] => Ok((*one).clone()),
            _ => Err(err(
                "InvalidParameterCombination",
                "",
                "the snapshot spans several regions or accounts, and a VPC Block Public Access call applies to one: evaluate it against a snapshot of that region",
            )),
        }
    }

    pub(in crate::change) fn modify_bpa_options(&mut self, mode: &Option<String>) -> R<String> {
        let mode = need(mode, "InternetGatewayBlockMode")?;
        let parsed = BpaMode::parse(mode);
        if let BpaMode::Other(m) = &parsed {
            return Err(err(
                "InvalidParameterValue",
                "InternetGatewayBlockMode",
                format!("Value ({m}) for parameter InternetGatewayBlockMode is invalid: off, block-bidirectional or block-ingress"),
            ));
        }
        let location = self.bpa_location()?;
        match self
            .net
            .block_public_access
            .iter_mut()
            .find(|o| o.location == location)
        {
            Some(o) => o.mode = parsed,
            None => self.net.block_public_access.push(BlockPublicAccess {
                location,
                mode: parsed,
                exclusions_allowed: true,
                managed_by: Some("account".into()),
            }),
        }
        Ok(format!("VPC Block Public Access set to {mode}"))
    }

    pub(in crate::change) fn create_bpa_exclusion(
        &mut self,
        vpc_id: &Option<String>,
        subnet_id: &Option<String>,
        mode: &Option<String>,
    ) -> R<String> {
        let mode = exclusion_mode(mode)?;
        let resource = match (vpc_id, subnet_id) {
            (Some(v), None) => {
                self.vpc(v)?;
                BpaResource::Vpc(v.clone())
            }
            (None, Some(s)) => {
                if !self.net.subnets.contains_key(s) {
                    return Err(err(
                        "InvalidSubnetID.NotFound",
                        "SubnetId",
                        format!("The subnet ID '{s}' does not exist"),
                    ));
                }
                BpaResource::Subnet(s.clone())
            }
            _ => {
                return Err(err(
                    "InvalidParameterCombination",
                    "",
                    "give exactly one of VpcId and SubnetId",
                ))
            }
        };
        let location = self.bpa_location()?;
        if self
            .net
            .block_public_access
            .iter()
            .any(|o| o.location == location && !o.exclusions_allowed)
        {
            return Err(err(
                "OperationNotPermitted",
                "",
                "exclusions are not allowed by the VPC Block Public Access options (ExclusionsAllowed not-allowed)",
            ));
        }
        let id = self.new_id("vpcbpa-exclude");
        let whom = match &resource {
            BpaResource::Vpc(v) | BpaResource::Subnet(v) => v.clone(),
        };
        self.net.bpa_exclusions.insert(
            id.clone(),
            BpaExclusion {
                id: id.clone(),
                mode: mode.clone(),
                resource,
                state: BpaExclusionState::CreateComplete,
            },
        );
        Ok(format!("created exclusion {id} ({mode}) for {whom}"))
    }

    pub(in crate::change) fn modify_bpa_exclusion(
        &mut self,
        exclusion_id: &Option<String>,
        mode: &Option<String>,
    ) -> R<String> {
        let mode = exclusion_mode(mode)?;
        let e = self.bpa_exclusion(exclusion_id)?;
        e.mode = mode.clone();
        e.state = BpaExclusionState::UpdateComplete;
        Ok(format!("exclusion {} is now {mode}", e.id))
    }

    pub(in crate::change) fn delete_bpa_exclusion(
        &mut self,
        exclusion_id: &Option<String>,
    ) -> R<String> {
        let id = self.bpa_exclusion(exclusion_id)?.id.clone();
        self.net.bpa_exclusions.remove(&id);
        Ok(format!("deleted exclusion {id}"))
    }

    fn bpa_exclusion(&mut self, exclusion_id: &Option<String>) -> R<&mut BpaExclusion> {
        let id = need(exclusion_id, "ExclusionId")?.clone();
        self.net
            .bpa_exclusions
            .get_mut(&id)
            .filter(|e| e.state.in_force() != InForce::No)
            .ok_or_else(|| {
                err(
                    "InvalidParameterValue",
                    "ExclusionId",
                    format!("The exclusion ID '{id}' does not exist"),
                )
                .help("exclusion ids come from the snapshot (describe-vpc-block-public-access-exclusions) or are numbered vpcbpa-exclude-vpcreach… when created earlier in this change")
            })
    }
}

fn exclusion_mode(mode: &Option<String>) -> R<BpaExclusionMode> {
    let m = need(mode, "InternetGatewayExclusionMode")?;
    match BpaExclusionMode::parse(m) {
        BpaExclusionMode::Other(m) => Err(err(
            "InvalidParameterValue",
            "InternetGatewayExclusionMode",
            format!("Value ({m}) for parameter InternetGatewayExclusionMode is invalid: allow-bidirectional or allow-egress"),
        )),
        ok => Ok(ok),
    }
}
