//! Gateways and public addresses: internet gateways, NAT gateways, elastic
//! IPs and VPC peering connections, with the stand-in addresses the plan
//! does not know yet.

use super::*;

impl Translator<'_> {
    pub(in crate::plan::translate) fn internet_gateway(
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
    pub(super) fn stand_in_public(&mut self, rc: &ResourceChange) -> Ipv4Addr {
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
    pub(super) fn stand_in_private(
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

    pub(in crate::plan::translate) fn nat_gateway(
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
        let vpc = self.vpc_of_subnet(rc, &subnet, id)?;
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
                regional: None,
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

    /// The interface an elastic IP (`aws_eip`: `network_interface` /
    /// `instance`) or an association (`aws_eip_association`:
    /// `network_interface_id` / `instance_id`) names on one side of a change;
    /// `Err(attribute)` when it stays unknown or names an instance the
    /// network does not hold.
    fn eip_target(&self, rc: &ResourceChange, side: &Value) -> Result<Option<String>, String> {
        let (eni_key, instance_key) = if rc.kind == "aws_eip" {
            ("network_interface", "instance")
        } else {
            ("network_interface_id", "instance_id")
        };
        if let Some(eni) = self
            .one(rc, side, eni_key)
            .map_err(|_| eni_key.to_string())?
        {
            return Ok(Some(eni));
        }
        let Some(instance) = self
            .one(rc, side, instance_key)
            .map_err(|_| instance_key.to_string())?
        else {
            return Ok(None);
        };
        self.out
            .network
            .instances
            .get(&instance)
            .and_then(|i| i.network_interface_ids.first().cloned())
            .map(Some)
            .ok_or_else(|| instance_key.to_string())
    }

    /// `aws_eip` itself: the address record, replaced by what `after` says
    /// (an update keeps what EC2 knows of an unchanged association).
    fn elastic_ip_record(&mut self, rc: &ResourceChange, adding: bool, eni: Option<&String>) {
        let allocation = rc
            .before
            .get("id")
            .str()
            .map(String::from)
            .unwrap_or_else(|| self.new_id(&rc.address));
        let ips = &mut self.net().elastic_ips;
        let old = ips
            .iter()
            .position(|e| e.allocation_id.as_ref() == Some(&allocation))
            .map(|i| ips.remove(i));
        if !adding {
            return;
        }
        let kept = old.filter(|o| o.network_interface_id.as_ref() == eni);
        let public_ip = match rc.after.get("public_ip").str().and_then(|s| s.parse().ok()) {
            Some(ip) => ip,
            None => match &kept {
                Some(o) => o.public_ip,
                None => self.stand_in_public(rc),
            },
        };
        self.net().elastic_ips.push(ElasticIp {
            public_ip,
            allocation_id: Some(allocation),
            association_id: kept.as_ref().and_then(|o| o.association_id.clone()),
            network_interface_id: eni.cloned(),
            private_ip: kept.and_then(|o| o.private_ip),
        });
    }

    pub(in crate::plan::translate) fn eip(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
    ) -> Option<String> {
        self.each_side(rc, removing, adding, |this, side, removal| {
            let mut said = Vec::new();
            let eni = match this.eip_target(rc, side) {
                Ok(eni) => eni,
                Err(attribute) => {
                    this.unknown(rc, &attribute, Vec::new());
                    return said;
                }
            };
            if rc.kind == "aws_eip" && (!removal || !adding) {
                // Once per change: on the removal side of a delete, else on
                // the side that adds.
                this.elastic_ip_record(rc, !removal, eni.as_ref());
            }
            let Some(eni) = eni else { return said };
            let public_ip = if removal {
                None
            } else {
                let known = side.get("public_ip").str().and_then(|s| s.parse().ok());
                let allocation = if rc.kind == "aws_eip" {
                    rc.before
                        .get("id")
                        .str()
                        .map(String::from)
                        .or_else(|| Some(this.new_id(&rc.address)))
                } else {
                    this.one(rc, side, "allocation_id").ok().flatten()
                };
                let allocated = allocation.and_then(|a| {
                    this.out
                        .network
                        .elastic_ips
                        .iter()
                        .find(|e| e.allocation_id.as_ref() == Some(&a))
                        .map(|e| e.public_ip)
                });
                Some(match known.or(allocated) {
                    Some(ip) => ip,
                    None => this.stand_in_public(rc),
                })
            };
            let Some(e) = this.net().network_interfaces.get_mut(&eni) else {
                this.unknown(rc, "network_interface_id", vec![eni]);
                return said;
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
            said
        })
    }

    pub(in crate::plan::translate) fn peering(
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
}
