//! One edit of the model per resource type of the AWS provider.

use super::*;

/// Security group rule content, direction-free, for matching by content.
fn same_rule(a: &SgRule, b: &SgRule) -> bool {
    a.protocol == b.protocol
        && a.from_port == b.from_port
        && a.to_port == b.to_port
        && a.peer == b.peer
}

fn ports(protocol: Protocol, from: Option<i64>, to: Option<i64>) -> (Option<i32>, Option<i32>) {
    match protocol {
        Protocol::Number(6 | 17 | 1 | 58) => (from.map(|p| p as i32), to.map(|p| p as i32)),
        _ => (None, None),
    }
}

fn acl_protocol(p: &str) -> Option<Protocol> {
    Protocol::parse(p)
}

fn rule_action(a: &str) -> Option<RuleAction> {
    match a {
        "allow" => Some(RuleAction::Allow),
        "deny" => Some(RuleAction::Deny),
        _ => None,
    }
}

/// The kind of a route target from its field and id (`igw-…` or a
/// Terraform address such as `aws_internet_gateway.gw`).
fn route_target(field: &str, id: &str) -> RouteTarget {
    let kind_of = |prefix: &str, tf: &str| id.starts_with(prefix) || id.split('.').any(|p| p == tf);
    match field {
        "gateway_id" if id == "local" => RouteTarget::Local,
        "gateway_id" if kind_of("vgw-", "aws_vpn_gateway") => RouteTarget::VpnGateway(id.into()),
        "gateway_id" if kind_of("vpce-", "aws_vpc_endpoint") => RouteTarget::VpcEndpoint(id.into()),
        "gateway_id" => RouteTarget::InternetGateway(id.into()),
        "nat_gateway_id" => RouteTarget::NatGateway(id.into()),
        "transit_gateway_id" => RouteTarget::TransitGateway(id.into()),
        "vpc_peering_connection_id" => RouteTarget::VpcPeering(id.into()),
        "network_interface_id" => RouteTarget::NetworkInterface(id.into()),
        "instance_id" => RouteTarget::Instance(id.into()),
        "vpc_endpoint_id" => RouteTarget::VpcEndpoint(id.into()),
        "egress_only_gateway_id" => RouteTarget::EgressOnlyInternetGateway(id.into()),
        "carrier_gateway_id" => RouteTarget::Other {
            kind: "CarrierGateway",
            id: id.into(),
        },
        "local_gateway_id" => RouteTarget::Other {
            kind: "LocalGateway",
            id: id.into(),
        },
        _ => RouteTarget::Other {
            kind: "CoreNetwork",
            id: id.into(),
        },
    }
}

const TARGET_FIELDS: &[&str] = &[
    "gateway_id",
    "nat_gateway_id",
    "transit_gateway_id",
    "vpc_peering_connection_id",
    "network_interface_id",
    "instance_id",
    "vpc_endpoint_id",
    "egress_only_gateway_id",
    "carrier_gateway_id",
    "local_gateway_id",
    "core_network_arn",
];

