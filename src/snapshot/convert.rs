//! From AWS shapes to the model, and the reference checks that only the
//! snapshot stage can locate (it knows which file each resource came from).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ipnet::Ipv4Net;

use super::load::{Origin, RawSnapshot};
use super::shapes;
use super::Warning;
use crate::model::*;

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
    super::convert_elb::convert(raw, &mut net, warnings);
    check_references(raw, &net, warnings);
    net
}

fn route_state(state: &str) -> RouteState {
    if state.is_empty() {
        RouteState::Active
    } else {
        RouteState::parse(state)
    }
}

/// Transit gateways, their attachments, route tables, routes and propagations.
fn convert_transit(raw: &RawSnapshot, net: &mut Network, warnings: &mut Vec<Warning>) {
    for (t, _) in &raw.transit_gateways {
        let tg = tags(&t.tags);
        net.transit_gateways.insert(
            t.transit_gateway_id.clone(),
            TransitGateway {
                id: t.transit_gateway_id.clone(),
                name: name(&tg),
                state: Lifecycle::parse(&t.state),
            },
        );
    }
    for (a, _) in &raw.tgw_attachments {
        let tg = tags(&a.tags);
        let route_table_id = a
            .association
            .as_ref()
            .filter(|x| x.state == "associated" || x.state.is_empty())
            .map(|x| x.transit_gateway_route_table_id.clone());
        net.tgw_attachments.insert(
            a.transit_gateway_attachment_id.clone(),
            TgwAttachment {
                id: a.transit_gateway_attachment_id.clone(),
                name: name(&tg),
                tgw_id: a.transit_gateway_id.clone(),
                resource_type: a.resource_type.clone(),
                resource_id: a.resource_id.clone(),
                state: Lifecycle::parse(&a.state),
                route_table_id,
                vpc: None,
            },
        );
    }
    for (v, _) in &raw.tgw_vpc_attachments {
        let tg = tags(&v.tags);
        let opts = v.options.as_ref();
        let vpc = TgwVpcAttachment {
            vpc_id: v.vpc_id.clone(),
            subnet_ids: v.subnet_ids.clone(),
            sg_referencing: opts.and_then(|o| o.security_group_referencing_support.as_deref())
                == Some("enable"),
            appliance_mode: opts.and_then(|o| o.appliance_mode_support.as_deref())
                == Some("enable"),
        };
        let entry = net
            .tgw_attachments
            .entry(v.transit_gateway_attachment_id.clone())
            .or_insert_with(|| TgwAttachment {
                id: v.transit_gateway_attachment_id.clone(),
                name: name(&tg),
                tgw_id: v.transit_gateway_id.clone(),
                resource_type: "vpc".into(),
                resource_id: Some(v.vpc_id.clone()),
                state: Lifecycle::parse(&v.state),
                route_table_id: None,
                vpc: None,
            });
        entry.vpc = Some(vpc);
        if entry.name.is_none() {
            entry.name = name(&tg);
        }
    }
    for (rt, _) in &raw.tgw_route_tables {
        let tg = tags(&rt.tags);
        net.tgw_route_tables.insert(
            rt.transit_gateway_route_table_id.clone(),
            TgwRouteTable {
                id: rt.transit_gateway_route_table_id.clone(),
                name: name(&tg),
                tgw_id: rt.transit_gateway_id.clone(),
                routes: None,
            },
        );
    }
    for (r, origin) in &raw.tgw_routes {
        let Some(table) = net
            .tgw_route_tables
            .get_mut(&r.transit_gateway_route_table_id)
        else {
            warn(
                warnings,
                origin,
                "TransitGatewayRouteTableId",
                format!(
                    "routes for {}, which is not in the snapshot; ignored",
                    r.transit_gateway_route_table_id
                ),
            );
            continue;
        };
        if r.additional_routes_available == Some(true) {
            warn(
                warnings,
                origin,
                "AdditionalRoutesAvailable",
                format!(
                    "the route list of {} is truncated; routes beyond it are unknown",
                    table.id
                ),
            );
        }
        let routes = table.routes.get_or_insert_with(Vec::new);
        for (i, route) in r.routes.iter().enumerate() {
            let destination = match (&route.destination_cidr_block, &route.prefix_list_id) {
                (Some(c), _) => match c.parse::<Ipv4Net>() {
                    Ok(n) => RouteDestination::Cidr(n),
                    Err(_) if c.parse::<ipnet::Ipv6Net>().is_ok() => {
                        RouteDestination::Ipv6(c.clone())
                    }
                    Err(_) => {
                        warn(
                            warnings,
                            origin,
                            &format!("Routes[{i}].DestinationCidrBlock"),
                            format!("{c:?} is not a CIDR block; route ignored"),
                        );
                        continue;
                    }
                },
                (None, Some(pl)) => RouteDestination::PrefixList(pl.clone()),
                (None, None) => {
                    warn(
                        warnings,
                        origin,
                        &format!("Routes[{i}]"),
                        "route without a destination ignored".into(),
                    );
                    continue;
                }
            };
            routes.push(TgwRoute {
                destination,
                attachment_ids: route
                    .transit_gateway_attachments
                    .iter()
                    .map(|a| a.transit_gateway_attachment_id.clone())
                    .collect(),
                kind: if route.type_ == "propagated" {
                    TgwRouteKind::Propagated
                } else {
                    TgwRouteKind::Static
                },
                resource_type: route
                    .transit_gateway_attachments
                    .first()
                    .and_then(|a| a.resource_type.clone()),
                state: route_state(&route.state),
            });
        }
    }
    // Propagations give routes to the attached VPCs' CIDRs (C7.4) when the
    // snapshot has only static routes (Batfish) or none at all.
    for (p, origin) in &raw.tgw_propagations {
        for prop in p
            .transit_gateway_route_table_propagations
            .iter()
            .filter(|p| p.state == "enabled" || p.state.is_empty())
        {
            let vpc_cidrs = net
                .tgw_attachments
                .get(&prop.transit_gateway_attachment_id)
                .and_then(|a| a.vpc.as_ref())
                .and_then(|v| net.vpcs.get(&v.vpc_id))
                .map(|v| v.cidrs.clone());
            let Some(table) = net
                .tgw_route_tables
                .get_mut(&p.transit_gateway_route_table_id)
            else {
                warn(
                    warnings,
                    origin,
                    "TransitGatewayRouteTableId",
                    format!(
                        "propagations for {}, which is not in the snapshot; ignored",
                        p.transit_gateway_route_table_id
                    ),
                );
                break;
            };
            let routes = table.routes.get_or_insert_with(Vec::new);
            match vpc_cidrs {
                Some(cidrs) => {
                    for c in cidrs {
                        let exists = routes.iter().any(|r| r.destination == RouteDestination::Cidr(c) && r.kind == TgwRouteKind::Propagated && r.attachment_ids.contains(&prop.transit_gateway_attachment_id));
                        if !exists {
                            routes.push(TgwRoute {
                                destination: RouteDestination::Cidr(c),
                                attachment_ids: vec![prop.transit_gateway_attachment_id.clone()],
                                kind: TgwRouteKind::Propagated,
                                resource_type: prop.resource_type.clone(),
                                state: RouteState::Active,
                            });
                        }
                    }
                }
                None if prop.resource_type.as_deref() == Some("vpc") => warn(
                    warnings,
                    origin,
                    "TransitGatewayRouteTablePropagations",
                    format!("{} propagates from {}, whose VPC is not in the snapshot: its routes are unknown", p.transit_gateway_route_table_id, prop.transit_gateway_attachment_id),
                ),
                None => {} // VPN / Direct Connect propagate BGP routes the snapshot cannot hold.
            }
        }
    }
}

