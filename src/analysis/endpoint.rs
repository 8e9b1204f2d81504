//! Turning a user's `--source` / `--destination` into a place in the network,
//! and the addresses each end stands for: the initial header set of a
//! question, what lies behind a gateway, a transit gateway attachment or a
//! VPN, and the AWS service addresses an ENI reaches unfiltered (C1.9,
//! C2.9). `path`, `elb` and `audit` all ask here.
//!
//! Owns: endpoint resolution and endpoint addresses. Must not know: how a
//! walk proceeds, or how anything is printed.

use std::net::IpAddr;

use miette::Diagnostic;
use thiserror::Error;

use crate::analysis::{ExplanationCode, PathQuery, ProtocolChoice};
use crate::model::{NatGateway, Network, RouteDestination, RouteTarget, TgwAttachment};
use crate::packet::*;
use crate::topology::{internet_addrs, Topology};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A network interface (an instance resolves to its primary ENI), with
    /// the private addresses the question is about.
    Eni {
        eni: String,
        instance: Option<String>,
        addrs: AddrSet,
    },
    /// Hosts outside every VPC: the public internet or given addresses.
    External {
        addrs: AddrSet,
        label: String,
    },
    InternetGateway(String),
    Peering(String),
    NatGateway(String),
    /// A virtual private gateway: the on-premises side of its VPN connections.
    VpnGateway(String),
    /// A gateway endpoint (S3, DynamoDB): the service behind it.
    GatewayEndpoint(String),
    /// A transit gateway attachment: as a destination, traffic leaving the
    /// TGW through it; as a source, traffic entering the TGW through it.
    TgwAttachment(String),
    /// A transit gateway: any of its attachments (docs/model.md).
    TransitGateway(String),
}

#[derive(Debug, Error, Diagnostic)]
pub enum EndpointError {
    #[error(
        "{reference} is not in the snapshot ({})",
        ExplanationCode::NoSourceOrDestination
    )]
    #[diagnostic(code(vpcreach::path::unknown_endpoint), help("{hint}"))]
    NotInSnapshot { reference: String, hint: String },
    #[error("{reference}: {message}")]
    #[diagnostic(code(vpcreach::path::unsupported_endpoint))]
    Unsupported { reference: String, message: String },
    #[error("cannot understand {reference:?} as a source or destination")]
    #[diagnostic(
        code(vpcreach::path::bad_reference),
        help("use a resource id (i-, eni-, igw-, nat-, pcx-, vgw-, vpce-, tgw-attach-, tgw-), an IPv4 or IPv6 address, or `internet`")
    )]
    BadReference { reference: String },
    #[error("{address} is not an address of {reference}")]
    #[diagnostic(code(vpcreach::path::address_mismatch))]
    AddressMismatch { reference: String, address: IpAddr },
}

fn similar_ids<'a>(candidates: impl Iterator<Item = &'a String>, reference: &str) -> String {
    let prefix: String = reference
        .chars()
        .take(reference.find('-').map(|i| i + 3).unwrap_or(3))
        .collect();
    let near: Vec<&str> = candidates
        .filter(|c| c.starts_with(&prefix))
        .map(String::as_str)
        .take(5)
        .collect();
    if near.is_empty() {
        "check the id against the snapshot; partial snapshots may lack the resource".into()
    } else {
        format!("ids in the snapshot that start alike: {}", near.join(", "))
    }
}

