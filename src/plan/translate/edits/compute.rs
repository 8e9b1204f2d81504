//! VPCs, subnets and network interfaces: `aws_vpc` with its implicit
//! defaults, `aws_subnet`, ENIs of instances and interfaces, their security
//! group attachments, and which stand-in addresses make answers unknown.

use super::routes::local_route;
use super::security_groups::sg_rule;
use super::*;

impl Translator<'_> {
    pub(in crate::plan::translate) fn vpc(
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
                bpa_mode: None,
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

    pub(in crate::plan::translate) fn subnet(
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

    pub(in crate::plan::translate) fn interface(
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
        let vpc = self.vpc_of_subnet(rc, &subnet, &eni_id)?;
        let groups_key = if instance {
            "vpc_security_group_ids"
        } else {
            "security_groups"
        };
        let groups = match self.many(rc, after, groups_key) {
            // Not configured: the VPC's default group.
            Ok(g) if g.is_empty() && after.get(groups_key).is_unknown() => {
                self.default_group(&vpc).into_iter().collect()
            }
            Ok(g) => g,
            Err(Unknown) => {
                if after.get(groups_key).is_unknown()
                    && !rc.configures(groups_key)
                    && (!instance || after.get("security_groups").list().is_empty())
                {
                    self.default_group(&vpc).into_iter().collect()
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
        // An instance's own interface, an `attachment` block, else what EC2
        // holds now (an attachment resource of its own manages it).
        let attachment = if instance {
            Some(attached(Some(id.to_string()), Some(0)))
        } else if let Some(block) = after.get("attachment").list().first() {
            Some(attached(
                block.get("instance").str().map(String::from),
                block.get("device_index").int(),
            ))
        } else {
            self.out
                .network
                .network_interfaces
                .get(&eni_id)
                .and_then(|e| e.attachment.clone())
        };
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
                status: if attachment.is_some() {
                    EniStatus::InUse
                } else {
                    EniStatus::Available
                },
                private_ips: ips,
                ipv6_addresses: Vec::new(),
                group_ids: groups.clone(),
                source_dest_check,
                attachment,
                tags: BTreeMap::new(),
            },
        );
        Some(format!(
            "{eni_id} {} in {subnet} with groups [{}]",
            if exists { "updated" } else { "created" },
            groups.join(", ")
        ))
    }

    pub(in crate::plan::translate) fn sg_attachment(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        self.each_side(rc, removing, adding, |this, side, removal| {
            let mut said = Vec::new();
            let (Ok(Some(group)), Ok(Some(eni))) = (
                this.one(rc, side, "security_group_id"),
                this.one(rc, side, "network_interface_id"),
            ) else {
                this.unknown(rc, "security_group_id", Vec::new());
                return said;
            };
            let Some(e) = this.net().network_interfaces.get_mut(&eni) else {
                this.unknown(rc, "network_interface_id", vec![eni]);
                return said;
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
            said
        })
    }

    /// `aws_network_interface_attachment`: the interface in use by the
    /// instance, or available again once detached (C10: an interface no
    /// instance holds carries nothing).
    pub(in crate::plan::translate) fn eni_attachment(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        self.each_side(rc, removing, adding, |this, side, removal| {
            let mut said = Vec::new();
            let (Ok(Some(eni)), Ok(instance)) = (
                this.one(rc, side, "network_interface_id"),
                this.one(rc, side, "instance_id"),
            ) else {
                this.unknown(rc, "network_interface_id", Vec::new());
                return said;
            };
            let n = this.net();
            let Some(e) = n.network_interfaces.get_mut(&eni) else {
                this.unknown(rc, "network_interface_id", vec![eni]);
                return said;
            };
            if removal {
                e.attachment = None;
                e.status = EniStatus::Available;
            } else {
                e.attachment = Some(attached(instance.clone(), side.get("device_index").int()));
                e.status = EniStatus::InUse;
            }
            for i in n.instances.values_mut() {
                i.network_interface_ids.retain(|x| *x != eni);
                if !removal && Some(&i.id) == instance.as_ref() {
                    i.network_interface_ids.push(eni.clone());
                }
            }
            said.push(match (removal, instance) {
                (true, _) => format!("{eni} detached"),
                (false, Some(i)) => format!("{eni} attached to {i}"),
                (false, None) => format!("{eni} attached"),
            });
            said
        })
    }

    /// A stand-in private address matters when a rule or route names part
    /// of its subnet: then answers through that ENI are unknown.
    pub(in crate::plan::translate) fn address_sensitive_placeholders(&mut self) {
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

fn attached(instance_id: Option<String>, device_index: Option<i64>) -> EniAttachment {
    EniAttachment {
        instance_id,
        device_index: device_index.map(|d| d as i32),
        status: EniAttachmentStatus::Attached,
    }
}