/// VPN gateways and connections, VPC endpoints.
fn convert_edges(raw: &RawSnapshot, net: &mut Network) {
    for (g, _) in &raw.vpn_gateways {
        let tg = tags(&g.tags);
        net.vpn_gateways.insert(
            g.vpn_gateway_id.clone(),
            VpnGateway {
                id: g.vpn_gateway_id.clone(),
                name: name(&tg),
                state: Lifecycle::parse(&g.state),
                attachments: g
                    .vpc_attachments
                    .iter()
                    .map(|a| (a.vpc_id.clone(), GatewayAttachmentState::parse(&a.state)))
                    .collect(),
            },
        );
    }
    for (c, _) in &raw.vpn_connections {
        let tg = tags(&c.tags);
        net.vpn_connections.insert(
            c.vpn_connection_id.clone(),
            VpnConnection {
                id: c.vpn_connection_id.clone(),
                name: name(&tg),
                vpn_gateway_id: c.vpn_gateway_id.clone(),
                transit_gateway_id: c.transit_gateway_id.clone(),
                state: Lifecycle::parse(&c.state),
                static_routes: c
                    .routes
                    .iter()
                    // pending, deleting and deleted routes carry nothing.
                    .filter(|r| r.state == "available")
                    .map(|r| r.destination_cidr_block)
                    .collect(),
                static_routes_only: c.options.as_ref().and_then(|o| o.static_routes_only),
                tunnels: c
                    .vgw_telemetry
                    .iter()
                    .map(|t| VpnTunnel {
                        outside_ip_address: t.outside_ip_address.clone(),
                        status: t.status.clone(),
                        status_message: t.status_message.clone(),
                    })
                    .collect(),
            },
        );
    }
    for (e, _) in &raw.vpc_endpoints {
        let tg = tags(&e.tags);
        let kind = match e.vpc_endpoint_type.as_str() {
            "Gateway" => EndpointKind::Gateway,
            "Interface" => EndpointKind::Interface,
            "GatewayLoadBalancer" => EndpointKind::GatewayLoadBalancer,
            other => EndpointKind::Other(other.to_string()),
        };
        net.vpc_endpoints.insert(
            e.vpc_endpoint_id.clone(),
            VpcEndpoint {
                id: e.vpc_endpoint_id.clone(),
                name: name(&tg).or_else(|| Some(e.service_name.clone()).filter(|s| !s.is_empty())),
                kind,
                vpc_id: e.vpc_id.clone(),
                service_name: e.service_name.clone(),
                state: Lifecycle::parse(&e.state),
                route_table_ids: e.route_table_ids.clone(),
                subnet_ids: e.subnet_ids.clone(),
                network_interface_ids: e.network_interface_ids.clone(),
            },
        );
    }
}