pub fn resolve(
    topo: &Topology,
    reference: &str,
    explicit_ip: Option<IpAddr>,
) -> Result<Endpoint, EndpointError> {
    let net = topo.net;
    let not_found = |ids: &mut dyn Iterator<Item = &String>| EndpointError::NotInSnapshot {
        reference: reference.to_string(),
        hint: similar_ids(ids, reference),
    };
    if reference == "internet" {
        let addrs = match explicit_ip {
            Some(ip) => ip_set(ip),
            None => internet_addrs(net),
        };
        return Ok(Endpoint::External {
            addrs,
            label: "internet".into(),
        });
    }
    if let Ok(ip) = reference.parse::<IpAddr>() {
        let owners = topo.private_owners_anywhere(addr_of(ip));
        if let Some(eni) = owners.first() {
            return Ok(Endpoint::Eni {
                eni: eni.id.clone(),
                instance: instance_of(eni),
                addrs: ip_set(ip),
            });
        }
        if let Some((owner, _private)) = topo.public_owner(addr_of(ip)) {
            if owner.starts_with("eni-") {
                // A public address of an ENI: that ENI, reached through its IGW.
                return Ok(Endpoint::External {
                    addrs: ip_set(ip),
                    label: format!("{ip} (public address of {owner})"),
                });
            }
        }
        return Ok(Endpoint::External {
            addrs: ip_set(ip),
            label: ip.to_string(),
        });
    }
    let kind = reference.split('-').next().unwrap_or("");
    match kind {
        "i" => {
            let inst = net
                .instances
                .get(reference)
                .ok_or_else(|| not_found(&mut net.instances.keys()))?;
            let eni_id =
                inst.network_interface_ids
                    .first()
                    .ok_or_else(|| EndpointError::Unsupported {
                        reference: reference.into(),
                        message: format!(
                            "the instance has no network interface in the snapshot ({})",
                            ExplanationCode::UnassociatedComponent
                        ),
                    })?;
            let eni = net
                .network_interfaces
                .get(eni_id)
                .ok_or_else(|| not_found(&mut net.network_interfaces.keys()))?;
            let addrs = eni_addrs(eni, explicit_ip, reference)?;
            Ok(Endpoint::Eni {
                eni: eni.id.clone(),
                instance: Some(inst.id.clone()),
                addrs,
            })
        }
        "eni" => {
            let eni = net
                .network_interfaces
                .get(reference)
                .ok_or_else(|| not_found(&mut net.network_interfaces.keys()))?;
            let addrs = eni_addrs(eni, explicit_ip, reference)?;
            Ok(Endpoint::Eni {
                eni: eni.id.clone(),
                instance: instance_of(eni),
                addrs,
            })
        }
        "igw" => {
            net.internet_gateways
                .get(reference)
                .ok_or_else(|| not_found(&mut net.internet_gateways.keys()))?;
            Ok(Endpoint::InternetGateway(reference.into()))
        }
        "pcx" => {
            net.peerings
                .get(reference)
                .ok_or_else(|| not_found(&mut net.peerings.keys()))?;
            Ok(Endpoint::Peering(reference.into()))
        }
        "nat" => {
            net.nat_gateways
                .get(reference)
                .ok_or_else(|| not_found(&mut net.nat_gateways.keys()))?;
            Ok(Endpoint::NatGateway(reference.into()))
        }
        "vgw" => {
            net.vpn_gateways
                .get(reference)
                .ok_or_else(|| not_found(&mut net.vpn_gateways.keys()))?;
            Ok(Endpoint::VpnGateway(reference.into()))
        }
        "vpce" => {
            let e = net
                .vpc_endpoints
                .get(reference)
                .ok_or_else(|| not_found(&mut net.vpc_endpoints.keys()))?;
            match e.kind {
                crate::model::EndpointKind::Gateway => {
                    Ok(Endpoint::GatewayEndpoint(reference.into()))
                }
                crate::model::EndpointKind::Interface => {
                    // An interface endpoint is its network interfaces (C8.2).
                    let eni = e
                        .network_interface_ids
                        .iter()
                        .find_map(|id| net.network_interfaces.get(id))
                        .ok_or_else(|| EndpointError::Unsupported {
                            reference: reference.into(),
                            message: format!(
                                "none of the endpoint's network interfaces is in the snapshot ({})",
                                ExplanationCode::UnknownResource
                            ),
                        })?;
                    let addrs = eni_addrs(eni, explicit_ip, reference)?;
                    Ok(Endpoint::Eni {
                        eni: eni.id.clone(),
                        instance: None,
                        addrs,
                    })
                }
                _ => Err(EndpointError::Unsupported {
                    reference: reference.into(),
                    message: format!(
                        "Gateway Load Balancer endpoints can only be passed through ({})",
                        ExplanationCode::PathThroughGwlbNotChecked
                    ),
                }),
            }
        }
        "tgw" if reference.starts_with("tgw-attach-") => {
            net.tgw_attachments
                .get(reference)
                .ok_or_else(|| not_found(&mut net.tgw_attachments.keys()))?;
            Ok(Endpoint::TgwAttachment(reference.into()))
        }
        "tgw" => {
            let known = net.transit_gateways.contains_key(reference)
                || net.tgw_attachments.values().any(|a| a.tgw_id == reference);
            if !known {
                return Err(not_found(&mut net.transit_gateways.keys()));
            }
            Ok(Endpoint::TransitGateway(reference.into()))
        }
        _ => Err(EndpointError::BadReference {
            reference: reference.into(),
        }),
    }
}

