//! From AWS shapes to the model, and the reference checks that only the
//! snapshot stage can locate (it knows which file each resource came from).
//! This file assembles VPCs, subnets, route tables, network ACLs, security
//! groups, gateways and interfaces; `gateways` holds transit gateways, VPN
//! and endpoints, `entries` the pieces inside resources, `references` the
//! dangling-reference and duplicate-id warnings.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use super::load::{Origin, RawSnapshot};
use super::shapes;
use super::Warning;
use crate::model::*;

mod bpa;
mod entries;
pub(crate) mod firewall;
mod gateways;
mod references;

use entries::{
    attach_rule_ids, attachment, check_acl_entry_ranges, clamp_port, private_ips, route,
};
use gateways::{convert_edges, convert_transit};
use references::{ambiguous_ids, check_references};

fn tags(tags: &[shapes::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

fn name(tags: &BTreeMap<String, String>) -> Option<String> {
    tags.get("Name").cloned().filter(|n| !n.is_empty())
}

pub(super) fn warn(warnings: &mut Vec<Warning>, origin: &Origin, field: &str, message: String) {
    warnings.push(Warning {
        message,
        file: Some(origin.file.clone()),
        json_path: Some(if field.is_empty() {
            origin.json_path.clone()
        } else {
            format!("{}.{}", origin.json_path, field)
        }),
    });
}

/// The associated IPv6 CIDRs of a VPC or subnet.
fn ipv6_cidrs(set: &[shapes::Ipv6CidrBlockAssociation]) -> Vec<ipnet::Ipv6Net> {
    let mut out: Vec<ipnet::Ipv6Net> = Vec::new();
    for a in set.iter().filter(|a| a.associated()) {
        let net = a.ipv6_cidr_block.trunc();
        if !out.contains(&net) {
            out.push(net);
        }
    }
    out
}

pub fn to_network(raw: &RawSnapshot, warnings: &mut Vec<Warning>) -> Network {
    let mut net = Network {
        ambiguous_ids: ambiguous_ids(raw, warnings),
        vpn_connections_described: raw.keys_seen.contains("VpnConnections"),
        ..Network::default()
    };

    for (v, origin) in &raw.vpcs {
        let t = tags(&v.tags);
        let mut cidrs = vec![v.cidr_block];
        for a in &v.cidr_block_association_set {
            let associated = a
                .cidr_block_state
                .as_ref()
                .is_none_or(|s| s.state == "associated");
            if associated && !cidrs.contains(&a.cidr_block) {
                cidrs.push(a.cidr_block);
            }
        }
        let vpc = Vpc {
            id: v.vpc_id.clone(),
            name: name(&t),
            cidrs,
            ipv6_cidrs: ipv6_cidrs(&v.ipv6_cidr_block_association_set),
            state: Lifecycle::parse(v.state.as_deref().unwrap_or("available")),
            owner: v.owner_id.clone().or_else(|| origin.account.clone()),
            location: Location {
                region: origin.region.clone(),
                account: origin.account.clone(),
            },
            tags: t,
            bpa_mode: bpa::vpc_mode(v),
        };
        net.vpcs.insert(vpc.id.clone(), vpc);
    }

    for (s, origin) in &raw.subnets {
        let t = tags(&s.tags);
        let Some(cidr) = s.cidr_block else {
            warn(warnings, origin, "CidrBlock", format!("subnet {} has no IPv4 CIDR (IPv6-only); IPv6 is not modelled, the subnet is ignored", s.subnet_id));
            continue;
        };
        net.subnets.insert(
            s.subnet_id.clone(),
            Subnet {
                id: s.subnet_id.clone(),
                name: name(&t),
                vpc_id: s.vpc_id.clone(),
                cidr,
                ipv6_cidrs: ipv6_cidrs(&s.ipv6_cidr_block_association_set),
                availability_zone: s.availability_zone.clone(),
                tags: t,
            },
        );
    }

    for (rt, origin) in &raw.route_tables {
        let t = tags(&rt.tags);
        let mut routes = Vec::new();
        for (i, r) in rt.routes.iter().enumerate() {
            let route_origin = Origin {
                json_path: format!("{}.Routes[{i}]", origin.json_path),
                ..origin.clone()
            };
            match route(r) {
                Some(route) => routes.push(route),
                None => warn(
                    warnings,
                    &route_origin,
                    "",
                    "route without a destination or target ignored".into(),
                ),
            }
        }
        let live = |a: &&shapes::RouteTableAssociation| {
            a.association_state
                .as_ref()
                .is_none_or(|s| s.state == "associated")
        };
        net.route_tables.insert(
            rt.route_table_id.clone(),
            RouteTable {
                id: rt.route_table_id.clone(),
                name: name(&t),
                vpc_id: rt.vpc_id.clone(),
                is_main: rt.associations.iter().filter(live).any(|a| a.main),
                subnet_ids: rt
                    .associations
                    .iter()
                    .filter(live)
                    .filter_map(|a| a.subnet_id.clone())
                    .collect(),
                gateway_ids: rt
                    .associations
                    .iter()
                    .filter(live)
                    .filter_map(|a| a.gateway_id.clone())
                    .collect(),
                routes,
                association_ids: rt
                    .associations
                    .iter()
                    .filter(live)
                    .filter_map(|a| {
                        let id = a.route_table_association_id.clone()?;
                        let target = a.subnet_id.clone().or(a.gateway_id.clone())?;
                        Some((target, id))
                    })
                    .collect(),
                main_association_id: rt
                    .associations
                    .iter()
                    .filter(live)
                    .find(|a| a.main)
                    .and_then(|a| a.route_table_association_id.clone()),
            },
        );
    }

    for (acl, origin) in &raw.network_acls {
        let t = tags(&acl.tags);
        let mut entries = Vec::new();
        for (i, e) in acl.entries.iter().enumerate() {
            let entry_origin = Origin {
                json_path: format!("{}.Entries[{i}]", origin.json_path),
                ..origin.clone()
            };
            let Some(protocol) = Protocol::parse(&e.protocol) else {
                warn(
                    warnings,
                    &entry_origin,
                    "Protocol",
                    format!("unknown protocol {:?}; entry ignored", e.protocol),
                );
                continue;
            };
            let action = match e.rule_action.as_str() {
                "allow" => RuleAction::Allow,
                "deny" => RuleAction::Deny,
                other => {
                    warn(
                        warnings,
                        &entry_origin,
                        "RuleAction",
                        format!("unknown rule action {other:?}; entry treated as deny"),
                    );
                    RuleAction::Deny
                }
            };
            check_acl_entry_ranges(e, &entry_origin, warnings);
            entries.push(AclEntry {
                rule_number: e.rule_number.clamp(0, u32::MAX as i64) as u32,
                egress: e.egress,
                protocol,
                action,
                cidr: e.cidr_block,
                ipv6_cidr: e.ipv6_cidr_block.clone(),
                port_range: e
                    .port_range
                    .as_ref()
                    .map(|p| (clamp_port(p.from), clamp_port(p.to))),
                icmp_type_code: e
                    .icmp_type_code
                    .as_ref()
                    .map(|c| (c.type_ as i32, c.code as i32)),
            });
        }
        net.network_acls.insert(
            acl.network_acl_id.clone(),
            NetworkAcl {
                id: acl.network_acl_id.clone(),
                name: name(&t),
                vpc_id: acl.vpc_id.clone(),
                is_default: acl.is_default,
                subnet_ids: acl
                    .associations
                    .iter()
                    .map(|a| a.subnet_id.clone())
                    .collect(),
                association_ids: acl
                    .associations
                    .iter()
                    .filter_map(|a| {
                        a.network_acl_association_id
                            .clone()
                            .map(|id| (a.subnet_id.clone(), id))
                    })
                    .collect(),
                entries,
            },
        );
    }

    for (sg, origin) in &raw.security_groups {
        let t = tags(&sg.tags);
        let mut flatten = |perms: &[shapes::IpPermission], field: &str| {
            let mut rules = Vec::new();
            for (i, p) in perms.iter().enumerate() {
                let Some(protocol) = Protocol::parse(&p.ip_protocol) else {
                    warn(
                        warnings,
                        origin,
                        &format!("{field}[{i}].IpProtocol"),
                        format!("unknown protocol {:?}; rule ignored", p.ip_protocol),
                    );
                    continue;
                };
                let rule = |peer: SgPeer, description: Option<String>| SgRule {
                    protocol,
                    from_port: p.from_port.map(|v| v as i32),
                    to_port: p.to_port.map(|v| v as i32),
                    peer,
                    description,
                    rule_id: None,
                };
                for r in &p.ip_ranges {
                    rules.push(rule(SgPeer::Cidr(r.cidr_ip), r.description.clone()));
                }
                for r in &p.ipv6_ranges {
                    rules.push(rule(
                        SgPeer::Ipv6Cidr(r.cidr_ipv6.clone()),
                        r.description.clone(),
                    ));
                }
                for r in &p.prefix_list_ids {
                    rules.push(rule(
                        SgPeer::PrefixList(r.prefix_list_id.clone()),
                        r.description.clone(),
                    ));
                }
                for r in &p.user_id_group_pairs {
                    rules.push(rule(
                        SgPeer::Group {
                            group_id: r.group_id.clone(),
                            vpc_id: r.vpc_id.clone(),
                            peering_id: r.vpc_peering_connection_id.clone(),
                        },
                        r.description.clone(),
                    ));
                }
            }
            rules
        };
        let ingress = flatten(&sg.ip_permissions, "IpPermissions");
        let egress = flatten(&sg.ip_permissions_egress, "IpPermissionsEgress");
        net.security_groups.insert(
            sg.group_id.clone(),
            SecurityGroup {
                id: sg.group_id.clone(),
                name: sg.group_name.clone(),
                vpc_id: sg.vpc_id.clone(),
                ingress,
                egress,
                tags: t,
            },
        );
    }

    attach_rule_ids(raw, &mut net, warnings);

    let gateway = |id: &String, t: &[shapes::Tag], attachments: &[shapes::GatewayAttachment]| {
        InternetGateway {
            id: id.clone(),
            name: name(&tags(t)),
            attachments: attachments
                .iter()
                .map(|a| (a.vpc_id.clone(), GatewayAttachmentState::parse(&a.state)))
                .collect(),
        }
    };
    for (igw, _) in &raw.internet_gateways {
        let g = gateway(&igw.internet_gateway_id, &igw.tags, &igw.attachments);
        net.internet_gateways.insert(g.id.clone(), g);
    }
    for (eigw, _) in &raw.egress_only_gateways {
        let g = gateway(
            &eigw.egress_only_internet_gateway_id,
            &eigw.tags,
            &eigw.attachments,
        );
        net.egress_only_gateways.insert(g.id.clone(), g);
    }

    bpa::convert(raw, &mut net, warnings);

    for (nat, _) in &raw.nat_gateways {
        let t = tags(&nat.tags);
        net.nat_gateways.insert(
            nat.nat_gateway_id.clone(),
            NatGateway {
                id: nat.nat_gateway_id.clone(),
                name: name(&t),
                vpc_id: nat.vpc_id.clone(),
                subnet_id: nat.subnet_id.clone(),
                state: Lifecycle::parse(&nat.state),
                connectivity: if nat.connectivity_type.as_deref() == Some("private") {
                    NatConnectivity::Private
                } else {
                    NatConnectivity::Public
                },
                addresses: nat
                    .nat_gateway_addresses
                    .iter()
                    .map(|a| NatAddress {
                        network_interface_id: a.network_interface_id.clone(),
                        private_ip: a.private_ip,
                        public_ip: a.public_ip,
                    })
                    .collect(),
            },
        );
    }

    for (eni, _) in &raw.network_interfaces {
        let t = tags(&eni.tag_set);
        let e = NetworkInterface {
            id: eni.network_interface_id.clone(),
            name: name(&t),
            description: eni.description.clone(),
            vpc_id: eni.vpc_id.clone(),
            subnet_id: eni.subnet_id.clone(),
            availability_zone: eni.availability_zone.clone(),
            interface_type: eni
                .interface_type
                .clone()
                .unwrap_or_else(|| "interface".into()),
            status: EniStatus::parse(eni.status.as_deref().unwrap_or("in-use")),
            private_ips: private_ips(
                eni.private_ip_address,
                &eni.private_ip_addresses,
                eni.association.as_ref(),
            ),
            ipv6_addresses: eni.ipv6_addresses.iter().map(|a| a.ipv6_address).collect(),
            group_ids: eni.groups.iter().map(|g| g.group_id.clone()).collect(),
            source_dest_check: eni.source_dest_check,
            attachment: eni.attachment.as_ref().map(attachment),
            tags: t,
        };
        net.network_interfaces.insert(e.id.clone(), e);
    }

    for (reservation, origin) in &raw.reservations {
        for (i, inst) in reservation.instances.iter().enumerate() {
            let t = tags(&inst.tags);
            let mut enis: Vec<(i64, String)> = Vec::new();
            for ni in &inst.network_interfaces {
                let index = ni
                    .attachment
                    .as_ref()
                    .and_then(|a| a.device_index)
                    .unwrap_or(0);
                enis.push((index, ni.network_interface_id.clone()));
                // describe-instances embeds the ENI; use it when describe-network-interfaces is absent.
                if !net
                    .network_interfaces
                    .contains_key(&ni.network_interface_id)
                {
                    let (Some(subnet_id), Some(vpc_id)) = (
                        ni.subnet_id.clone().or(inst.subnet_id.clone()),
                        ni.vpc_id.clone().or(inst.vpc_id.clone()),
                    ) else {
                        let o = Origin {
                            json_path: format!("{}.Instances[{i}]", origin.json_path),
                            ..origin.clone()
                        };
                        warn(
                            warnings,
                            &o,
                            "NetworkInterfaces",
                            format!(
                                "ENI {} of {} has no subnet or VPC; ignored",
                                ni.network_interface_id, inst.instance_id
                            ),
                        );
                        continue;
                    };
                    let e = NetworkInterface {
                        id: ni.network_interface_id.clone(),
                        name: None,
                        description: ni.description.clone(),
                        vpc_id,
                        subnet_id,
                        availability_zone: None,
                        interface_type: ni
                            .interface_type
                            .clone()
                            .unwrap_or_else(|| "interface".into()),
                        status: EniStatus::parse(ni.status.as_deref().unwrap_or("in-use")),
                        private_ips: private_ips(
                            ni.private_ip_address,
                            &ni.private_ip_addresses,
                            ni.association.as_ref(),
                        ),
                        ipv6_addresses: ni.ipv6_addresses.iter().map(|a| a.ipv6_address).collect(),
                        group_ids: ni.groups.iter().map(|g| g.group_id.clone()).collect(),
                        source_dest_check: ni.source_dest_check,
                        attachment: Some(ni.attachment.as_ref().map(attachment).unwrap_or(
                            EniAttachment {
                                instance_id: Some(inst.instance_id.clone()),
                                device_index: Some(index as i32),
                                status: EniAttachmentStatus::Attached,
                            },
                        )),
                        tags: BTreeMap::new(),
                    };
                    net.network_interfaces.insert(e.id.clone(), e);
                }
            }
            enis.sort();
            net.instances.insert(
                inst.instance_id.clone(),
                Instance {
                    id: inst.instance_id.clone(),
                    name: name(&t),
                    state: InstanceState::parse(
                        inst.state.as_ref().map_or("running", |s| s.name.as_str()),
                    ),
                    vpc_id: inst.vpc_id.clone(),
                    subnet_id: inst.subnet_id.clone(),
                    network_interface_ids: enis.into_iter().map(|(_, id)| id).collect(),
                    source_dest_check: inst.source_dest_check,
                    tags: t,
                },
            );
        }
    }
    // An ENI's attachment names its instance; give instance ENIs the instance's name.
    for eni in net.network_interfaces.values_mut() {
        if eni.name.is_none() {
            if let Some(inst) = eni
                .attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_ref())
                .and_then(|id| net.instances.get(id))
            {
                eni.name = inst.name.clone();
            }
        }
    }

    for (a, origin) in &raw.addresses {
        net.elastic_ips.push(ElasticIp {
            public_ip: a.public_ip,
            allocation_id: a.allocation_id.clone(),
            association_id: a.association_id.clone(),
            network_interface_id: a.network_interface_id.clone(),
            private_ip: a.private_ip_address,
        });
        // An EIP association is authoritative for the private IP it names.
        if let (Some(eni_id), Some(private)) = (&a.network_interface_id, a.private_ip_address) {
            match net.network_interfaces.get_mut(eni_id) {
                Some(eni) => {
                    if let Some(p) = eni.private_ips.iter_mut().find(|p| p.address == private) {
                        p.public_ip = Some(a.public_ip);
                    } else {
                        warn(warnings, origin, "PrivateIpAddress", format!("Elastic IP {} is associated with {private}, which {eni_id} does not have", a.public_ip));
                    }
                }
                None => warn(
                    warnings,
                    origin,
                    "NetworkInterfaceId",
                    format!(
                        "Elastic IP {} is associated with {eni_id}, which is not in the snapshot",
                        a.public_ip
                    ),
                ),
            }
        }
    }

    for (p, _) in &raw.peerings {
        let t = tags(&p.tags);
        let side = |info: &shapes::PeeringVpcInfo| {
            let mut cidrs: Vec<Ipv4Net> =
                info.cidr_block_set.iter().map(|c| c.cidr_block).collect();
            if let Some(c) = info.cidr_block {
                if !cidrs.contains(&c) {
                    cidrs.insert(0, c);
                }
            }
            PeeringSide {
                vpc_id: info.vpc_id.clone(),
                cidrs,
                owner: info.owner_id.clone(),
                region: info.region.clone(),
            }
        };
        net.peerings.insert(
            p.vpc_peering_connection_id.clone(),
            VpcPeering {
                id: p.vpc_peering_connection_id.clone(),
                name: name(&t),
                status: PeeringStatus::parse(
                    p.status.as_ref().map_or("active", |s| s.code.as_str()),
                ),
                requester: side(&p.requester_vpc_info),
                accepter: side(&p.accepter_vpc_info),
            },
        );
    }

    for (pl, origin) in &raw.prefix_lists {
        let entry = net
            .prefix_lists
            .entry(pl.prefix_list_id.clone())
            .or_insert_with(|| PrefixList {
                id: pl.prefix_list_id.clone(),
                name: None,
                cidrs: None,
            });
        if entry.name.is_none() {
            entry.name = pl.prefix_list_name.clone();
        }
        if let Some(cidrs) = &pl.cidrs {
            let mut v4 = entry.cidrs.take().unwrap_or_default();
            for (i, c) in cidrs.iter().enumerate() {
                match c.parse::<Ipv4Net>() {
                    // The same list from two calls (describe-prefix-lists
                    // and get-managed-prefix-list-entries): once.
                    Ok(n) if v4.contains(&n) => {}
                    Ok(n) => v4.push(n),
                    Err(_) if c.contains(':') => {} // IPv6 entry: not modelled
                    Err(_) => warn(
                        warnings,
                        origin,
                        &format!("Cidrs[{i}]"),
                        format!("{c:?} is not a CIDR; entry ignored"),
                    ),
                }
            }
            entry.cidrs = Some(v4);
        }
    }

    convert_transit(raw, &mut net, warnings);
    convert_edges(raw, &mut net);
    firewall::convert_firewalls(raw, &mut net, warnings);
    super::convert_elb::convert(raw, &mut net, warnings);
    check_references(raw, &net, warnings);
    net
}
