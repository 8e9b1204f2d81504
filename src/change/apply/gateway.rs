//! Internet gateway calls: Attach/DetachInternetGateway, with EC2's
//! refusal to detach while public addresses are mapped in the VPC.

use std::collections::BTreeSet;

use crate::change::{attached, err, need, State, R};
use crate::model::*;

impl State {
    pub(in crate::change) fn attach_internet_gateway(
        &mut self,
        internet_gateway_id: &Option<String>,
        vpc_id: &Option<String>,
    ) -> R<String> {
        let igw = need(internet_gateway_id, "InternetGatewayId")?.clone();
        let vpc = need(vpc_id, "VpcId")?.clone();
        self.vpc(&vpc)?;
        let g = self.igw(&igw, "InternetGatewayId")?;
        if let Some((v, _)) = g.attachments.iter().find(|(_, s)| attached(s)) {
            return Err(err(
                "Resource.AlreadyAssociated",
                "InternetGatewayId",
                format!("resource {igw} is already attached to network {v}"),
            ));
        }
        if let Some(other) = self
            .net
            .internet_gateways
            .values()
            .find(|g| g.attachments.iter().any(|(v, s)| *v == vpc && attached(s)))
        {
            return Err(err(
                "Resource.AlreadyAssociated",
                "VpcId",
                format!(
                    "Network {vpc} already has an internet gateway attached ({})",
                    other.id
                ),
            ));
        }
        let g = self.net.internet_gateways.get_mut(&igw).expect("checked");
        g.attachments.retain(|(v, _)| *v != vpc);
        g.attachments
            .push((vpc.clone(), GatewayAttachmentState::Available));
        Ok(format!("attached {igw} to {vpc}"))
    }

    pub(in crate::change) fn detach_internet_gateway(
        &mut self,
        internet_gateway_id: &Option<String>,
        vpc_id: &Option<String>,
    ) -> R<String> {
        let igw = need(internet_gateway_id, "InternetGatewayId")?.clone();
        let vpc = need(vpc_id, "VpcId")?.clone();
        self.vpc(&vpc)?;
        let g = self.igw(&igw, "InternetGatewayId")?;
        if !g.attachments.iter().any(|(v, s)| *v == vpc && attached(s)) {
            return Err(err(
                "Gateway.NotAttached",
                "VpcId",
                format!("resource {igw} is not attached to network {vpc}"),
            ));
        }
        let mapped: Vec<String> = self
            .net
            .network_interfaces
            .values()
            .filter(|e| e.vpc_id == vpc)
            .flat_map(|e| e.private_ips.iter().filter_map(|p| p.public_ip))
            .chain(
                self.net
                    .nat_gateways
                    .values()
                    .filter(|n| n.vpc_id == vpc)
                    .flat_map(|n| n.addresses.iter().filter_map(|a| a.public_ip)),
            )
            .map(|ip| ip.to_string())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        if !mapped.is_empty() {
            return Err(err(
                "DependencyViolation",
                "InternetGatewayId",
                format!("Network {vpc} has some mapped public address(es) ({}). Please unmap those public address(es) before detaching the gateway.", mapped.join(", ")),
            ).help("disassociate the Elastic IPs first (DisassociateAddress); auto-assigned public IPs go only with their instances"));
        }
        let g = self.net.internet_gateways.get_mut(&igw).expect("checked");
        g.attachments.retain(|(v, _)| *v != vpc);
        Ok(format!("detached {igw} from {vpc}"))
    }

    pub(in crate::change) fn igw(&self, id: &str, field: &str) -> R<&InternetGateway> {
        self.net.internet_gateways.get(id).ok_or_else(|| {
            err(
                "InvalidInternetGatewayID.NotFound",
                field,
                format!("The internetGateway ID '{id}' does not exist"),
            )
        })
    }
}