fn instance_of(eni: &crate::model::NetworkInterface) -> Option<String> {
    eni.attachment.as_ref().and_then(|a| a.instance_id.clone())
}

fn eni_addrs(
    eni: &crate::model::NetworkInterface,
    explicit: Option<IpAddr>,
    reference: &str,
) -> Result<AddrSet, EndpointError> {
    match explicit {
        Some(ip) => {
            if crate::topology::eni_owns(eni, addr_of(ip)) {
                Ok(ip_set(ip))
            } else {
                Err(EndpointError::AddressMismatch {
                    reference: reference.into(),
                    address: ip,
                })
            }
        }
        None => Ok(default_eni_addrs(eni)),
    }
}

/// The addresses an ENI end stands for when none is given: its primary
/// private address (flow logs and AWS both speak of it, D.4) and, on a
/// dual-stack ENI, its first IPv6 address (both families are asked
/// about). `path` and `audit` both use it, so they agree on what a pair is.
pub fn default_eni_addrs(eni: &crate::model::NetworkInterface) -> AddrSet {
    eni.primary_ip().map(ip_set).unwrap_or_default()
        | eni
            .ipv6_addresses
            .first()
            .map(|a| ip_set(*a))
            .unwrap_or_default()
}

fn protocol_cube(query: &PathQuery) -> Cube {
    let mut cube = Cube::everything();
    if let ProtocolChoice::Number(p) = query.protocol {
        cube.proto = ProtoSet::from_iter([p..=p]);
        if p == PROTO_ICMP || p == PROTO_ICMPV6 {
            // For ICMP, --port names the ICMP type (AWS's FromPort convention).
            if let Some((from, to)) = query.dport {
                cube.sport = port_range(from, to);
            }
            return cube;
        }
    }
    if let Some((from, to)) = query.dport {
        cube.dport = port_range(from, to);
    }
    if let Some((from, to)) = query.sport {
        cube.sport = port_range(from, to);
    }
    cube
}

pub fn initial_set(
    topo: &Topology,
    query: &PathQuery,
    src: &Endpoint,
    dst: &Endpoint,
) -> HeaderSet {
    let mut cube = protocol_cube(query);
    let src_addrs = endpoint_addrs(topo, src, query.source_ip, dst);
    let dst_addrs = match dst {
        // From the internet an ENI is addressed by its public IPs.
        Endpoint::Eni { eni, addrs, .. } if entering_through_igw(src) => {
            let publics = public_addrs_of(topo.net, eni, addrs);
            if publics.is_empty() {
                addrs.clone()
            } else {
                publics
            }
        }
        _ => endpoint_addrs(topo, dst, query.destination_ip, src),
    };
    // One cube per address family: an IPv4 source never sends to an IPv6
    // destination (a dual-stack question asks both families).
    let mut set = HeaderSet::empty();
    for family in [all_v4(), all_v6()] {
        cube.src = &src_addrs & &family;
        cube.dst = &dst_addrs & &family;
        set.push(cube.clone());
    }
    set
}

