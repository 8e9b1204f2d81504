//! Security groups: `aws_security_group` with its inline rules,
//! `aws_security_group_rule` and `aws_vpc_security_group_{in,e}gress_rule`.

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

impl Translator<'_> {
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

    pub(in crate::plan::translate) fn security_group(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let (id, default) =
            match self.container(rc, id, (removing, adding), "vpc_id", "default group") {
                Ok(c) => c,
                Err(said) => return said,
            };
        if removing && !adding {
            // Whether an interface or a rule still uses it is known only
            // once the other changes are applied (an instance moved to
            // another group is updated after the group's deletion is read).
            self.net().security_groups.remove(&id);
            self.deleted_groups
                .push((id.clone(), rc.address.clone(), rc.origin.clone()));
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
            sets.push(managed_set(rc, direction, default).map(|v| {
                match self.inline_sg_rules(rc, &id, v, direction) {
                    Ok(r) => r,
                    Err(Unknown) => {
                        self.unknown(rc, direction, vec![id.clone()]);
                        Vec::new()
                    }
                }
            }));
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

    /// A deleted group that an interface or another group's rule still
    /// names after every change: EC2 refuses the deletion
    /// (DependencyViolation) and Terraform's apply fails there, so answers
    /// through what still uses it are unknown. The model drops it either way.
    pub(in crate::plan::translate) fn groups_still_in_use(&mut self) {
        for (id, address, origin) in std::mem::take(&mut self.deleted_groups) {
            let n = &mut self.out.network;
            let mut users: Vec<String> = n
                .network_interfaces
                .values()
                .filter(|e| e.group_ids.contains(&id))
                .map(|e| e.id.clone())
                .collect();
            users.extend(
                n.security_groups
                    .values()
                    .filter(|g| {
                        g.ingress.iter().chain(&g.egress).any(
                            |r| matches!(&r.peer, SgPeer::Group { group_id, .. } if *group_id == id),
                        )
                    })
                    .map(|g| g.id.clone()),
            );
            for e in n.network_interfaces.values_mut() {
                e.group_ids.retain(|g| *g != id);
            }
            if users.is_empty() {
                continue;
            }
            let names: Vec<&str> = users.iter().map(|u| self.out.name(u)).collect();
            self.out.warnings.push(format!(
                "{address} ({origin}): EC2 would refuse to delete {id} with DependencyViolation: {} still use it; answers through them are unknown",
                names.join(", ")
            ));
            let cause = UnknownCause {
                address,
                attribute: "id (DependencyViolation)".into(),
                components: users,
            };
            self.out.unknown.push(cause);
        }
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
            if v.get("cidr_blocks").is_unknown() && rc.configures("cidr_blocks") {
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
                Value::Unknown if !rc.configures("source_security_group_id") => None,
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

    pub(in crate::plan::translate) fn sg_rule(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        self.each_side(rc, removing, adding, |this, side, removal| {
            let mut said = Vec::new();
            let (group, egress, rules) = match this.separate_sg_rules(rc, side) {
                Ok(x) => x,
                Err(attribute) => {
                    let group = this.one(rc, side, "security_group_id").ok().flatten();
                    this.unknown(rc, attribute, group.into_iter().collect());
                    return said;
                }
            };
            let Some(g) = this.net().security_groups.get_mut(&group) else {
                this.out.warnings.push(format!(
                    "{} ({}) names security group {group}, which the snapshot does not hold: answers through it are unknown",
                    rc.address, rc.origin
                ));
                this.unknown(rc, "security_group_id", vec![group]);
                return said;
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
            said
        })
    }
}

pub(super) fn sg_rule(
    protocol: Protocol,
    range: (Option<i32>, Option<i32>),
    peer: SgPeer,
) -> SgRule {
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