impl Translator<'_> {
    /// The id a `default_*` resource manages: as planned, through the
    /// configuration, or the VPC's implicit one.
    fn managed_default(
        &mut self,
        rc: &ResourceChange,
        v: &Value,
        attribute: &str,
    ) -> Result<String, Unknown> {
        let id = match self.one(rc, v, attribute)? {
            Some(id) => id,
            None => {
                let vpc = self.one(rc, v, "vpc_id")?.ok_or(Unknown)?;
                let n = &self.out.network;
                match attribute {
                    "vpc_id" => n
                        .security_groups
                        .values()
                        .find(|g| g.vpc_id.as_deref() == Some(&vpc) && g.name == "default")
                        .map(|g| g.id.clone())
                        .ok_or(Unknown)?,
                    _ => return Err(Unknown),
                }
            }
        };
        self.out
            .addresses
            .entry(id.clone())
            .or_insert(rc.address.clone());
        Ok(id)
    }

    /// The id an edit applies to: the resource's own, or for an
    /// `aws_default_*` resource the VPC default it manages.
    fn managed_id(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        default: bool,
        adding: bool,
        attribute: &str,
    ) -> Option<String> {
        if !default {
            return Some(id.to_string());
        }
        let v = if adding { &rc.after } else { &rc.before };
        match self.managed_default(rc, v, attribute) {
            Ok(id) => Some(id),
            Err(Unknown) => {
                self.unknown(rc, attribute, Vec::new());
                None
            }
        }
    }

    pub(super) fn vpc(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let implicit = |v: &Value, attribute: &str| {
            v.get(attribute).str().map(String::from).unwrap_or_else(|| {
                self.new_id(&format!("{}.{}", rc.address, implicit_name(attribute)))
            })
        };
        let rtb = implicit(&rc.after, "main_route_table_id");
        let acl = implicit(&rc.after, "default_network_acl_id");
        let sg = implicit(&rc.after, "default_security_group_id");

        if removing && !adding {
            let n = self.net();
            n.vpcs.remove(id);
            n.route_tables.retain(|_, t| !(t.vpc_id == id && t.is_main));
            n.network_acls
                .retain(|_, a| !(a.vpc_id == id && a.is_default));
            n.security_groups
                .retain(|_, g| !(g.vpc_id.as_deref() == Some(id) && g.name == "default"));
            return Some(format!("VPC {id} deleted"));
        }
        let cidr = match cidr(rc.after.get("cidr_block")) {
            Ok(Some(c)) => c,
            _ => {
                self.unknown(rc, "cidr_block", vec![id.to_string()]);
                return None;
            }
        };
        if let Some(v) = self.net().vpcs.get_mut(id) {
            let old = v.cidrs.first().copied();
            if !v.cidrs.contains(&cidr) {
                v.cidrs.retain(|c| Some(*c) != old);
                v.cidrs.insert(0, cidr);
            }
            return Some(format!("VPC {id} is {cidr}"));
        }
        let n = self.net();
        n.vpcs.insert(
            id.to_string(),
            Vpc {
                id: id.to_string(),
                name: rc.after.get("tags").get("Name").str().map(String::from),
                cidrs: vec![cidr],
                ipv6_cidrs: Vec::new(),
                state: Lifecycle::Available,
                owner: None,
                location: Location::default(),
                tags: BTreeMap::new(),
            },
        );
        // What EC2 creates with every VPC: a main route table with the local
        // route, a default NACL allowing everything, a default group.
        n.route_tables.insert(
            rtb.clone(),
            RouteTable {
                id: rtb.clone(),
                name: None,
                vpc_id: id.to_string(),
                is_main: true,
                subnet_ids: Vec::new(),
                gateway_ids: Vec::new(),
                routes: vec![local_route(cidr)],
                association_ids: BTreeMap::new(),
                main_association_id: None,
            },
        );
        let all = |egress, rule_number, action| AclEntry {
            rule_number,
            egress,
            protocol: Protocol::All,
            action,
            cidr: Some("0.0.0.0/0".parse().expect("literal")),
            ipv6_cidr: None,
            port_range: None,
            icmp_type_code: None,
        };
        n.network_acls.insert(
            acl.clone(),
            NetworkAcl {
                id: acl.clone(),
                name: None,
                vpc_id: id.to_string(),
                is_default: true,
                subnet_ids: Vec::new(),
                association_ids: BTreeMap::new(),
                entries: vec![
                    all(false, 100, RuleAction::Allow),
                    all(false, 32767, RuleAction::Deny),
                    all(true, 100, RuleAction::Allow),
                    all(true, 32767, RuleAction::Deny),
                ],
            },
        );
        n.security_groups.insert(
            sg.clone(),
            SecurityGroup {
                id: sg.clone(),
                name: "default".into(),
                vpc_id: Some(id.to_string()),
                ingress: vec![sg_rule(
                    Protocol::All,
                    (None, None),
                    SgPeer::Group {
                        group_id: sg.clone(),
                        vpc_id: None,
                        peering_id: None,
                    },
                )],
                egress: vec![sg_rule(
                    Protocol::All,
                    (None, None),
                    SgPeer::Cidr("0.0.0.0/0".parse().expect("literal")),
                )],
                tags: BTreeMap::new(),
            },
        );
        Some(format!(
            "VPC {cidr} with its main route table, default NACL and default security group"
        ))
    }

    pub(super) fn subnet(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        if removing && !adding {
            let n = self.net();
            n.subnets.remove(id);
            for t in n.route_tables.values_mut() {
                t.subnet_ids.retain(|s| s != id);
            }
            for a in n.network_acls.values_mut() {
                a.subnet_ids.retain(|s| s != id);
            }
            return Some(format!("subnet {id} deleted"));
        }
        let Ok(Some(vpc)) = self.one(rc, &rc.after, "vpc_id") else {
            self.unknown(rc, "vpc_id", vec![id.to_string()]);
            return None;
        };
        let Ok(Some(block)) = cidr(rc.after.get("cidr_block")) else {
            self.unknown(rc, "cidr_block", vec![id.to_string(), vpc]);
            return None;
        };
        if let Some(public) = rc.after.get("map_public_ip_on_launch").bool() {
            self.public_on_launch.insert(id.to_string(), public);
        }
        let zone = rc.after.get("availability_zone").str().map(String::from);
        let n = self.net();
        let s = n.subnets.entry(id.to_string()).or_insert_with(|| Subnet {
            id: id.to_string(),
            name: None,
            vpc_id: vpc.clone(),
            cidr: block,
            ipv6_cidrs: Vec::new(),
            availability_zone: zone.clone(),
            tags: BTreeMap::new(),
        });
        s.cidr = block;
        s.vpc_id = vpc;
        if zone.is_some() {
            s.availability_zone = zone;
        }
        Some(format!("subnet {block}"))
    }

    /// Inline `ingress`/`egress` blocks as model rules (one per peer).
    fn inline_sg_rules(
        &self,
        rc: &ResourceChange,
        group: &str,
        blocks: &Value,
        direction: &str,
    ) -> Result<Vec<SgRule>, Unknown> {
        let mut out = Vec::new();
        for b in blocks.list() {
            let protocol = b
                .get("protocol")
                .str()
                .and_then(Protocol::parse)
                .ok_or(Unknown)?;
            let range = ports(protocol, b.get("from_port").int(), b.get("to_port").int());
            for c in b.get("cidr_blocks").list() {
                out.push(sg_rule(
                    protocol,
                    range,
                    SgPeer::Cidr(cidr(c)?.ok_or(Unknown)?),
                ));
            }
            for c in b.get("ipv6_cidr_blocks").list() {
                out.push(sg_rule(
                    protocol,
                    range,
                    SgPeer::Ipv6Cidr(c.str().ok_or(Unknown)?.into()),
                ));
            }
            for p in b.get("prefix_list_ids").list() {
                out.push(sg_rule(
                    protocol,
                    range,
                    SgPeer::PrefixList(p.str().ok_or(Unknown)?.into()),
                ));
            }
            let groups = match b.get("security_groups") {
                v if v.has_unknown() => self
                    .referenced(rc, &format!("{direction}.security_groups"), false)
                    .filter(|_| {
                        blocks
                            .list()
                            .iter()
                            .filter(|x| x.get("security_groups").has_unknown())
                            .count()
                            == 1
                    })
                    .ok_or(Unknown)?,
                v => v
                    .list()
                    .iter()
                    .filter_map(|g| g.str().map(String::from))
                    .collect(),
            };
            for g in groups {
                out.push(sg_rule(protocol, range, group_peer(g)));
            }
            if b.get("self").bool() == Some(true) {
                out.push(sg_rule(protocol, range, group_peer(group.to_string())));
            }
            if b.has_unknown() && !b.get("security_groups").has_unknown() {
                return Err(Unknown);
            }
        }
        Ok(out)
    }

    pub(super) fn security_group(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let default = rc.kind == "aws_default_security_group";
        let id = self.managed_id(rc, id, default, adding, "vpc_id")?;
        if removing && !adding {
            if default {
                // Terraform only forgets the default group; EC2 keeps it.
                return Some(format!("{id} left as it is (default group)"));
            }
            let n = self.net();
            n.security_groups.remove(&id);
            for e in n.network_interfaces.values_mut() {
                e.group_ids.retain(|g| *g != id);
            }
            return Some(format!("security group {id} deleted"));
        }
        let vpc = match self.one(rc, &rc.after, "vpc_id") {
            Ok(v) => v,
            Err(Unknown) => {
                self.unknown(rc, "vpc_id", vec![id.clone()]);
                None
            }
        };
        let mut sets = Vec::new();
        for direction in ["ingress", "egress"] {
            let v = rc.after.get(direction);
            // A collection the provider computes but the configuration does not
            // set: only the plan's separate rule resources (Terraform strips
            // the default egress rule from the groups it creates).
            let computed = v.is_unknown() && !rc.configured.iter().any(|c| c == direction);
            let rules = if computed || (v.is_null() && !default) {
                None
            } else {
                match self.inline_sg_rules(rc, &id, v, direction) {
                    Ok(r) => Some(r),
                    Err(Unknown) => {
                        self.unknown(rc, direction, vec![id.clone()]);
                        Some(Vec::new())
                    }
                }
            };
            sets.push(rules);
        }
        let name = rc
            .after
            .get("name")
            .str()
            .unwrap_or(&rc.address)
            .to_string();
        let n = self.net();
        let exists = n.security_groups.contains_key(&id);
        let g = n
            .security_groups
            .entry(id.clone())
            .or_insert_with(|| SecurityGroup {
                id: id.clone(),
                name,
                vpc_id: vpc.clone(),
                ingress: Vec::new(),
                egress: Vec::new(),
                tags: BTreeMap::new(),
            });
        if vpc.is_some() {
            g.vpc_id = vpc;
        }
        let egress = sets.pop().flatten();
        let ingress = sets.pop().flatten();
        let counts = (
            ingress.as_ref().map(Vec::len),
            egress.as_ref().map(Vec::len),
        );
        if let Some(r) = ingress {
            g.ingress = r;
        }
        if let Some(r) = egress {
            g.egress = r;
        }
        let what = |c: Option<usize>| {
            c.map(|c| c.to_string())
                .unwrap_or_else(|| "unchanged".into())
        };
        Some(format!(
            "security group {id} {} (ingress rules: {}, egress rules: {})",
            if exists { "updated" } else { "created" },
            what(counts.0),
            what(counts.1)
        ))
    }

    /// The rules of one `aws_security_group_rule` / `aws_vpc_security_group_*_rule`
    /// state: (group, egress, rules).
    fn separate_sg_rules(
        &self,
        rc: &ResourceChange,
        v: &Value,
    ) -> Result<(String, bool, Vec<SgRule>), &'static str> {
        let group = self
            .one(rc, v, "security_group_id")
            .map_err(|_| "security_group_id")?
            .ok_or("security_group_id")?;
        let new_style = rc.kind != "aws_security_group_rule";
        let egress = if new_style {
            rc.kind.ends_with("egress_rule")
        } else {
            v.get("type").str() == Some("egress")
        };
        let protocol_key = if new_style { "ip_protocol" } else { "protocol" };
        let protocol = v
            .get(protocol_key)
            .str()
            .and_then(Protocol::parse)
            .ok_or(protocol_key)?;
        let range = ports(protocol, v.get("from_port").int(), v.get("to_port").int());
        let mut rules = Vec::new();
        let mut peers: Vec<SgPeer> = Vec::new();
        if new_style {
            if let Some(c) = cidr(v.get("cidr_ipv4")).map_err(|_| "cidr_ipv4")? {
                peers.push(SgPeer::Cidr(c));
            }
            if let Some(c) = v.get("cidr_ipv6").str() {
                peers.push(SgPeer::Ipv6Cidr(c.into()));
            }
            if let Some(p) = v.get("prefix_list_id").str() {
                peers.push(SgPeer::PrefixList(p.into()));
            }
            if let Some(g) = self
                .one(rc, v, "referenced_security_group_id")
                .map_err(|_| "referenced_security_group_id")?
            {
                peers.push(group_peer(g));
            }
        } else {
            for c in v.get("cidr_blocks").list() {
                peers.push(SgPeer::Cidr(
                    cidr(c).map_err(|_| "cidr_blocks")?.ok_or("cidr_blocks")?,
                ));
            }
            if v.get("cidr_blocks").is_unknown() && rc.configured.iter().any(|c| c == "cidr_blocks")
            {
                return Err("cidr_blocks");
            }
            for c in v.get("ipv6_cidr_blocks").list() {
                peers.push(SgPeer::Ipv6Cidr(c.str().ok_or("ipv6_cidr_blocks")?.into()));
            }
            for p in v.get("prefix_list_ids").list() {
                peers.push(SgPeer::PrefixList(p.str().ok_or("prefix_list_ids")?.into()));
            }
            if v.get("self").bool() == Some(true) {
                peers.push(group_peer(group.clone()));
            } else if let Some(g) = match v.get("source_security_group_id") {
                // Unknown but not configured: the provider fills it for `self`.
                Value::Unknown
                    if !rc
                        .configured
                        .iter()
                        .any(|c| c == "source_security_group_id") =>
                {
                    None
                }
                _ => self
                    .one(rc, v, "source_security_group_id")
                    .map_err(|_| "source_security_group_id")?,
            } {
                peers.push(group_peer(g));
            }
        }
        for p in peers {
            rules.push(sg_rule(protocol, range, p));
        }
        Ok((group, egress, rules))
    }

    pub(super) fn sg_rule(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let mut said = Vec::new();
        for (side, removal) in sides(rc, removing, adding) {
            let (group, egress, rules) = match self.separate_sg_rules(rc, side) {
                Ok(x) => x,
                Err(attribute) => {
                    let group = self.one(rc, side, "security_group_id").ok().flatten();
                    self.unknown(rc, attribute, group.into_iter().collect());
                    continue;
                }
            };
            let Some(g) = self.net().security_groups.get_mut(&group) else {
                self.out.warnings.push(format!(
                    "{} ({}) names security group {group}, which the snapshot does not hold: answers through it are unknown",
                    rc.address, rc.origin
                ));
                self.unknown(rc, "security_group_id", vec![group]);
                continue;
            };
            let list = if egress {
                &mut g.egress
            } else {
                &mut g.ingress
            };
            for r in rules {
                if removal {
                    list.retain(|x| !same_rule(x, &r));
                    said.push(format!(
                        "revoked from {group}: {}",
                        crate::change::rule_text(&r, egress)
                    ));
                } else if !list.iter().any(|x| same_rule(x, &r)) {
                    said.push(format!(
                        "authorized on {group}: {}",
                        crate::change::rule_text(&r, egress)
                    ));
                    list.push(r);
                }
            }
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    fn acl_entries(&self, blocks: &Value, egress: bool) -> Result<Vec<AclEntry>, Unknown> {
        blocks
            .list()
            .iter()
            .map(|b| acl_entry(b, egress, "rule_no", "action"))
            .collect()
    }

    pub(super) fn network_acl(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let default = rc.kind == "aws_default_network_acl";
        let id = self.managed_id(rc, id, default, adding, "default_network_acl_id")?;
        if removing && !adding {
            if default {
                return Some(format!("{id} left as it is (default network ACL)"));
            }
            // Its subnets fall back to the VPC's default ACL (C2.1).
            self.net().network_acls.remove(&id);
            return Some(format!("network ACL {id} deleted"));
        }
        let vpc = self.one(rc, &rc.after, "vpc_id").ok().flatten();
        let mut sets = Vec::new();
        for (direction, egress) in [("ingress", false), ("egress", true)] {
            let v = rc.after.get(direction);
            let computed = v.is_unknown() && !rc.configured.iter().any(|c| c == direction);
            sets.push(if computed || (v.is_null() && !default) {
                None
            } else {
                match self.acl_entries(v, egress) {
                    Ok(e) => Some(e),
                    Err(Unknown) => {
                        self.unknown(rc, direction, vec![id.clone()]);
                        Some(Vec::new())
                    }
                }
            });
        }
        let subnets = match rc.after.get("subnet_ids") {
            v if v.is_unknown() && !rc.configured.iter().any(|c| c == "subnet_ids") => None,
            _ => match self.many(rc, &rc.after, "subnet_ids") {
                Ok(s) => Some(s),
                Err(Unknown) => {
                    self.unknown(rc, "subnet_ids", vec![id.clone()]);
                    None
                }
            },
        };
        let n = self.net();
        let Some(vpc) = vpc.or_else(|| n.network_acls.get(&id).map(|a| a.vpc_id.clone())) else {
            self.unknown(rc, "vpc_id", vec![id.clone()]);
            return None;
        };
        let exists = n.network_acls.contains_key(&id);
        let acl = n
            .network_acls
            .entry(id.clone())
            .or_insert_with(|| NetworkAcl {
                id: id.clone(),
                name: None,
                vpc_id: vpc,
                is_default: default,
                subnet_ids: Vec::new(),
                association_ids: BTreeMap::new(),
                entries: Vec::new(),
            });
        let egress = sets.pop().flatten();
        let ingress = sets.pop().flatten();
        for (entries, is_egress) in [(ingress, false), (egress, true)] {
            if let Some(e) = entries {
                acl.entries.retain(|x| x.egress != is_egress);
                acl.entries.extend(e);
            }
        }
        if let Some(subnets) = &subnets {
            if !default {
                acl.subnet_ids = subnets.clone();
            }
            for (other, a) in n.network_acls.iter_mut() {
                if *other != id {
                    a.subnet_ids.retain(|s| !subnets.contains(s));
                }
            }
        }
        Some(format!(
            "network ACL {id} {}{}",
            if exists { "updated" } else { "created" },
            subnets
                .map(|s| format!(
                    ", associated with {}",
                    if s.is_empty() {
                        "no subnet".into()
                    } else {
                        s.join(", ")
                    }
                ))
                .unwrap_or_default()
        ))
    }

    pub(super) fn acl_rule(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let mut said = Vec::new();
        for (side, removal) in sides(rc, removing, adding) {
            let acl_id = match self.one(rc, side, "network_acl_id") {
                Ok(Some(a)) => a,
                _ => {
                    self.unknown(rc, "network_acl_id", Vec::new());
                    continue;
                }
            };
            let egress = side.get("egress").bool().unwrap_or(false);
            let entry = match acl_entry(side, egress, "rule_number", "rule_action") {
                Ok(e) => e,
                Err(Unknown) => {
                    self.unknown(rc, "cidr_block", vec![acl_id]);
                    continue;
                }
            };
            let Some(acl) = self.net().network_acls.get_mut(&acl_id) else {
                self.unknown(rc, "network_acl_id", vec![acl_id]);
                continue;
            };
            acl.entries
                .retain(|e| !(e.rule_number == entry.rule_number && e.egress == egress));
            let direction = if egress { "egress" } else { "ingress" };
            if removal {
                said.push(format!(
                    "{acl_id} {direction} rule {} deleted",
                    entry.rule_number
                ));
            } else {
                said.push(format!(
                    "{acl_id} {direction} rule {} set",
                    entry.rule_number
                ));
                acl.entries.push(entry);
            }
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    pub(super) fn acl_association(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let mut said = Vec::new();
        for (side, removal) in sides(rc, removing, adding) {
            let (Ok(Some(acl_id)), Ok(Some(subnet))) = (
                self.one(rc, side, "network_acl_id"),
                self.one(rc, side, "subnet_id"),
            ) else {
                self.unknown(rc, "network_acl_id", Vec::new());
                continue;
            };
            let n = self.net();
            if removal {
                // Back to the default ACL (C2.1).
                if let Some(a) = n.network_acls.get_mut(&acl_id) {
                    a.subnet_ids.retain(|s| *s != subnet);
                }
                said.push(format!("{subnet} no longer associated with {acl_id}"));
            } else {
                for a in n.network_acls.values_mut() {
                    a.subnet_ids.retain(|s| *s != subnet);
                }
                if let Some(a) = n.network_acls.get_mut(&acl_id) {
                    a.subnet_ids.push(subnet.clone());
                    said.push(format!("{subnet} associated with {acl_id}"));
                } else {
                    self.unknown(rc, "network_acl_id", vec![acl_id, subnet]);
                }
            }
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// A route of a `route` block or an `aws_route`: `Err(attribute)` when
    /// its destination or target stays unknown.
    fn route_of(
        &self,
        rc: &ResourceChange,
        v: &Value,
        prefix: &str,
        destination_keys: [&str; 3],
    ) -> Result<Route, String> {
        let destination = if let Some(c) =
            cidr(v.get(destination_keys[0])).map_err(|_| destination_keys[0].to_string())?
        {
            RouteDestination::Cidr(c)
        } else if let Some(c) = v.get(destination_keys[1]).str().filter(|s| !s.is_empty()) {
            RouteDestination::Ipv6(c.into())
        } else if let Some(p) = v.get(destination_keys[2]).str().filter(|s| !s.is_empty()) {
            RouteDestination::PrefixList(p.into())
        } else if v.get(destination_keys[1]).is_unknown() || v.get(destination_keys[2]).is_unknown()
        {
            return Err(destination_keys[1].to_string());
        } else {
            return Err(destination_keys[0].to_string());
        };
        let mut target = None;
        for field in TARGET_FIELDS {
            let value = v.get(field);
            let configured = rc
                .configured
                .iter()
                .any(|c| *c == format!("{prefix}{field}"));
            let id = match value {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                // Computed by the provider, not set (nat_gateway_id of a route to an IGW).
                Value::Unknown if !configured => None,
                Value::Unknown => Some(
                    self.referenced(rc, &format!("{prefix}{field}"), false)
                        .filter(|ids| ids.len() == 1)
                        .and_then(|ids| ids.into_iter().next())
                        .ok_or_else(|| field.to_string())?,
                ),
                _ => None,
            };
            if let Some(id) = id {
                target = Some(route_target(field, &id));
                break;
            }
        }
        let target = target.ok_or_else(|| "gateway_id".to_string())?;
        Ok(Route {
            destination,
            target,
            origin: RouteOrigin::CreateRoute,
            state: RouteState::Active,
        })
    }

    pub(super) fn route_table(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let default = rc.kind == "aws_default_route_table";
        let id = self.managed_id(rc, id, default, adding, "default_route_table_id")?;
        if removing && !adding {
            if default {
                return Some(format!("{id} left as it is (main route table)"));
            }
            self.net().route_tables.remove(&id);
            return Some(format!("route table {id} deleted"));
        }
        let route_set = rc.after.get("route");
        let computed = route_set.is_unknown() && !rc.configured.iter().any(|c| c == "route");
        let mut routes = None;
        if !computed && !route_set.is_null() {
            let mut list = Vec::new();
            let blocks = route_set.list();
            for b in blocks {
                // An unknown target is resolved through the configuration only
                // when one block of the set has it.
                let prefix = if blocks.len() == 1 {
                    "route."
                } else {
                    "route.(set)."
                };
                match self.route_of(
                    rc,
                    b,
                    prefix,
                    [
                        "cidr_block",
                        "ipv6_cidr_block",
                        "destination_prefix_list_id",
                    ],
                ) {
                    Ok(r) => list.push(r),
                    Err(attribute) => {
                        self.unknown(rc, &format!("route.{attribute}"), vec![id.clone()])
                    }
                }
            }
            routes = Some(list);
        }
        let vpc = self.one(rc, &rc.after, "vpc_id").ok().flatten();
        let n = self.net();
        let Some(vpc) = vpc.or_else(|| n.route_tables.get(&id).map(|t| t.vpc_id.clone())) else {
            self.unknown(rc, "vpc_id", vec![id.clone()]);
            return None;
        };
        let locals: Vec<Route> = n
            .vpcs
            .get(&vpc)
            .map(|v| v.cidrs.iter().map(|c| local_route(*c)).collect())
            .unwrap_or_default();
        let exists = n.route_tables.contains_key(&id);
        let t = n
            .route_tables
            .entry(id.clone())
            .or_insert_with(|| RouteTable {
                id: id.clone(),
                name: None,
                vpc_id: vpc,
                is_main: false,
                subnet_ids: Vec::new(),
                gateway_ids: Vec::new(),
                routes: locals.clone(),
                association_ids: BTreeMap::new(),
                main_association_id: None,
            });
        let count = routes.as_ref().map(Vec::len);
        if let Some(r) = routes {
            t.routes = locals;
            t.routes.extend(r);
        }
        Some(format!(
            "route table {id} {} ({} routes)",
            if exists { "updated" } else { "created" },
            count
                .map(|c| c.to_string())
                .unwrap_or_else(|| "unchanged".into())
        ))
    }

    pub(super) fn route(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let mut said = Vec::new();
        for (side, removal) in sides(rc, removing, adding) {
            let table = match self.one(rc, side, "route_table_id") {
                Ok(Some(t)) => t,
                _ => {
                    self.unknown(rc, "route_table_id", Vec::new());
                    continue;
                }
            };
            let route = match self.route_of(
                rc,
                side,
                "",
                [
                    "destination_cidr_block",
                    "destination_ipv6_cidr_block",
                    "destination_prefix_list_id",
                ],
            ) {
                Ok(r) => r,
                Err(attribute) => {
                    self.unknown(rc, &attribute, vec![table]);
                    continue;
                }
            };
            let Some(t) = self.net().route_tables.get_mut(&table) else {
                self.unknown(rc, "route_table_id", vec![table]);
                continue;
            };
            t.routes.retain(|r| r.destination != route.destination);
            let text = crate::change::dest_text(&route.destination);
            if removal {
                said.push(format!("{table}: route {text} deleted"));
            } else {
                said.push(format!("{table}: {text} → {}", route.target.id()));
                t.routes.push(route);
            }
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    pub(super) fn rt_association(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let main = rc.kind == "aws_main_route_table_association";
        let mut said = Vec::new();
        for (side, removal) in sides(rc, removing, adding) {
            let table = if main && removal {
                // Deleting the association gives the main role back.
                side.get("original_route_table_id").str().map(String::from)
            } else {
                self.one(rc, side, "route_table_id").ok().flatten()
            };
            let Some(table) = table else {
                self.unknown(rc, "route_table_id", Vec::new());
                continue;
            };
            let n_has = self.out.network.route_tables.contains_key(&table);
            if main {
                let vpc = self.one(rc, side, "vpc_id").ok().flatten();
                let n = self.net();
                let vpc = vpc.or_else(|| n.route_tables.get(&table).map(|t| t.vpc_id.clone()));
                for t in n.route_tables.values_mut() {
                    if Some(&t.vpc_id) == vpc.as_ref() {
                        t.is_main = t.id == table;
                    }
                }
                said.push(format!("{table} is the main route table"));
                continue;
            }
            let subnet = self.one(rc, side, "subnet_id");
            let gateway = self.one(rc, side, "gateway_id");
            let (member, is_gateway) = match (subnet, gateway) {
                (Ok(Some(s)), _) => (s, false),
                (_, Ok(Some(g))) => (g, true),
                _ => {
                    self.unknown(rc, "subnet_id", vec![table]);
                    continue;
                }
            };
            if !n_has && !removal {
                self.unknown(rc, "route_table_id", vec![table, member]);
                continue;
            }
            let n = self.net();
            for t in n.route_tables.values_mut() {
                let list = if is_gateway {
                    &mut t.gateway_ids
                } else {
                    &mut t.subnet_ids
                };
                if removal && t.id != table {
                    continue;
                }
                list.retain(|m| *m != member);
            }
            if removal {
                said.push(format!(
                    "{member} no longer associated with {table} (main table again)"
                ));
            } else if let Some(t) = n.route_tables.get_mut(&table) {
                if is_gateway {
                    &mut t.gateway_ids
                } else {
                    &mut t.subnet_ids
                }
                .push(member.clone());
                said.push(format!("{member} associated with {table}"));
            }
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    pub(super) fn internet_gateway(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let eigw = rc.kind == "aws_egress_only_internet_gateway";
        let attachment = rc.kind == "aws_internet_gateway_attachment";
        let gateway_id = if attachment {
            let v = if adding { &rc.after } else { &rc.before };
            match self.one(rc, v, "internet_gateway_id") {
                Ok(Some(g)) => g,
                _ => {
                    self.unknown(rc, "internet_gateway_id", Vec::new());
                    return None;
                }
            }
        } else {
            id.to_string()
        };
        let vpc = if adding {
            self.one(rc, &rc.after, "vpc_id")
        } else {
            Ok(None)
        };
        let n = self.net();
        let map = if eigw {
            &mut n.egress_only_gateways
        } else {
            &mut n.internet_gateways
        };
        if removing && !adding {
            if attachment {
                if let Some(g) = map.get_mut(&gateway_id) {
                    g.attachments.clear();
                }
                return Some(format!("{gateway_id} detached"));
            }
            map.remove(&gateway_id);
            return Some(format!("gateway {gateway_id} deleted"));
        }
        let g = map
            .entry(gateway_id.clone())
            .or_insert_with(|| InternetGateway {
                id: gateway_id.clone(),
                name: None,
                attachments: Vec::new(),
            });
        match vpc {
            Ok(Some(vpc)) => {
                g.attachments = vec![(
                    vpc.clone(),
                    if eigw {
                        GatewayAttachmentState::Attached
                    } else {
                        GatewayAttachmentState::Available
                    },
                )];
                Some(format!("{gateway_id} attached to {vpc}"))
            }
            Ok(None) => {
                if !attachment {
                    g.attachments.clear();
                }
                Some(format!("{gateway_id} (not attached)"))
            }
            Err(Unknown) => {
                self.unknown(rc, "vpc_id", vec![gateway_id]);
                None
            }
        }
    }

    /// A public address the plan does not know yet: a stand-in from
    /// 192.0.2.0/24 (TEST-NET-1), which no rule of a real network names.
    fn stand_in_public(&mut self, rc: &ResourceChange) -> Ipv4Addr {
        self.stand_in_public += 1;
        let ip = Ipv4Addr::from(u32::from(Ipv4Addr::new(192, 0, 2, 0)) + self.stand_in_public);
        self.out.notes.push(format!(
            "{}: the public address is known only after apply; {ip} stands in for it",
            rc.address
        ));
        ip
    }

    /// A private address the plan does not know yet: the first free host of
    /// the subnet; `finish` makes answers unknown where the choice matters.
    fn stand_in_private(
        &mut self,
        rc: &ResourceChange,
        subnet: &str,
        eni: &str,
    ) -> Option<Ipv4Addr> {
        let n = &self.out.network;
        let block = n.subnets.get(subnet)?.cidr;
        let used: BTreeSet<Ipv4Addr> = n
            .network_interfaces
            .values()
            .flat_map(|e| e.private_ips.iter().map(|p| p.address))
            .chain(
                n.nat_gateways
                    .values()
                    .flat_map(|g| g.addresses.iter().filter_map(|a| a.private_ip)),
            )
            .collect();
        // AWS reserves the first four addresses and the last of a subnet.
        let ip = block
            .hosts()
            .skip(3)
            .find(|ip| !used.contains(ip) && *ip != block.broadcast())?;
        self.placeholder_enis
            .push((eni.to_string(), subnet.to_string()));
        self.out.notes.push(format!(
            "{}: the private address is known only after apply; {ip} (in {subnet}) stands in for it",
            rc.address
        ));
        Some(ip)
    }

    pub(super) fn nat_gateway(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        if removing && !adding {
            self.net().nat_gateways.remove(id);
            return Some(format!("NAT gateway {id} deleted"));
        }
        let Ok(Some(subnet)) = self.one(rc, &rc.after, "subnet_id") else {
            self.unknown(rc, "subnet_id", vec![id.to_string()]);
            return None;
        };
        let Some(vpc) = self
            .out
            .network
            .subnets
            .get(&subnet)
            .map(|s| s.vpc_id.clone())
        else {
            self.unknown(rc, "subnet_id", vec![id.to_string(), subnet]);
            return None;
        };
        let private = rc.after.get("connectivity_type").str() == Some("private");
        let allocation = self.one(rc, &rc.after, "allocation_id").ok().flatten();
        let public_ip = match (
            private,
            rc.after.get("public_ip").str().and_then(|s| s.parse().ok()),
        ) {
            (true, _) => None,
            (false, Some(ip)) => Some(ip),
            (false, None) => allocation
                .as_ref()
                .and_then(|a| {
                    self.out
                        .network
                        .elastic_ips
                        .iter()
                        .find(|e| e.allocation_id.as_ref() == Some(a))
                })
                .map(|e| e.public_ip)
                .or_else(|| Some(self.stand_in_public(rc))),
        };
        let private_ip = match rc
            .after
            .get("private_ip")
            .str()
            .and_then(|s| s.parse().ok())
        {
            Some(ip) => Some(ip),
            None => self.stand_in_private(rc, &subnet, id),
        };
        self.net().nat_gateways.insert(
            id.to_string(),
            NatGateway {
                id: id.to_string(),
                name: None,
                vpc_id: vpc,
                subnet_id: subnet.clone(),
                state: Lifecycle::Available,
                connectivity: if private {
                    NatConnectivity::Private
                } else {
                    NatConnectivity::Public
                },
                addresses: vec![NatAddress {
                    network_interface_id: None,
                    private_ip,
                    public_ip,
                }],
            },
        );
        Some(format!("NAT gateway in {subnet}"))
    }

    pub(super) fn eip(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let mut said = Vec::new();
        for (side, removal) in sides(rc, removing, adding) {
            let eni = match self.one(rc, side, "network_interface_id") {
                Ok(Some(e)) => Some(e),
                Ok(None) => match self
                    .one(rc, side, "instance")
                    .or_else(|_| self.one(rc, side, "instance_id"))
                {
                    Ok(Some(i)) => self
                        .out
                        .network
                        .instances
                        .get(&i)
                        .and_then(|i| i.network_interface_ids.first().cloned()),
                    Ok(None) => match self.one(rc, side, "instance_id") {
                        Ok(Some(i)) => self
                            .out
                            .network
                            .instances
                            .get(&i)
                            .and_then(|i| i.network_interface_ids.first().cloned()),
                        _ => None,
                    },
                    Err(Unknown) => {
                        self.unknown(rc, "instance", Vec::new());
                        continue;
                    }
                },
                Err(Unknown) => {
                    self.unknown(rc, "network_interface_id", Vec::new());
                    continue;
                }
            };
            if rc.kind == "aws_eip" && !removal {
                let allocation = rc
                    .before
                    .get("id")
                    .str()
                    .map(String::from)
                    .unwrap_or_else(|| self.new_id(&rc.address));
                let public_ip = match side.get("public_ip").str().and_then(|s| s.parse().ok()) {
                    Some(ip) => ip,
                    None => self.stand_in_public(rc),
                };
                self.net().elastic_ips.push(ElasticIp {
                    public_ip,
                    allocation_id: Some(allocation),
                    association_id: None,
                    network_interface_id: eni.clone(),
                    private_ip: None,
                });
            }
            let Some(eni) = eni else { continue };
            let public_ip = side.get("public_ip").str().and_then(|s| s.parse().ok());
            let public_ip = if removal {
                None
            } else {
                Some(match public_ip {
                    Some(ip) => ip,
                    None => {
                        let allocation = self.one(rc, side, "allocation_id").ok().flatten();
                        match allocation.and_then(|a| {
                            self.out
                                .network
                                .elastic_ips
                                .iter()
                                .find(|e| e.allocation_id.as_ref() == Some(&a))
                                .map(|e| e.public_ip)
                        }) {
                            Some(ip) => ip,
                            None => self.stand_in_public(rc),
                        }
                    }
                })
            };
            let Some(e) = self.net().network_interfaces.get_mut(&eni) else {
                self.unknown(rc, "network_interface_id", vec![eni]);
                continue;
            };
            if let Some(p) = e.private_ips.iter_mut().find(|p| p.primary).or(None) {
                p.public_ip = public_ip;
            } else if let Some(p) = e.private_ips.first_mut() {
                p.public_ip = public_ip;
            }
            said.push(match public_ip {
                Some(ip) => format!("{ip} associated with {eni}"),
                None => format!("elastic IP disassociated from {eni}"),
            });
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    pub(super) fn peering(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        if rc.kind == "aws_vpc_peering_connection_accepter" {
            let v = if adding { &rc.after } else { &rc.before };
            let Ok(Some(pcx)) = self.one(rc, v, "vpc_peering_connection_id") else {
                self.unknown(rc, "vpc_peering_connection_id", Vec::new());
                return None;
            };
            let accept = adding && v.get("auto_accept").bool() != Some(false);
            if let Some(p) = self.net().peerings.get_mut(&pcx) {
                if accept {
                    p.status = PeeringStatus::Active;
                }
                return Some(format!("{pcx} {}", p.status));
            }
            self.unknown(rc, "vpc_peering_connection_id", vec![pcx]);
            return None;
        }
        if removing && !adding {
            self.net().peerings.remove(id);
            return Some(format!("peering {id} deleted"));
        }
        let (Ok(Some(vpc)), Ok(Some(peer))) = (
            self.one(rc, &rc.after, "vpc_id"),
            self.one(rc, &rc.after, "peer_vpc_id"),
        ) else {
            self.unknown(rc, "peer_vpc_id", Vec::new());
            return None;
        };
        let accepted_here = self.by_address.values().any(|x| {
            x.kind == "aws_vpc_peering_connection_accepter"
                && x.action != Action::Delete
                && x.references
                    .get("vpc_peering_connection_id")
                    .is_some_and(|r| {
                        r.iter()
                            .any(|r| r.contains(&rc.address) || rc.address.ends_with(r.as_str()))
                    })
        });
        let active = rc.after.get("auto_accept").bool() == Some(true)
            || rc.after.get("accept_status").str() == Some("active")
            || accepted_here;
        let n = self.net();
        let side = |v: &str| PeeringSide {
            vpc_id: v.to_string(),
            cidrs: n.vpcs.get(v).map(|x| x.cidrs.clone()).unwrap_or_default(),
            owner: None,
            region: None,
        };
        let p = VpcPeering {
            id: id.to_string(),
            name: None,
            status: if active {
                PeeringStatus::Active
            } else {
                PeeringStatus::PendingAcceptance
            },
            requester: side(&vpc),
            accepter: side(&peer),
        };
        let status = p.status.clone();
        n.peerings.insert(id.to_string(), p);
        Some(format!("peering {vpc} ↔ {peer} ({status})"))
    }

    pub(super) fn interface(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let instance = rc.kind == "aws_instance";
        let eni_id = if instance {
            rc.before
                .get("primary_network_interface_id")
                .str()
                .map(String::from)
                .unwrap_or_else(|| self.new_id(&format!("{}.eni", rc.address)))
        } else {
            id.to_string()
        };
        self.out
            .addresses
            .entry(eni_id.clone())
            .or_insert(rc.address.clone());
        if removing && !adding {
            let n = self.net();
            n.instances.remove(id);
            n.network_interfaces.remove(&eni_id);
            return Some(format!("{eni_id} deleted"));
        }
        let after = &rc.after;
        let Ok(Some(subnet)) = self.one(rc, after, "subnet_id") else {
            self.unknown(rc, "subnet_id", vec![eni_id]);
            return None;
        };
        let Some(vpc) = self
            .out
            .network
            .subnets
            .get(&subnet)
            .map(|s| s.vpc_id.clone())
        else {
            self.unknown(rc, "subnet_id", vec![eni_id, subnet]);
            return None;
        };
        let groups_key = if instance {
            "vpc_security_group_ids"
        } else {
            "security_groups"
        };
        let groups = match self.many(rc, after, groups_key) {
            Ok(g) if g.is_empty() && after.get(groups_key).is_unknown() => {
                // Not configured: the VPC's default group.
                self.out
                    .network
                    .security_groups
                    .values()
                    .find(|g| g.vpc_id.as_ref() == Some(&vpc) && g.name == "default")
                    .map(|g| vec![g.id.clone()])
                    .unwrap_or_default()
            }
            Ok(g) => g,
            Err(Unknown) => {
                if after.get(groups_key).is_unknown()
                    && !rc.configured.iter().any(|c| c == groups_key)
                    && (!instance || after.get("security_groups").list().is_empty())
                {
                    self.out
                        .network
                        .security_groups
                        .values()
                        .find(|g| g.vpc_id.as_ref() == Some(&vpc) && g.name == "default")
                        .map(|g| vec![g.id.clone()])
                        .unwrap_or_default()
                } else {
                    self.unknown(rc, groups_key, vec![eni_id.clone()]);
                    Vec::new()
                }
            }
        };
        let source_dest_check = after.get("source_dest_check").bool().unwrap_or(true);
        let public = if instance {
            match after.get("associate_public_ip_address") {
                Value::Bool(b) => Some(*b),
                _ => match self.public_on_launch.get(&subnet) {
                    Some(b) => Some(*b),
                    None => {
                        self.unknown(rc, "associate_public_ip_address", vec![eni_id.clone()]);
                        Some(false)
                    }
                },
            }
        } else {
            None
        };
        let existing_ips = self
            .out
            .network
            .network_interfaces
            .get(&eni_id)
            .map(|e| e.private_ips.clone());
        let known_ip = after
            .get("private_ip")
            .str()
            .or(after.get("private_ips").list().first().and_then(Value::str))
            .and_then(|s| s.parse::<Ipv4Addr>().ok());
        let mut ips = match (known_ip, existing_ips) {
            (Some(ip), _) => vec![PrivateIp {
                address: ip,
                primary: true,
                public_ip: None,
            }],
            (None, Some(ips)) if !ips.is_empty() => ips,
            (None, _) => match self.stand_in_private(rc, &subnet, &eni_id) {
                Some(ip) => vec![PrivateIp {
                    address: ip,
                    primary: true,
                    public_ip: None,
                }],
                None => {
                    self.unknown(rc, "private_ip", vec![eni_id.clone()]);
                    return None;
                }
            },
        };
        match public {
            Some(true) if ips[0].public_ip.is_none() => {
                let ip = match after.get("public_ip").str().and_then(|s| s.parse().ok()) {
                    Some(ip) => ip,
                    None => self.stand_in_public(rc),
                };
                ips[0].public_ip = Some(ip);
            }
            Some(false) => ips[0].public_ip = None,
            _ => {}
        }
        let n = self.net();
        if instance {
            n.instances.insert(
                id.to_string(),
                Instance {
                    id: id.to_string(),
                    name: None,
                    state: InstanceState::Running,
                    vpc_id: Some(vpc.clone()),
                    subnet_id: Some(subnet.clone()),
                    network_interface_ids: vec![eni_id.clone()],
                    source_dest_check: Some(source_dest_check),
                    tags: BTreeMap::new(),
                },
            );
        }
        let exists = n.network_interfaces.contains_key(&eni_id);
        n.network_interfaces.insert(
            eni_id.clone(),
            NetworkInterface {
                id: eni_id.clone(),
                name: None,
                description: None,
                vpc_id: vpc,
                subnet_id: subnet.clone(),
                availability_zone: None,
                interface_type: "interface".into(),
                // An interface of its own, not attached: EC2 says `available`.
                status: if instance || !after.get("attachment").list().is_empty() {
                    EniStatus::InUse
                } else {
                    EniStatus::Available
                },
                private_ips: ips,
                ipv6_addresses: Vec::new(),
                group_ids: groups.clone(),
                source_dest_check,
                attachment: instance.then(|| EniAttachment {
                    instance_id: Some(id.to_string()),
                    device_index: Some(0),
                    status: EniAttachmentStatus::Attached,
                }),
                tags: BTreeMap::new(),
            },
        );
        Some(format!(
            "{eni_id} {} in {subnet} with groups [{}]",
            if exists { "updated" } else { "created" },
            groups.join(", ")
        ))
    }

    pub(super) fn sg_attachment(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let mut said = Vec::new();
        for (side, removal) in sides(rc, removing, adding) {
            let (Ok(Some(group)), Ok(Some(eni))) = (
                self.one(rc, side, "security_group_id"),
                self.one(rc, side, "network_interface_id"),
            ) else {
                self.unknown(rc, "security_group_id", Vec::new());
                continue;
            };
            let Some(e) = self.net().network_interfaces.get_mut(&eni) else {
                self.unknown(rc, "network_interface_id", vec![eni]);
                continue;
            };
            e.group_ids.retain(|g| *g != group);
            if !removal {
                e.group_ids.push(group.clone());
            }
            said.push(format!(
                "{group} {} {eni}",
                if removal {
                    "detached from"
                } else {
                    "attached to"
                }
            ));
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// A stand-in private address matters when a rule or route names part
    /// of its subnet: then answers through that ENI are unknown.
    pub(super) fn address_sensitive_placeholders(&mut self) {
        let n = &self.out.network;
        let mut blocks: Vec<Ipv4Net> = Vec::new();
        for g in n.security_groups.values() {
            for r in g.ingress.iter().chain(&g.egress) {
                if let SgPeer::Cidr(c) = r.peer {
                    blocks.push(c);
                }
            }
        }
        for a in n.network_acls.values() {
            blocks.extend(a.entries.iter().filter_map(|e| e.cidr));
        }
        for t in n.route_tables.values() {
            for r in &t.routes {
                if let RouteDestination::Cidr(c) = r.destination {
                    blocks.push(c);
                }
            }
        }
        let mut causes = Vec::new();
        for (eni, subnet) in &self.placeholder_enis {
            let Some(s) = n.subnets.get(subnet) else {
                continue;
            };
            if let Some(b) = blocks.iter().find(|b| s.cidr.contains(*b) && **b != s.cidr) {
                causes.push(UnknownCause {
                    address: self
                        .out
                        .addresses
                        .get(eni)
                        .cloned()
                        .unwrap_or_else(|| eni.clone()),
                    attribute: format!("private_ip (a rule or route names {b}, part of {subnet})"),
                    components: vec![eni.clone()],
                });
            }
        }
        self.out.unknown.extend(causes);
    }
}

/// What an update or replace removes (`before`, true) and adds (`after`, false).
fn sides(
    rc: &ResourceChange,
    removing: bool,
    adding: bool,
) -> impl Iterator<Item = (&Value, bool)> {
    [(&rc.before, removing, true), (&rc.after, adding, false)]
        .into_iter()
        .filter(|(_, on, _)| *on)
        .map(|(v, _, removal)| (v, removal))
}

fn local_route(cidr: Ipv4Net) -> Route {
    Route {
        destination: RouteDestination::Cidr(cidr),
        target: RouteTarget::Local,
        origin: RouteOrigin::CreateRouteTable,
        state: RouteState::Active,
    }
}

fn sg_rule(protocol: Protocol, range: (Option<i32>, Option<i32>), peer: SgPeer) -> SgRule {
    SgRule {
        protocol,
        from_port: range.0,
        to_port: range.1,
        peer,
        description: None,
        rule_id: None,
    }
}

fn group_peer(group_id: String) -> SgPeer {
    SgPeer::Group {
        group_id,
        vpc_id: None,
        peering_id: None,
    }
}

/// A NACL entry from an inline block (`rule_no`/`action`) or an
/// `aws_network_acl_rule` (`rule_number`/`rule_action`).
fn acl_entry(
    v: &Value,
    egress: bool,
    number_key: &str,
    action_key: &str,
) -> Result<AclEntry, Unknown> {
    let protocol = v
        .get("protocol")
        .str()
        .and_then(acl_protocol)
        .ok_or(Unknown)?;
    let range = match protocol {
        Protocol::Number(6 | 17) => match (v.get("from_port").int(), v.get("to_port").int()) {
            (Some(f), Some(t)) => Some((f as u16, t as u16)),
            _ => None,
        },
        _ => None,
    };
    let icmp = match protocol {
        Protocol::Number(1 | 58) => Some((
            v.get("icmp_type").int().unwrap_or(-1) as i32,
            v.get("icmp_code").int().unwrap_or(-1) as i32,
        )),
        _ => None,
    };
    let ipv6 = v
        .get("ipv6_cidr_block")
        .str()
        .filter(|s| !s.is_empty())
        .map(String::from);
    let block = cidr(v.get("cidr_block"))?;
    if block.is_none() && ipv6.is_none() {
        return Err(Unknown);
    }
    Ok(AclEntry {
        rule_number: v.get(number_key).int().ok_or(Unknown)? as u32,
        egress,
        protocol,
        action: v
            .get(action_key)
            .str()
            .and_then(rule_action)
            .ok_or(Unknown)?,
        cidr: block,
        ipv6_cidr: ipv6,
        port_range: range,
        icmp_type_code: icmp,
    })
}