/// The addresses an endpoint stands for at its end of a question; `explicit`
/// (`--source-ip` / `--destination-ip`) narrows a gateway to one address.
/// `other` is the opposite end (a peering is entered on its side).
pub fn endpoint_addrs(
    topo: &Topology,
    e: &Endpoint,
    explicit: Option<std::net::IpAddr>,
    other: &Endpoint,
) -> AddrSet {
    let net = topo.net;
    let or_explicit = |default: &dyn Fn() -> AddrSet| explicit.map(ip_set).unwrap_or_else(default);
    match e {
        Endpoint::Eni { addrs, .. } | Endpoint::External { addrs, .. } => addrs.clone(),
        Endpoint::InternetGateway(_) => or_explicit(&|| internet_addrs(net)),
        Endpoint::Peering(pcx) => or_explicit(&|| {
            let Some(p) = net.peerings.get(pcx) else {
                return AddrSet::new();
            };
            // The side away from the other end's VPC.
            let side = match endpoint_vpc(topo, other) {
                Some(v) if p.requester.vpc_id == v => &p.accepter,
                Some(_) => &p.requester,
                None => &p.accepter,
            };
            nets_set(&side.cidrs)
        }),
        Endpoint::NatGateway(id) => nat_private_ip(net.nat_gateways.get(id))
            .map(ip_set)
            .unwrap_or_default(),
        Endpoint::VpnGateway(id) => or_explicit(&|| on_prem_addrs(net, id)),
        Endpoint::GatewayEndpoint(id) => or_explicit(&|| endpoint_service_addrs(net, id)),
        Endpoint::TgwAttachment(id) => or_explicit(&|| attachment_addrs(net, id)),
        // Behind a bare TGW: what lies behind its attachments, except the
        // other end's own VPC.
        Endpoint::TransitGateway(id) => or_explicit(&|| {
            let own = endpoint_vpc(topo, other);
            tgw_attachments_of(net, id)
                .filter(|a| a.vpc.as_ref().map(|v| &v.vpc_id) != own.as_ref())
                .fold(AddrSet::new(), |acc, a| acc | attachment_addrs(net, &a.id))
        }),
    }
}

/// (addresses, protocol, port) of the AWS services an ENI of `vpc` reaches
/// without SG or NACL filtering (C1.9, C2.9): the Route 53 Resolver at the
/// primary CIDR's base + 2 (tcp and udp 53), instance metadata
/// 169.254.169.254 (tcp 80), Amazon Time Sync 169.254.169.123 (udp 123).
pub(crate) fn aws_service_ports(net: &Network, vpc: &str) -> Vec<(AddrSet, u8, u16)> {
    let mut out = vec![
        (
            ip_set(std::net::Ipv4Addr::new(169, 254, 169, 254)),
            PROTO_TCP,
            80,
        ),
        (
            ip_set(std::net::Ipv4Addr::new(169, 254, 169, 123)),
            PROTO_UDP,
            123,
        ),
    ];
    if let Some(base) = net.vpcs.get(vpc).and_then(|v| v.cidrs.first()) {
        let resolver = ip_set(std::net::Ipv4Addr::from(u32::from(base.network()) + 2));
        out.push((resolver.clone(), PROTO_UDP, 53));
        out.push((resolver, PROTO_TCP, 53));
    }
    out
}

pub(crate) fn aws_service_addrs(net: &Network, vpc: &str) -> AddrSet {
    aws_service_ports(net, vpc)
        .into_iter()
        .fold(AddrSet::new(), |acc, (a, _, _)| acc | a)
}

