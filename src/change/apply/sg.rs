//! Security group calls: Authorize/Revoke…Ingress/Egress and
//! ModifySecurityGroupRules, with the rule checks EC2 makes (protocol,
//! ports, CIDR, referenced group) and the wording of a rule for people.
//! Must not know other components: a rule names a group, never a route.

use std::collections::BTreeSet;

use crate::change::{err, join, need, PeerSpec, SgRuleSpec, State, R};
use crate::model::*;

impl State {
    fn find_group(&self, id: &Option<String>, name: &Option<String>, id_field: &str) -> R<String> {
        match (id, name) {
            (Some(id), _) => {
                if self.net.security_groups.contains_key(id) {
                    Ok(id.clone())
                } else {
                    Err(err(
                        "InvalidGroup.NotFound",
                        id_field,
                        format!("The security group '{id}' does not exist"),
                    ))
                }
            }
            (None, Some(name)) => {
                let found: Vec<&SecurityGroup> = self
                    .net
                    .security_groups
                    .values()
                    .filter(|g| g.name == *name)
                    .collect();
                match found.as_slice() {
                    [one] => Ok(one.id.clone()),
                    [] => Err(err(
                        "InvalidGroup.NotFound",
                        "GroupName",
                        format!("The security group '{name}' does not exist"),
                    )),
                    _ => Err(err(
                        "InvalidGroup.NotFound",
                        "GroupName",
                        format!("The security group '{name}' does not exist in the default VPC"),
                    )
                    .help("several VPCs have a group of that name; outside the default VPC EC2 needs GroupId")),
                }
            }
            (None, None) => Err(err(
                "MissingParameter",
                "",
                "The request must contain the parameter groupName or groupId",
            )),
        }
    }

    /// A request rule as a model rule, checked as EC2 checks it.
    fn sg_rule(&self, spec: &SgRuleSpec, group_vpc: Option<&str>) -> R<SgRule> {
        let proto_field = join(&spec.perm_path, "IpProtocol");
        let protocol = Protocol::parse(&spec.protocol).ok_or_else(|| {
            err(
                "InvalidParameterValue",
                &proto_field,
                format!(
                    "Invalid value '{}' for IP protocol. Unknown protocol.",
                    spec.protocol
                ),
            )
        })?;
        let (from_port, to_port) = match protocol {
            Protocol::All => (None, None),
            Protocol::Number(6 | 17) => {
                let from_field = join(&spec.perm_path, "FromPort");
                let to_field = join(&spec.perm_path, "ToPort");
                let from = *need(&spec.from_port, &from_field)?;
                let to = *need(&spec.to_port, &to_field)?;
                for (v, f) in [(from, &from_field), (to, &to_field)] {
                    if !(0..=65535).contains(&v) {
                        return Err(err(
                            "InvalidParameterValue",
                            f,
                            format!(
                                "Invalid value '{v}' for port. Ports must be between 0 and 65535"
                            ),
                        ));
                    }
                }
                if from > to {
                    return Err(err(
                        "InvalidParameterValue",
                        &from_field,
                        format!("Invalid TCP/UDP port range: FromPort {from} is greater than ToPort {to}"),
                    ));
                }
                (Some(from as i32), Some(to as i32))
            }
            Protocol::Number(1 | 58) => {
                let t = spec.from_port.unwrap_or(-1);
                let c = spec.to_port.unwrap_or(-1);
                if !(-1..=255).contains(&t) || !(-1..=255).contains(&c) {
                    return Err(err(
                        "InvalidParameterValue",
                        &join(&spec.perm_path, "FromPort"),
                        format!("Invalid ICMP type {t} / code {c}: both must be -1 or 0-255"),
                    ));
                }
                (Some(t as i32), Some(c as i32))
            }
            Protocol::Number(_) => (None, None),
        };
        let peer = match &spec.peer {
            PeerSpec::Cidr(n) => {
                if n.trunc() != *n {
                    return Err(err(
                        "InvalidParameterValue",
                        &spec.peer_path,
                        format!(
                            "CIDR block {n} is malformed (host bits set; did you mean {}?)",
                            n.trunc()
                        ),
                    ));
                }
                SgPeer::Cidr(*n)
            }
            PeerSpec::Ipv6Cidr(c) => SgPeer::Ipv6Cidr(c.clone()),
            PeerSpec::PrefixList(pl) => {
                if !self.net.prefix_lists.is_empty() && !self.net.prefix_lists.contains_key(pl) {
                    return Err(err(
                        "InvalidPrefixListId.NotFound",
                        &join(&spec.peer_path, "PrefixListId"),
                        format!("The prefix list ID '{pl}' does not exist"),
                    ));
                }
                SgPeer::PrefixList(pl.clone())
            }
            PeerSpec::Group {
                group_id,
                group_name,
                user_id,
                vpc_id,
                peering_id,
            } => {
                let foreign = peering_id.is_some()
                    || user_id.as_ref().is_some_and(|u| !self.is_own_account(u));
                let id_field = join(&spec.peer_path, "GroupId");
                let id = match (group_id, foreign) {
                    (Some(g), true) => g.clone(),
                    _ => {
                        let id = self.find_group(group_id, group_name, &id_field)?;
                        let sg_vpc = self.net.security_groups[&id].vpc_id.clone();
                        if let (Some(a), Some(b)) = (sg_vpc.as_deref(), group_vpc) {
                            if a != b {
                                return Err(err(
                                    "InvalidGroup.NotFound",
                                    &id_field,
                                    format!("You have specified two resources that belong to different networks: {id} is in {a}, the group being changed in {b}"),
                                ).help("a rule may name a group of a peered VPC only with the peering (VpcPeeringConnectionId)"));
                            }
                        }
                        id
                    }
                };
                SgPeer::Group {
                    group_id: id,
                    vpc_id: vpc_id.clone(),
                    peering_id: peering_id.clone(),
                }
            }
        };
        Ok(SgRule {
            protocol,
            from_port,
            to_port,
            peer,
            description: spec.description.clone(),
            rule_id: None,
        })
    }

