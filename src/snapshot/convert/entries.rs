//! The pieces inside resources: security-group rule ids, network ACL entry
//! ranges, ENI attachments and private addresses, and route-table routes.
//! Must not know how whole resources are assembled (that is `mod.rs`).

use super::super::load::{Origin, RawSnapshot};
use super::super::shapes;
use super::super::Warning;
use super::warn;
use crate::model::*;

/// `describe-security-group-rules` output names each flattened rule with its
/// `sgr-` id: find the rule with the same direction and content.
pub(super) fn attach_rule_ids(raw: &RawSnapshot, net: &mut Network, warnings: &mut Vec<Warning>) {
    for (r, origin) in &raw.security_group_rules {
        let Some(sg) = net.security_groups.get_mut(&r.group_id) else {
            warn(
                warnings,
                origin,
                "GroupId",
                format!(
                    "rule {} belongs to security group {}, which is not in the snapshot",
                    r.security_group_rule_id, r.group_id
                ),
            );
            continue;
        };
        let peer = if let Some(c) = r.cidr_ipv4 {
            SgPeer::Cidr(c)
        } else if let Some(c) = &r.cidr_ipv6 {
            SgPeer::Ipv6Cidr(c.clone())
        } else if let Some(pl) = &r.prefix_list_id {
            SgPeer::PrefixList(pl.clone())
        } else if let Some(g) = &r.referenced_group_info {
            SgPeer::Group {
                group_id: g.group_id.clone().unwrap_or_default(),
                vpc_id: g.vpc_id.clone(),
                peering_id: g.vpc_peering_connection_id.clone(),
            }
        } else {
            warn(
                warnings,
                origin,
                "",
                format!("rule {} names no peer; ignored", r.security_group_rule_id),
            );
            continue;
        };
        let proto = Protocol::parse(&r.ip_protocol);
        let rules = if r.is_egress {
            &mut sg.egress
        } else {
            &mut sg.ingress
        };
        let same_group = |a: &SgPeer, b: &SgPeer| match (a, b) {
            (SgPeer::Group { group_id: x, .. }, SgPeer::Group { group_id: y, .. }) => x == y,
            _ => a == b,
        };
        let found = rules.iter_mut().find(|x| {
            x.rule_id.is_none()
                && Some(x.protocol) == proto
                && (x.protocol == Protocol::All
                    || (x.from_port.map(i64::from) == r.from_port
                        && x.to_port.map(i64::from) == r.to_port))
                && same_group(&x.peer, &peer)
        });
        match found {
            Some(rule) => rule.rule_id = Some(r.security_group_rule_id.clone()),
            None => warn(
                warnings,
                origin,
                "",
                format!(
                    "rule {} matches no rule of {} in describe-security-groups output; ignored",
                    r.security_group_rule_id, r.group_id
                ),
            ),
        }
    }
}

/// Rule numbers and port ranges AWS never prints: user rules are numbered
/// 1..=32766, 32767 is the default rule and 32768 the IPv6 default; ports are 0..=65535, From <= To.
/// The entry is still read (clamped), and the warning says so.
pub(super) fn check_acl_entry_ranges(
    e: &shapes::NetworkAclEntry,
    origin: &Origin,
    warnings: &mut Vec<Warning>,
) {
    if !(1..=32768).contains(&e.rule_number) {
        warn(
            warnings,
            origin,
            "RuleNumber",
            format!(
                "rule number {} is out of range (1..32766; 32767 and 32768 for the default rules); AWS never prints it, so this entry is suspect (read as clamped)",
                e.rule_number
            ),
        );
    }
    if let Some(p) = &e.port_range {
        let valid = |port: i64| (0..=65535).contains(&port);
        if !valid(p.from) || !valid(p.to) || p.to < p.from {
            warn(
                warnings,
                origin,
                "PortRange",
                format!(
                    "port range {}..{} is not one AWS prints (0..65535, From <= To); read as clamped, an inverted range matches nothing",
                    p.from, p.to
                ),
            );
        }
    }
}

pub(super) fn clamp_port(p: i64) -> u16 {
    p.clamp(0, u16::MAX as i64) as u16
}

