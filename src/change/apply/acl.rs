//! Network ACL calls: Create/Replace/DeleteNetworkAclEntry and
//! ReplaceNetworkAclAssociation (moving a subnet to another ACL).

use crate::change::{assoc_help, err, need, AclEntrySpec, State, R};
use crate::model::*;

impl State {
    pub(in crate::change) fn delete_acl_entry(
        &mut self,
        network_acl_id: &Option<String>,
        egress: &Option<bool>,
        rule_number: &Option<i64>,
    ) -> R<String> {
        let acl_id = need(network_acl_id, "NetworkAclId")?.clone();
        let egress = *need(egress, "Egress")?;
        let number = *need(rule_number, "RuleNumber")?;
        let acl = self.acl_mut(&acl_id)?;
        let before = acl.entries.len();
        acl.entries
            .retain(|e| !(e.egress == egress && i64::from(e.rule_number) == number));
        if acl.entries.len() == before {
            return Err(err(
                "InvalidNetworkAclEntry.NotFound",
                "RuleNumber",
                format!(
                    "The network acl entry identified by {number} ({}) does not exist in {acl_id}",
                    if egress { "egress" } else { "ingress" }
                ),
            ));
        }
        Ok(format!(
            "deleted {} entry {number} of {acl_id}",
            if egress { "outbound" } else { "inbound" }
        ))
    }

    pub(in crate::change) fn replace_acl_association(
        &mut self,
        association_id: &Option<String>,
        network_acl_id: &Option<String>,
    ) -> R<String> {
        let assoc = need(association_id, "AssociationId")?.clone();
        let acl_id = need(network_acl_id, "NetworkAclId")?.clone();
        let (old_acl, subnet) = self
            .net
            .network_acls
            .values()
            .find_map(|a| {
                a.association_ids
                    .iter()
                    .find(|(_, id)| **id == assoc)
                    .map(|(s, _)| (a.id.clone(), s.clone()))
            })
            .ok_or_else(|| {
                err(
                    "InvalidAssociationID.NotFound",
                    "AssociationId",
                    format!("The association ID '{assoc}' does not exist"),
                )
                .help(assoc_help(
                    "NetworkAcls[].Associations[].NetworkAclAssociationId",
                ))
            })?;
        let vpc = self.acl_mut(&acl_id)?.vpc_id.clone();
        let subnet_vpc = self.net.subnets.get(&subnet).map(|s| s.vpc_id.clone());
        if subnet_vpc.is_some_and(|v| v != vpc) {
            return Err(err(
                "InvalidParameterValue",
                "NetworkAclId",
                format!("Network ACL {acl_id} and subnet {subnet} belong to different networks"),
            ));
        }
        let new_assoc = self.new_id("aclassoc");
        let old = self
            .net
            .network_acls
            .get_mut(&old_acl)
            .expect("found above");
        old.subnet_ids.retain(|s| *s != subnet);
        old.association_ids.remove(&subnet);
        let new = self.net.network_acls.get_mut(&acl_id).expect("checked");
        new.subnet_ids.push(subnet.clone());
        new.association_ids
            .insert(subnet.clone(), new_assoc.clone());
        Ok(format!(
            "moved {subnet} from {old_acl} to {acl_id} (new association {new_assoc})"
        ))
    }

    fn acl_mut(&mut self, id: &str) -> R<&mut NetworkAcl> {
        self.net.network_acls.get_mut(id).ok_or_else(|| {
            err(
                "InvalidNetworkAclID.NotFound",
                "NetworkAclId",
                format!("The networkAcl ID '{id}' does not exist"),
            )
        })
    }

