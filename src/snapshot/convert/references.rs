//! Dangling references and ids described more than once with different
//! content: located warnings only the snapshot stage can give. Must not
//! build any part of the model.

use std::collections::{BTreeSet, HashMap};

use super::super::load::{Origin, RawSnapshot};
use super::super::Warning;
use super::warn;
use crate::model::*;

/// Dangling references: each is a located warning; the engine reports
/// `UNKNOWN_RESOURCE` if a path needs the missing piece.
pub(super) fn check_references(raw: &RawSnapshot, net: &Network, warnings: &mut Vec<Warning>) {
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
        // A regional NAT gateway sits in no subnet (RNGW.1).
        if !nat.subnet_id.is_empty() && !net.subnets.contains_key(&nat.subnet_id) {
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
                RouteTarget::VpcEndpoint(id) => {
                    net.vpc_endpoints.contains_key(id) || net.firewall_of_endpoint(id).is_some()
                }
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
pub(super) fn ambiguous_ids(raw: &RawSnapshot, warnings: &mut Vec<Warning>) -> BTreeSet<String> {
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

/// One resource seen from two accounts of an organisation pull (a shared
/// subnet or TGW, both ends of a peering): tags are per account, so two
/// views that differ only in `Tags` are the same resource (XA.1 of
/// docs/semantics-additions.md).
fn shared_view<T: serde::Serialize>(a: &T, a_origin: &Origin, b: &T, b_origin: &Origin) -> bool {
    if a_origin.account.is_none() || a_origin.account == b_origin.account {
        return false;
    }
    let untagged = |v: &T| {
        let mut v = serde_json::to_value(v).ok()?;
        v.as_object_mut()?.remove("Tags");
        Some(v)
    };
    untagged(a).is_some_and(|a| Some(a) == untagged(b))
}

struct Duplicates<'w> {
    warnings: &'w mut Vec<Warning>,
    ambiguous: &'w mut BTreeSet<String>,
}

impl Duplicates<'_> {
    fn list<T: PartialEq + serde::Serialize>(
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
    fn each<'a, T: PartialEq + serde::Serialize + 'a>(
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
            if *earlier == item || shared_view(*earlier, earlier_origin, item, &origin) {
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
