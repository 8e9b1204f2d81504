//! Network ACLs: `aws_network_acl` (and the default NACL) with inline
//! entries, `aws_network_acl_rule` and `aws_network_acl_association`.

use super::*;

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

impl Translator<'_> {
    fn acl_entries(&self, blocks: &Value, egress: bool) -> Result<Vec<AclEntry>, Unknown> {
        blocks
            .list()
            .iter()
            .map(|b| acl_entry(b, egress, "rule_no", "action"))
            .collect()
    }

    pub(in crate::plan::translate) fn network_acl(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        let (id, default) = match self.container(
            rc,
            id,
            (removing, adding),
            "default_network_acl_id",
            "default network ACL",
        ) {
            Ok(c) => c,
            Err(said) => return said,
        };
        if removing && !adding {
            // Its subnets fall back to the VPC's default ACL (C2.1).
            self.net().network_acls.remove(&id);
            return Some(format!("network ACL {id} deleted"));
        }
        let vpc = self.one(rc, &rc.after, "vpc_id").ok().flatten();
        let mut sets = Vec::new();
        for (direction, egress) in [("ingress", false), ("egress", true)] {
            sets.push(managed_set(rc, direction, default).map(
                |v| match self.acl_entries(v, egress) {
                    Ok(e) => e,
                    Err(Unknown) => {
                        self.unknown(rc, direction, vec![id.clone()]);
                        Vec::new()
                    }
                },
            ));
        }
        let subnets = match rc.after.get("subnet_ids") {
            v if v.is_unknown() && !rc.configures("subnet_ids") => None,
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

    pub(in crate::plan::translate) fn acl_rule(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        self.each_side(rc, removing, adding, |this, side, removal| {
            let mut said = Vec::new();
            let acl_id = match this.one(rc, side, "network_acl_id") {
                Ok(Some(a)) => a,
                _ => {
                    this.unknown(rc, "network_acl_id", Vec::new());
                    return said;
                }
            };
            let egress = side.get("egress").bool().unwrap_or(false);
            let entry = match acl_entry(side, egress, "rule_number", "rule_action") {
                Ok(e) => e,
                Err(Unknown) => {
                    this.unknown(rc, "cidr_block", vec![acl_id]);
                    return said;
                }
            };
            let Some(acl) = this.net().network_acls.get_mut(&acl_id) else {
                this.unknown(rc, "network_acl_id", vec![acl_id]);
                return said;
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
            said
        })
    }

    pub(in crate::plan::translate) fn acl_association(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        self.each_side(rc, removing, adding, |this, side, removal| {
            let mut said = Vec::new();
            let (Ok(Some(acl_id)), Ok(Some(subnet))) = (
                this.one(rc, side, "network_acl_id"),
                this.one(rc, side, "subnet_id"),
            ) else {
                this.unknown(rc, "network_acl_id", Vec::new());
                return said;
            };
            let n = this.net();
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
                    this.unknown(rc, "network_acl_id", vec![acl_id, subnet]);
                }
            }
            said
        })
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