    pub(in crate::change) fn acl_entry(&mut self, spec: &AclEntrySpec, replace: bool) -> R<String> {
        let acl_id = need(&spec.network_acl_id, "NetworkAclId")?.clone();
        let number = *need(&spec.rule_number, "RuleNumber")?;
        let egress = *need(&spec.egress, "Egress")?;
        let proto_text = need(&spec.protocol, "Protocol")?.clone();
        let action_text = need(&spec.rule_action, "RuleAction")?.clone();
        self.acl_mut(&acl_id)?;
        if !(1..=32766).contains(&number) {
            return Err(err(
                "InvalidParameterValue",
                "RuleNumber",
                format!("Invalid value '{number}' for ruleNumber. It must be between 1 and 32766"),
            ));
        }
        let protocol = Protocol::parse(&proto_text).ok_or_else(|| {
            err(
                "InvalidParameterValue",
                "Protocol",
                format!("Invalid value '{proto_text}' for protocol. It must be a protocol number, -1, or tcp/udp/icmp"),
            )
        })?;
        let action = match action_text.as_str() {
            "allow" => RuleAction::Allow,
            "deny" => RuleAction::Deny,
            other => {
                return Err(err(
                    "InvalidParameterValue",
                    "RuleAction",
                    format!("Invalid value '{other}' for ruleAction. It must be allow or deny"),
                ))
            }
        };
        match (&spec.cidr, &spec.ipv6_cidr) {
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "CidrBlock",
                    "The request must contain the parameter CidrBlock or Ipv6CidrBlock",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(err(
                    "InvalidParameterCombination",
                    "Ipv6CidrBlock",
                    "CidrBlock and Ipv6CidrBlock cannot both be specified",
                ))
            }
            (Some(c), None) if c.trunc() != *c => {
                return Err(err(
                    "InvalidParameterValue",
                    "CidrBlock",
                    format!("Value ({c}) for parameter cidrBlock is invalid. This is not a valid CIDR block (did you mean {}?)", c.trunc()),
                ))
            }
            _ => {}
        }
        let mut port_range = None;
        let mut icmp_type_code = None;
        match protocol {
            Protocol::Number(6 | 17) => {
                let (from, to) = need(&spec.port_range, "PortRange")?;
                let from = *need(from, "PortRange.From")?;
                let to = *need(to, "PortRange.To")?;
                if !(0..=65535).contains(&from) || !(0..=65535).contains(&to) || from > to {
                    return Err(err(
                        "InvalidParameterValue",
                        "PortRange",
                        format!("Invalid port range {from}-{to}: ports are 0-65535 and From must not exceed To"),
                    ));
                }
                port_range = Some((from as u16, to as u16));
            }
            Protocol::Number(1) => {
                let (t, c) = need(&spec.icmp_type_code, "IcmpTypeCode")?;
                icmp_type_code = Some((t.unwrap_or(-1) as i32, c.unwrap_or(-1) as i32));
            }
            _ => {}
        }
        let entry = AclEntry {
            rule_number: number as u32,
            egress,
            protocol,
            action,
            cidr: spec.cidr,
            ipv6_cidr: spec.ipv6_cidr.clone(),
            port_range,
            icmp_type_code,
        };
        let dir = if egress { "outbound" } else { "inbound" };
        let acl = self.acl_mut(&acl_id)?;
        let pos = acl
            .entries
            .iter()
            .position(|e| e.egress == egress && e.rule_number == number as u32);
        match (replace, pos) {
            (false, Some(_)) => Err(err(
                "NetworkAclEntryAlreadyExists",
                "RuleNumber",
                format!("The network acl entry identified by {number} already exists ({dir} rules of {acl_id})"),
            )
            .help("use ReplaceNetworkAclEntry to change an existing entry, or pick a free rule number")),
            (true, None) => Err(err(
                "InvalidNetworkAclEntry.NotFound",
                "RuleNumber",
                format!("The network acl entry identified by {number} does not exist ({dir} rules of {acl_id})"),
            )),
            (false, None) => {
                acl.entries.push(entry);
                Ok(format!("created {dir} entry {number} in {acl_id}"))
            }
            (true, Some(p)) => {
                acl.entries[p] = entry;
                Ok(format!("replaced {dir} entry {number} in {acl_id}"))
            }
        }
    }
}