    fn is_own_account(&self, account: &str) -> bool {
        let owners: BTreeSet<&str> = self
            .net
            .vpcs
            .values()
            .filter_map(|v| v.owner.as_deref())
            .collect();
        owners.is_empty() || owners.contains(account)
    }

    pub(in crate::change) fn sg_rules(
        &mut self,
        revoke: bool,
        egress: bool,
        group_id: &Option<String>,
        group_name: &Option<String>,
        specs: &[SgRuleSpec],
        rule_ids: &[String],
    ) -> R<String> {
        let id = self.find_group(group_id, group_name, "GroupId")?;
        let group_vpc = self.net.security_groups[&id].vpc_id.clone();
        if specs.is_empty() && rule_ids.is_empty() {
            return Err(err(
                "MissingParameter",
                "IpPermissions",
                "The request must contain the parameter ipPermissions",
            ));
        }
        let mut rules = Vec::new();
        for spec in specs {
            rules.push((self.sg_rule(spec, group_vpc.as_deref())?, spec));
        }
        let sg = self.net.security_groups.get_mut(&id).expect("found");
        let list = if egress {
            &mut sg.egress
        } else {
            &mut sg.ingress
        };
        let dir = if egress { "egress" } else { "ingress" };
        let mut lines = Vec::new();
        for (i, rid) in rule_ids.iter().enumerate() {
            let Some(pos) = list.iter().position(|r| r.rule_id.as_deref() == Some(rid)) else {
                return Err(err(
                    "InvalidSecurityGroupRuleId.NotFound",
                    &format!("SecurityGroupRuleIds[{i}]"),
                    format!("The security group rule ID '{rid}' does not exist in the {dir} rules of {id}"),
                ).help(rule_id_help()));
            };
            let r = list.remove(pos);
            lines.push(rule_text(&r, egress));
        }
        for (rule, spec) in rules {
            let pos = list.iter().position(|r| same_rule(r, &rule));
            match (revoke, pos) {
                (false, Some(_)) => {
                    return Err(err(
                        "InvalidPermission.Duplicate",
                        &spec.peer_path,
                        format!(
                            "the specified rule \"peer: {}, {}\" already exists",
                            peer_text(&rule.peer),
                            ports_text(&rule)
                        ),
                    ))
                }
                (false, None) => {
                    lines.push(rule_text(&rule, egress));
                    list.push(rule);
                }
                (true, Some(p)) => {
                    list.remove(p);
                    lines.push(rule_text(&rule, egress));
                }
                (true, None) => {
                    return Err(err(
                        "InvalidPermission.NotFound",
                        &spec.peer_path,
                        format!(
                            "The specified rule does not exist in this security group: {} {}",
                            dir,
                            rule_text(&rule, egress)
                        ),
                    ))
                }
            }
        }
        Ok(format!(
            "{} {dir} rule{} {} {id}: {}",
            if revoke { "revoked" } else { "authorized" },
            if lines.len() == 1 { "" } else { "s" },
            if revoke { "from" } else { "on" },
            lines.join("; ")
        ))
    }