pub(crate) fn tgw_attachments_of<'n>(
    net: &'n Network,
    tgw: &'n str,
) -> impl Iterator<Item = &'n TgwAttachment> {
    net.tgw_attachments
        .values()
        .filter(move |a| a.tgw_id == tgw)
}

/// Outside hosts with public addresses come in through an internet gateway;
/// private ones (on-premises) through a virtual private gateway.
pub(crate) fn entering_through_igw(src: &Endpoint) -> bool {
    match src {
        Endpoint::InternetGateway(_) => true,
        Endpoint::External { addrs, .. } => !addrs.is_subset(&(rfc1918() | rfc6598())),
        _ => false,
    }
}

/// The customer network behind a VGW: its VPN connections' static routes,
/// else every private range.
pub(crate) fn on_prem_addrs(net: &Network, vgw: &str) -> AddrSet {
    let routes: Vec<ipnet::Ipv4Net> = net
        .vpn_connections
        .values()
        .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw))
        .flat_map(|c| c.static_routes.iter().copied())
        .collect();
    if routes.is_empty() {
        rfc1918()
    } else {
        nets_set(&routes)
    }
}

/// The service addresses behind a gateway endpoint: the prefix lists its routes name.
pub(crate) fn endpoint_service_addrs(net: &Network, vpce: &str) -> AddrSet {
    let mut out = AddrSet::new();
    for rt in net.route_tables.values() {
        for r in &rt.routes {
            if let (RouteTarget::VpcEndpoint(id), RouteDestination::PrefixList(pl)) =
                (&r.target, &r.destination)
            {
                if id == vpce {
                    if let Some(cidrs) = net.prefix_lists.get(pl).and_then(|p| p.cidrs.as_ref()) {
                        out |= nets_set(cidrs);
                    }
                }
            }
        }
    }
    out
}

/// What lies behind a transit gateway attachment: its VPC's CIDRs or its VPN's routes.
pub(crate) fn attachment_addrs(net: &Network, att: &str) -> AddrSet {
    let Some(a) = net.tgw_attachments.get(att) else {
        return AddrSet::new();
    };
    if let Some(v) = a.vpc.as_ref().and_then(|v| net.vpcs.get(&v.vpc_id)) {
        return nets_set(&v.cidrs);
    }
    let routes: Vec<ipnet::Ipv4Net> = net
        .vpn_connections
        .values()
        .filter(|c| a.resource_id.as_deref() == Some(c.id.as_str()))
        .flat_map(|c| c.static_routes.iter().copied())
        .collect();
    if routes.is_empty() {
        all_addrs()
    } else {
        nets_set(&routes)
    }
}

pub(crate) fn endpoint_vpc(topo: &Topology, e: &Endpoint) -> Option<String> {
    match e {
        Endpoint::Eni { eni, .. } => topo
            .net
            .network_interfaces
            .get(eni)
            .map(|x| x.vpc_id.clone()),
        Endpoint::NatGateway(id) => topo.net.nat_gateways.get(id).map(|n| n.vpc_id.clone()),
        _ => None,
    }
}

/// The public addresses of an ENI's `privates`: mapped public IPv4
/// addresses, and IPv6 addresses as they are (C4.6).
pub fn public_addrs_of(net: &Network, eni: &str, privates: &AddrSet) -> AddrSet {
    let mut out = AddrSet::new();
    if let Some(e) = net.network_interfaces.get(eni) {
        for p in &e.private_ips {
            if let (true, Some(public)) = (privates.contains(addr_of(p.address)), p.public_ip) {
                out.insert(addr_of(public));
            }
        }
    }
    // IPv6 addresses are public as they are (C4.6).
    out | (privates & &all_v6())
}

pub(crate) fn nat_private_ip(nat: Option<&NatGateway>) -> Option<std::net::Ipv4Addr> {
    nat.and_then(|n| n.addresses.iter().find_map(|a| a.private_ip))
}
