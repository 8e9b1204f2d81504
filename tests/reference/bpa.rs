//! VPC Block Public Access for one packet, written from BPA.1–BPA.7 of
//! docs/semantics-additions.md without the engine's grouping by subnet:
//! find the packet's subnet, the mode, the exclusions, decide.

use vpcreach::model::*;
use vpcreach::packet::Addr;

use super::contains;

/// `Some(code)` when BPA stops `private` (the packet's address inside the
/// VPC) crossing an internet gateway (`eigw`: an egress-only one) out of
/// `vpc_id` (`egress`) or into it.
pub fn bpa_stops(
    net: &Network,
    vpc_id: &str,
    private: Addr,
    egress: bool,
    eigw: bool,
) -> Option<&'static str> {
    let Some(vpc) = net.vpcs.get(vpc_id) else {
        return Some("UNKNOWN_RESOURCE");
    };
    let options = net
        .block_public_access
        .iter()
        .find(|o| o.location == vpc.location);
    let mode = match (options, &vpc.bpa_mode) {
        (Some(o), _) => o.mode.as_str().to_string(),
        (None, Some(m)) => m.as_str().to_string(),
        (None, None) => "off".to_string(),
    };
    let nat = net.nat_gateways.values().find(|n| {
        n.vpc_id == vpc_id
            && n.connectivity == NatConnectivity::Public
            && n.addresses
                .iter()
                .any(|a| a.private_ip.map(vpcreach::packet::addr_of) == Some(private))
    });
    match mode.as_str() {
        "off" => return None,
        "block-ingress" if egress && (nat.is_some() || eigw) => return None,
        "block-ingress" | "block-bidirectional" => {}
        _ => return Some("UNKNOWN_RESOURCE"),
    }
    if options.is_some_and(|o| !o.exclusions_allowed) {
        return Some("VPC_BLOCK_PUBLIC_ACCESS_ENABLED");
    }
    if !net.bpa_exclusions_described {
        return Some("UNKNOWN_RESOURCE");
    }
    let subnet = match nat {
        Some(n) => Some(n.subnet_id.clone()),
        None => net
            .subnets
            .values()
            .find(|s| {
                s.vpc_id == vpc_id
                    && (contains(&s.cidr, private)
                        || s.ipv6_cidrs.iter().any(|c| contains(c, private)))
            })
            .map(|s| s.id.clone()),
    };
    let mut unsure = false;
    for e in net.bpa_exclusions.values() {
        let covers = match &e.resource {
            BpaResource::Vpc(v) => v == vpc_id,
            BpaResource::Subnet(s) => Some(s) == subnet.as_ref(),
        };
        if !covers {
            continue;
        }
        let lets_through = match e.mode.as_str() {
            "allow-bidirectional" => true,
            "allow-egress" => egress && mode == "block-bidirectional",
            _ => {
                unsure = true;
                continue;
            }
        };
        match e.state.as_str() {
            // Without the account options, ExclusionsAllowed is unknown.
            "create-complete" | "update-complete" if lets_through && options.is_none() => {
                unsure = true
            }
            "create-complete" | "update-complete" if lets_through => return None,
            "create-complete" | "update-complete" | "create-failed" | "delete-complete"
            | "disable-complete" => {}
            _ if lets_through => unsure = true,
            _ => {}
        }
    }
    Some(if unsure {
        "UNKNOWN_RESOURCE"
    } else {
        "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    })
}