    pub(in crate::change) fn modify_sg_rules(
        &mut self,
        group_id: &Option<String>,
        specs: &[(Option<String>, SgRuleSpec)],
    ) -> R<String> {
        let id = need(group_id, "GroupId")?.clone();
        if !self.net.security_groups.contains_key(&id) {
            return Err(err(
                "InvalidGroup.NotFound",
                "GroupId",
                format!("The security group '{id}' does not exist"),
            ));
        }
        let group_vpc = self.net.security_groups[&id].vpc_id.clone();
        let mut lines = Vec::new();
        for (i, (rid, spec)) in specs.iter().enumerate() {
            let rid = need(rid, &format!("SecurityGroupRules[{i}].SecurityGroupRuleId"))?;
            let rule = self.sg_rule(spec, group_vpc.as_deref())?;
            let sg = self.net.security_groups.get_mut(&id).expect("found");
            let (list, egress) = if sg.ingress.iter().any(|r| r.rule_id.as_deref() == Some(rid)) {
                (&mut sg.ingress, false)
            } else if sg.egress.iter().any(|r| r.rule_id.as_deref() == Some(rid)) {
                (&mut sg.egress, true)
            } else {
                return Err(err(
                    "InvalidSecurityGroupRuleId.NotFound",
                    &format!("SecurityGroupRules[{i}].SecurityGroupRuleId"),
                    format!("The security group rule ID '{rid}' does not exist in {id}"),
                )
                .help(rule_id_help()));
            };
            let pos = list
                .iter()
                .position(|r| r.rule_id.as_deref() == Some(rid))
                .expect("found");
            if list
                .iter()
                .enumerate()
                .any(|(j, r)| j != pos && same_rule(r, &rule))
            {
                return Err(err(
                    "InvalidPermission.Duplicate",
                    &format!("SecurityGroupRules[{i}].SecurityGroupRule"),
                    format!(
                        "the specified rule \"{}\" already exists",
                        rule_text(&rule, egress)
                    ),
                ));
            }
            let old = rule_text(&list[pos], egress);
            list[pos] = SgRule {
                rule_id: Some(rid.clone()),
                ..rule
            };
            let dir = if egress { "egress" } else { "ingress" };
            lines.push(format!(
                "{rid} ({dir}) {old} → {}",
                rule_text(&list[pos], egress)
            ));
        }
        Ok(format!("modified rules of {id}: {}", lines.join("; ")))
    }
}

/// A rule as the model holds it, for comparisons: direction-free content.
fn same_rule(a: &SgRule, b: &SgRule) -> bool {
    let ports = |r: &SgRule| match r.protocol {
        Protocol::All => (None, None),
        Protocol::Number(6 | 17 | 1 | 58) => (r.from_port, r.to_port),
        Protocol::Number(_) => (None, None),
    };
    let peer = |r: &SgRule| match &r.peer {
        SgPeer::Group { group_id, .. } => SgPeer::Group {
            group_id: group_id.clone(),
            vpc_id: None,
            peering_id: None,
        },
        other => other.clone(),
    };
    a.protocol == b.protocol && ports(a) == ports(b) && peer(a) == peer(b)
}

fn rule_id_help() -> String {
    "security group rule ids come from describe-security-group-rules output (top-level key SecurityGroupRules) in the snapshot".into()
}

pub fn peer_text(p: &SgPeer) -> String {
    match p {
        SgPeer::Cidr(c) => c.to_string(),
        SgPeer::Ipv6Cidr(c) => c.clone(),
        SgPeer::PrefixList(pl) => pl.clone(),
        SgPeer::Group {
            group_id,
            peering_id,
            ..
        } => match peering_id {
            Some(pcx) => format!("{group_id} via {pcx}"),
            None => group_id.clone(),
        },
    }
}

/// `tcp/22`, `tcp/1024-65535`, `icmp type 8 code all`, `all traffic`.
pub fn ports_text(r: &SgRule) -> String {
    match r.protocol {
        Protocol::All => "all traffic".into(),
        Protocol::Number(p @ (1 | 58)) => {
            let name = if p == 1 { "icmp" } else { "icmpv6" };
            let part = |v: Option<i32>| match v {
                None | Some(-1) => "all".to_string(),
                Some(v) => v.to_string(),
            };
            if matches!(r.from_port, None | Some(-1)) {
                format!("{name} all")
            } else {
                format!("{name} type {} code {}", part(r.from_port), part(r.to_port))
            }
        }
        Protocol::Number(p) => {
            let name = match p {
                6 => "tcp".to_string(),
                17 => "udp".to_string(),
                n => format!("protocol {n}"),
            };
            match (r.from_port, r.to_port) {
                (Some(f), Some(t)) if p == 6 || p == 17 => {
                    if f == t {
                        format!("{name}/{f}")
                    } else if f == 0 && t == 65535 {
                        format!("{name}/all")
                    } else {
                        format!("{name}/{f}-{t}")
                    }
                }
                _ => name,
            }
        }
    }
}

/// `tcp/22 from 10.0.0.0/8` (ingress) or `all traffic to 0.0.0.0/0` (egress).
pub fn rule_text(r: &SgRule, egress: bool) -> String {
    format!(
        "{} {} {}",
        ports_text(r),
        if egress { "to" } else { "from" },
        peer_text(&r.peer)
    )
}