pub(super) fn attachment(a: &shapes::EniAttachment) -> EniAttachment {
    EniAttachment {
        instance_id: a.instance_id.clone(),
        device_index: a.device_index.map(|d| d as i32),
        status: EniAttachmentStatus::parse(&a.status),
    }
}

pub(super) fn private_ips(
    primary: Option<std::net::Ipv4Addr>,
    list: &[shapes::PrivateIpAddress],
    association: Option<&shapes::IpAssociation>,
) -> Vec<PrivateIp> {
    let mut out: Vec<PrivateIp> = list
        .iter()
        .map(|p| PrivateIp {
            address: p.private_ip_address,
            primary: p.primary,
            public_ip: p.association.as_ref().and_then(|a| a.public_ip),
        })
        .collect();
    if let Some(primary) = primary {
        if !out.iter().any(|p| p.address == primary) {
            out.insert(
                0,
                PrivateIp {
                    address: primary,
                    primary: true,
                    public_ip: None,
                },
            );
        }
        // The ENI-level association belongs to the primary private IP.
        if let Some(public) = association.and_then(|a| a.public_ip) {
            if let Some(p) = out.iter_mut().find(|p| p.address == primary) {
                p.public_ip.get_or_insert(public);
            }
        }
    }
    out
}

pub(super) fn route(r: &shapes::Route) -> Option<Route> {
    let destination = if let Some(c) = r.destination_cidr_block {
        RouteDestination::Cidr(c)
    } else if let Some(pl) = &r.destination_prefix_list_id {
        RouteDestination::PrefixList(pl.clone())
    } else if let Some(v6) = &r.destination_ipv6_cidr_block {
        RouteDestination::Ipv6(v6.clone())
    } else {
        return None;
    };
    let target = if let Some(id) = &r.nat_gateway_id {
        RouteTarget::NatGateway(id.clone())
    } else if let Some(id) = &r.vpc_peering_connection_id {
        RouteTarget::VpcPeering(id.clone())
    } else if let Some(id) = &r.transit_gateway_id {
        RouteTarget::TransitGateway(id.clone())
    } else if let Some(id) = &r.egress_only_internet_gateway_id {
        RouteTarget::EgressOnlyInternetGateway(id.clone())
    } else if let Some(id) = &r.network_interface_id {
        // AWS prints InstanceId beside NetworkInterfaceId for instance
        // targets; the ENI is what the route really delivers to.
        RouteTarget::NetworkInterface(id.clone())
    } else if let Some(id) = &r.instance_id {
        RouteTarget::Instance(id.clone())
    } else if let Some(id) = &r.gateway_id {
        match id.split('-').next().unwrap_or("") {
            "local" => RouteTarget::Local,
            "igw" => RouteTarget::InternetGateway(id.clone()),
            "vgw" => RouteTarget::VpnGateway(id.clone()),
            "vpce" => RouteTarget::VpcEndpoint(id.clone()),
            _ => RouteTarget::Other {
                kind: OtherTarget::Gateway,
                id: id.clone(),
            },
        }
    } else if let Some(id) = &r.carrier_gateway_id {
        RouteTarget::Other {
            kind: OtherTarget::CarrierGateway,
            id: id.clone(),
        }
    } else if let Some(id) = &r.local_gateway_id {
        RouteTarget::Other {
            kind: OtherTarget::LocalGateway,
            id: id.clone(),
        }
    } else if let Some(id) = &r.core_network_arn {
        RouteTarget::Other {
            kind: OtherTarget::CoreNetwork,
            id: id.clone(),
        }
    } else {
        return None;
    };
    let origin = match r.origin.as_deref() {
        Some("CreateRouteTable") => RouteOrigin::CreateRouteTable,
        Some("CreateRoute") | None => RouteOrigin::CreateRoute,
        Some("EnableVgwRoutePropagation") => RouteOrigin::EnableVgwRoutePropagation,
        Some(other) => RouteOrigin::Other(other.to_string()),
    };
    let state = r
        .state
        .as_deref()
        .map_or(RouteState::Active, RouteState::parse);
    Some(Route {
        destination,
        target,
        origin,
        state,
    })
}