/// `describe-security-group-rules` output names each flattened rule with its
/// `sgr-` id: find the rule with the same direction and content.
fn attach_rule_ids(raw: &RawSnapshot, net: &mut Network, warnings: &mut Vec<Warning>) {
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
fn check_acl_entry_ranges(
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

fn clamp_port(p: i64) -> u16 {
    p.clamp(0, u16::MAX as i64) as u16
}

fn attachment(a: &shapes::EniAttachment) -> EniAttachment {
    EniAttachment {
        instance_id: a.instance_id.clone(),
        device_index: a.device_index.map(|d| d as i32),
        status: EniAttachmentStatus::parse(&a.status),
    }
}

fn private_ips(
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

fn route(r: &shapes::Route) -> Option<Route> {
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
                kind: "gateway",
                id: id.clone(),
            },
        }
    } else if let Some(id) = &r.carrier_gateway_id {
        RouteTarget::Other {
            kind: "carrier gateway",
            id: id.clone(),
        }
    } else if let Some(id) = &r.local_gateway_id {
        RouteTarget::Other {
            kind: "local gateway",
            id: id.clone(),
        }
    } else if let Some(id) = &r.core_network_arn {
        RouteTarget::Other {
            kind: "core network",
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

/// Dangling references: each is a located warning; the engine reports
/// `UNKNOWN_RESOURCE` if a path needs the missing piece.
fn check_references(raw: &RawSnapshot, net: &Network, warnings: &mut Vec<Warning>) {
    let mut missing = |origin: &Origin, field: &str, what: &str, id: &str| {
        warn(
            warnings,
            origin,
            field,
            format!("refers to {what} {id}, which is not in the snapshot"),
        );
    };
    let known_sgs: BTreeSet<&str> = net.security_groups.keys().map(String::as_str).collect();
    // Every reference is checked whatever its kind, even when the snapshot
    // holds none of that kind: a missing VPC or group is as unknown as a
    // missing route target (R-partial.3 of docs/semantics-additions.md).
    let vpc = |id: &str| net.vpcs.contains_key(id);
    for (s, origin) in &raw.subnets {
        if !vpc(&s.vpc_id) {
            missing(origin, "VpcId", "VPC", &s.vpc_id);
        }
    }
    for (rt, origin) in &raw.route_tables {
        if !vpc(&rt.vpc_id) {
            missing(origin, "VpcId", "VPC", &rt.vpc_id);
        }
    }
    for (acl, origin) in &raw.network_acls {
        let model = &net.network_acls[&acl.network_acl_id];
        if !vpc(&model.vpc_id) {
            missing(origin, "VpcId", "VPC", &model.vpc_id);
        }
        for s in model
            .subnet_ids
            .iter()
            .filter(|s| !net.subnets.contains_key(*s))
        {
            missing(origin, "Associations", "subnet", s);
        }
    }
    for (sg, origin) in &raw.security_groups {
        let model = &net.security_groups[&sg.group_id];
        if let Some(v) = model.vpc_id.as_deref().filter(|v| !vpc(v)) {
            missing(origin, "VpcId", "VPC", v);
        }
        let referenced: BTreeSet<&str> = model
            .ingress
            .iter()
            .chain(&model.egress)
            .filter_map(|r| match &r.peer {
                SgPeer::Group { group_id, .. } => Some(group_id.as_str()),
                _ => None,
            })
            .filter(|g| !known_sgs.contains(g))
            .collect();
        for g in referenced {
            missing(origin, "IpPermissions", "security group", g);
        }
    }
    for (igw, origin) in &raw.internet_gateways {
        for a in igw.attachments.iter().filter(|a| !vpc(&a.vpc_id)) {
            missing(origin, "Attachments", "VPC", &a.vpc_id);
        }
    }
    for (nat, origin) in &raw.nat_gateways {
        if !net.subnets.contains_key(&nat.subnet_id) {
            missing(origin, "SubnetId", "subnet", &nat.subnet_id);
        }
    }
    for (reservation, origin) in &raw.reservations {
        for (i, inst) in reservation.instances.iter().enumerate() {
            let field = |f: &str| format!("Instances[{i}].{f}");
            if let Some(v) = inst.vpc_id.as_deref().filter(|v| !vpc(v)) {
                missing(origin, &field("VpcId"), "VPC", v);
            }
            if let Some(s) = inst
                .subnet_id
                .as_deref()
                .filter(|s| !net.subnets.contains_key(*s))
            {
                missing(origin, &field("SubnetId"), "subnet", s);
            }
        }
    }
    for (rt, origin) in &raw.route_tables {
        for (i, r) in net.route_tables[&rt.route_table_id]
            .routes
            .iter()
            .enumerate()
        {
            let field = format!("Routes[{i}]");
            let id = r.target.id();
            let present = match &r.target {
                RouteTarget::Local => true,
                RouteTarget::InternetGateway(id) => net.internet_gateways.contains_key(id),
                RouteTarget::NatGateway(id) => net.nat_gateways.contains_key(id),
                RouteTarget::VpcPeering(id) => net.peerings.contains_key(id),
                RouteTarget::NetworkInterface(id) => net.network_interfaces.contains_key(id),
                RouteTarget::Instance(id) => net.instances.contains_key(id),
                RouteTarget::TransitGateway(id) => {
                    net.transit_gateways.contains_key(id)
                        || net.tgw_attachments.values().any(|a| &a.tgw_id == id)
                }
                RouteTarget::VpnGateway(id) => net.vpn_gateways.contains_key(id),
                RouteTarget::VpcEndpoint(id) => net.vpc_endpoints.contains_key(id),
                RouteTarget::EgressOnlyInternetGateway(id) => {
                    net.egress_only_gateways.contains_key(id)
                }
                _ => true, // not modelled: reported when a path uses it
            };
            if !present {
                missing(origin, &field, "route target", id);
            }
            if let RouteDestination::PrefixList(pl) = &r.destination {
                if net.prefix_lists.get(pl).is_none_or(|p| p.cidrs.is_none()) {
                    missing(origin, &field, "the entries of prefix list", pl);
                }
            }
        }
        for a in &rt.associations {
            if let Some(s) = &a.subnet_id {
                if !net.subnets.contains_key(s) {
                    missing(origin, "Associations", "subnet", s);
                }
            }
        }
    }
    // Inconsistent input: EC2 always takes a subnet's addresses from its
    // CIDR. Such an address is kept as given (never moved into the subnet),
    // so replies to it find no subnet; the warning says why.
    let mut inconsistent = Vec::new();
    let outside = |subnet_id: &str, ip: std::net::Ipv4Addr| {
        net.subnets
            .get(subnet_id)
            .filter(|s| !s.cidr.contains(&ip))
            .map(|s| s.cidr)
    };
    for (nat, origin) in &raw.nat_gateways {
        for (i, a) in nat.nat_gateway_addresses.iter().enumerate() {
            if let Some(cidr) = a.private_ip.and_then(|ip| outside(&nat.subnet_id, ip)) {
                warn(
                    &mut inconsistent,
                    origin,
                    &format!("NatGatewayAddresses[{i}].PrivateIp"),
                    format!(
                        "NAT gateway {} has private address {}, outside its subnet {} ({cidr}): inconsistent input (EC2 takes it from the subnet); traffic to that address finds no subnet",
                        nat.nat_gateway_id,
                        a.private_ip.map(|ip| ip.to_string()).unwrap_or_default(),
                        nat.subnet_id
                    ),
                );
            }
        }
    }
    for (eni, origin) in &raw.network_interfaces {
        if !net.subnets.contains_key(&eni.subnet_id) {
            missing(origin, "SubnetId", "subnet", &eni.subnet_id);
        }
        if !vpc(&eni.vpc_id) {
            missing(origin, "VpcId", "VPC", &eni.vpc_id);
        }
        if let Some(p) = net.network_interfaces.get(&eni.network_interface_id) {
            for ip in &p.private_ips {
                if let Some(cidr) = outside(&eni.subnet_id, ip.address) {
                    warn(
                        &mut inconsistent,
                        origin,
                        "PrivateIpAddresses",
                        format!(
                            "{} has private address {}, outside its subnet {} ({cidr}): inconsistent input (EC2 takes it from the subnet); traffic to that address finds no subnet",
                            eni.network_interface_id, ip.address, eni.subnet_id
                        ),
                    );
                }
            }
        }
        for g in &eni.groups {
            if !known_sgs.contains(g.group_id.as_str()) {
                missing(origin, "Groups", "security group", &g.group_id);
            }
        }
    }
    for (sg, origin) in &raw.security_groups {
        for rule in net.security_groups[&sg.group_id]
            .ingress
            .iter()
            .chain(&net.security_groups[&sg.group_id].egress)
        {
            if let SgPeer::PrefixList(pl) = &rule.peer {
                if net.prefix_lists.get(pl).is_none_or(|p| p.cidrs.is_none()) {
                    missing(origin, "IpPermissions", "the entries of prefix list", pl);
                }
            }
        }
    }
    for (subnet_id, subnet) in &net.subnets {
        if !net.network_acls.is_empty()
            && !net
                .network_acls
                .values()
                .any(|a| a.subnet_ids.contains(subnet_id))
            && !net
                .network_acls
                .values()
                .any(|a| a.is_default && a.vpc_id == subnet.vpc_id)
        {
            warnings.push(Warning { message: format!("subnet {subnet_id} has no network ACL association and its VPC has no default ACL in the snapshot"), file: None, json_path: None });
        }
    }
    warnings.extend(inconsistent);
}

/// Ids described more than once with different content, each with a
/// warning naming both places. The same resource saved in two files is
/// merged in silence; two different ones under one id make every answer
/// that depends on it unknown, never the one that sorts last.
fn ambiguous_ids(raw: &RawSnapshot, warnings: &mut Vec<Warning>) -> BTreeSet<String> {
    let mut ambiguous = BTreeSet::new();
    let mut check = Duplicates {
        warnings,
        ambiguous: &mut ambiguous,
    };
    check.list("VPC", &raw.vpcs, |x| &x.vpc_id);
    check.list("subnet", &raw.subnets, |x| &x.subnet_id);
    check.list("route table", &raw.route_tables, |x| &x.route_table_id);
    check.list("network ACL", &raw.network_acls, |x| &x.network_acl_id);
    check.list("security group", &raw.security_groups, |x| &x.group_id);
    check.list("internet gateway", &raw.internet_gateways, |x| {
        &x.internet_gateway_id
    });
    check.list(
        "egress-only internet gateway",
        &raw.egress_only_gateways,
        |x| &x.egress_only_internet_gateway_id,
    );
    check.list("NAT gateway", &raw.nat_gateways, |x| &x.nat_gateway_id);
    check.list("network interface", &raw.network_interfaces, |x| {
        &x.network_interface_id
    });
    check.list("peering connection", &raw.peerings, |x| {
        &x.vpc_peering_connection_id
    });
    // Prefix lists are not checked: describe-prefix-lists and
    // describe-managed-prefix-lists print two views of one list.
    check.list("transit gateway", &raw.transit_gateways, |x| {
        &x.transit_gateway_id
    });
    check.list("transit gateway route table", &raw.tgw_route_tables, |x| {
        &x.transit_gateway_route_table_id
    });
    check.list("VPN gateway", &raw.vpn_gateways, |x| &x.vpn_gateway_id);
    check.list("VPN connection", &raw.vpn_connections, |x| {
        &x.vpn_connection_id
    });
    check.list("VPC endpoint", &raw.vpc_endpoints, |x| &x.vpc_endpoint_id);
    let instances = || {
        raw.reservations.iter().flat_map(|(r, origin)| {
            r.instances.iter().enumerate().map(move |(i, inst)| {
                let o = Origin {
                    json_path: format!("{}.Instances[{i}]", origin.json_path),
                    ..origin.clone()
                };
                (inst, o)
            })
        })
    };
    check.each(
        "instance",
        instances().map(|(inst, o)| (inst.instance_id.as_str(), inst, o)),
    );
    // An ENI is attached to one instance at a time: the same ENI id embedded
    // in two different instances (anonymised exports do this) is two ENIs.
    check.each(
        "network interface (in describe-instances)",
        instances().flat_map(|(inst, origin)| {
            inst.network_interfaces
                .iter()
                .enumerate()
                .map(move |(j, ni)| {
                    let o = Origin {
                        json_path: format!("{}.NetworkInterfaces[{j}]", origin.json_path),
                        ..origin.clone()
                    };
                    (ni.network_interface_id.as_str(), &inst.instance_id, o)
                })
        }),
    );
    ambiguous
}

struct Duplicates<'w> {
    warnings: &'w mut Vec<Warning>,
    ambiguous: &'w mut BTreeSet<String>,
}

impl Duplicates<'_> {
    fn list<T: PartialEq>(
        &mut self,
        kind: &str,
        items: &[(T, Origin)],
        id: impl Fn(&T) -> &String,
    ) {
        self.each(
            kind,
            items
                .iter()
                .map(|(item, origin)| (id(item).as_str(), item, origin.clone())),
        )
    }

    /// `items` are (id, what must be equal, where).
    fn each<'a, T: PartialEq + 'a>(
        &mut self,
        kind: &str,
        items: impl Iterator<Item = (&'a str, &'a T, Origin)>,
    ) {
        let mut first: HashMap<&str, (&T, Origin)> = HashMap::new();
        for (key, item, origin) in items {
            let Some((earlier, earlier_origin)) = first.get(key) else {
                first.insert(key, (item, origin));
                continue;
            };
            if *earlier == item {
                continue;
            }
            self.ambiguous.insert(key.to_string());
            warn(
                self.warnings,
                &origin,
                "",
                format!(
                    "{kind} {key} is described twice with different content, here and in {} ({}); answers that depend on it are unknown",
                    earlier_origin.file.display(),
                    earlier_origin.json_path
                ),
            );
        }
    }
}
