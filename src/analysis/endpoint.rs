//! Turning a user's `--source` / `--destination` into a place in the network.

use std::net::IpAddr;

use miette::Diagnostic;
use thiserror::Error;

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
    #[error("{reference} is not in the snapshot (NO_SOURCE_OR_DESTINATION)")]
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
            let eni_id = inst.network_interface_ids.first().ok_or_else(|| EndpointError::Unsupported {
                reference: reference.into(),
                message: "the instance has no network interface in the snapshot (UNASSOCIATED_COMPONENT)".into(),
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
                crate::model::EndpointKind::Gateway => Ok(Endpoint::GatewayEndpoint(reference.into())),
                crate::model::EndpointKind::Interface => {
                    // An interface endpoint is its network interfaces (C8.2).
                    let eni = e.network_interface_ids.iter().find_map(|id| net.network_interfaces.get(id)).ok_or_else(|| EndpointError::Unsupported {
                        reference: reference.into(),
                        message: "none of the endpoint's network interfaces is in the snapshot (UNKNOWN_RESOURCE)".into(),
                    })?;
                    let addrs = eni_addrs(eni, explicit_ip, reference)?;
                    Ok(Endpoint::Eni { eni: eni.id.clone(), instance: None, addrs })
                }
                _ => Err(EndpointError::Unsupported {
                    reference: reference.into(),
                    message: "Gateway Load Balancer endpoints can only be passed through (PATH_THROUGH_GWLB_NOT_CHECKED)".into(),
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
        // The primary address: flow logs and AWS both speak of it (D.4);
        // on a dual-stack ENI its first IPv6 address too (both families
        // are asked about).
        None => Ok(eni.primary_ip().map(ip_set).unwrap_or_default()
            | eni
                .ipv6_addresses
                .first()
                .map(|a| ip_set(*a))
                .unwrap_or_default()),
    }
}
