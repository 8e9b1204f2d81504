//! Route table calls: Create/Replace/DeleteRoute (with the target checks
//! EC2 makes per target kind) and the subnet, gateway and main
//! associations of route tables.

use crate::change::{assoc_help, attached, err, need, RouteSpec, State, R};
use crate::model::*;

impl State {
    pub(in crate::change) fn associate_route_table(
        &mut self,
        route_table_id: &Option<String>,
        subnet_id: &Option<String>,
        gateway_id: &Option<String>,
    ) -> R<String> {
        let rtb = need(route_table_id, "RouteTableId")?.clone();
        let vpc = self.rtb_mut(&rtb)?.vpc_id.clone();
        let (field, target) = match (subnet_id, gateway_id) {
            (Some(s), None) => ("SubnetId", s.clone()),
            (None, Some(g)) => ("GatewayId", g.clone()),
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "",
                    "The request must contain the parameter SubnetId or GatewayId",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(err(
                    "InvalidParameterCombination",
                    "GatewayId",
                    "SubnetId and GatewayId cannot both be specified",
                ))
            }
        };
        if field == "SubnetId" {
            let subnet = self.net.subnets.get(&target).ok_or_else(|| {
                err(
                    "InvalidSubnetID.NotFound",
                    field,
                    format!("The subnet ID '{target}' does not exist"),
                )
            })?;
            if subnet.vpc_id != vpc {
                return Err(err(
                    "InvalidParameterValue",
                    field,
                    format!("Route table {rtb} and subnet {target} belong to different networks"),
                ));
            }
        } else if target.starts_with("igw-") {
            self.igw(&target, field)?;
        } else if !target.starts_with("vgw-") {
            return Err(err(
                "InvalidParameterValue",
                field,
                format!("Invalid value '{target}' for GatewayId: only an internet gateway or a virtual private gateway can have an edge association"),
            ));
        }
        if let Some(other) = self
            .net
            .route_tables
            .values()
            .find(|t| t.subnet_ids.contains(&target) || t.gateway_ids.contains(&target))
        {
            let existing = other
                .association_ids
                .get(&target)
                .cloned()
                .unwrap_or_else(|| "an association".into());
            return Err(err(
                "Resource.AlreadyAssociated",
                field,
                format!(
                    "the specified association for route table {} conflicts with an existing association ({existing}) for {target}",
                    other.id
                ),
            )
            .help("use ReplaceRouteTableAssociation with the existing association id to move it"));
        }
        let assoc = self.new_id("rtbassoc");
        let t = self.net.route_tables.get_mut(&rtb).expect("checked");
        if field == "SubnetId" {
            t.subnet_ids.push(target.clone());
        } else {
            t.gateway_ids.push(target.clone());
        }
        t.association_ids.insert(target.clone(), assoc.clone());
        Ok(format!("associated {target} with {rtb} ({assoc})"))
    }

    pub(in crate::change) fn disassociate_route_table(
        &mut self,
        association_id: &Option<String>,
    ) -> R<String> {
        let assoc = need(association_id, "AssociationId")?.clone();
        let (rtb, target, main) = self.find_rtb_assoc(&assoc)?;
        if main {
            return Err(err(
                "InvalidParameterValue",
                "AssociationId",
                format!("{assoc} is the main route table association of {rtb}; it cannot be disassociated"),
            )
            .help("make another table the main table with ReplaceRouteTableAssociation"));
        }
        let t = self.net.route_tables.get_mut(&rtb).expect("found");
        t.subnet_ids.retain(|s| *s != target);
        t.gateway_ids.retain(|s| *s != target);
        t.association_ids.remove(&target);
        Ok(format!(
            "disassociated {target} from {rtb}{}",
            if target.starts_with("subnet-") {
                " (it now uses the main route table)"
            } else {
                ""
            }
        ))
    }

    pub(in crate::change) fn replace_route_table_association(
        &mut self,
        association_id: &Option<String>,
        route_table_id: &Option<String>,
    ) -> R<String> {
        let assoc = need(association_id, "AssociationId")?.clone();
        let rtb = need(route_table_id, "RouteTableId")?.clone();
        let (old, target, main) = self.find_rtb_assoc(&assoc)?;
        let new_vpc = self.rtb_mut(&rtb)?.vpc_id.clone();
        let old_vpc = self.net.route_tables[&old].vpc_id.clone();
        if new_vpc != old_vpc {
            return Err(err(
                "InvalidParameterValue",
                "RouteTableId",
                format!("Route table {rtb} belongs to {new_vpc}, not {old_vpc}"),
            ));
        }
        let new_assoc = self.new_id("rtbassoc");
        if main {
            let o = self.net.route_tables.get_mut(&old).expect("found");
            o.is_main = false;
            o.main_association_id = None;
            let n = self.net.route_tables.get_mut(&rtb).expect("checked");
            n.is_main = true;
            n.main_association_id = Some(new_assoc.clone());
            return Ok(format!(
                "made {rtb} the main route table of {new_vpc} instead of {old} ({new_assoc})"
            ));
        }
        let o = self.net.route_tables.get_mut(&old).expect("found");
        let gateway = o.gateway_ids.contains(&target);
        o.subnet_ids.retain(|s| *s != target);
        o.gateway_ids.retain(|s| *s != target);
        o.association_ids.remove(&target);
        let n = self.net.route_tables.get_mut(&rtb).expect("checked");
        if gateway {
            n.gateway_ids.push(target.clone());
        } else {
            n.subnet_ids.push(target.clone());
        }
        n.association_ids.insert(target.clone(), new_assoc.clone());
        Ok(format!("moved {target} from {old} to {rtb} ({new_assoc})"))
    }

    fn rtb_mut(&mut self, id: &str) -> R<&mut RouteTable> {
        self.net.route_tables.get_mut(id).ok_or_else(|| {
            err(
                "InvalidRouteTableID.NotFound",
                "RouteTableId",
                format!("The routeTable ID '{id}' does not exist"),
            )
        })
    }

    /// (route table, associated subnet or gateway, is the main association).
    fn find_rtb_assoc(&self, assoc: &str) -> R<(String, String, bool)> {
        for t in self.net.route_tables.values() {
            if t.main_association_id.as_deref() == Some(assoc) {
                return Ok((t.id.clone(), String::new(), true));
            }
            if let Some((target, _)) = t.association_ids.iter().find(|(_, id)| *id == assoc) {
                return Ok((t.id.clone(), target.clone(), false));
            }
        }
        Err(err(
            "InvalidAssociationID.NotFound",
            "AssociationId",
            format!("The association ID '{assoc}' does not exist"),
        )
        .help(assoc_help(
            "RouteTables[].Associations[].RouteTableAssociationId",
        )))
    }

    pub(in crate::change) fn route(&mut self, spec: &RouteSpec, op: RouteOp) -> R<String> {
        let rtb = need(&spec.route_table_id, "RouteTableId")?.clone();
        let vpc = self.rtb_mut(&rtb)?.vpc_id.clone();
        let dests = spec.destination_cidr.is_some() as usize
            + spec.destination_ipv6_cidr.is_some() as usize
            + spec.destination_prefix_list.is_some() as usize;
        if dests == 0 {
            return Err(err(
                "MissingParameter",
                "DestinationCidrBlock",
                "The request must contain exactly one of DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId",
            ));
        }
        if dests > 1 {
            return Err(err(
                "InvalidParameterCombination",
                "DestinationCidrBlock",
                "Only one of DestinationCidrBlock, DestinationIpv6CidrBlock or DestinationPrefixListId may be given",
            ));
        }
        let (dest_field, destination) = if let Some(c) = spec.destination_cidr {
            if c.trunc() != c {
                return Err(err(
                    "InvalidParameterValue",
                    "DestinationCidrBlock",
                    format!("Value ({c}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block (did you mean {}?)", c.trunc()),
                ));
            }
            ("DestinationCidrBlock", RouteDestination::Cidr(c))
        } else if let Some(pl) = &spec.destination_prefix_list {
            (
                "DestinationPrefixListId",
                RouteDestination::PrefixList(pl.clone()),
            )
        } else {
            (
                "DestinationIpv6CidrBlock",
                RouteDestination::Ipv6(spec.destination_ipv6_cidr.clone().unwrap_or_default()),
            )
        };
        let table = &self.net.route_tables[&rtb];
        let pos = table
            .routes
            .iter()
            .position(|r| r.destination == destination);
        let dest_text = dest_text(&destination);
        if op != RouteOp::Create {
            let Some(p) = pos else {
                return Err(err(
                    "InvalidRoute.NotFound",
                    dest_field,
                    format!("no route with destination {dest_text} in route table {rtb}"),
                ));
            };
            if table.routes[p].target == RouteTarget::Local && op == RouteOp::Delete {
                return Err(err(
                    "InvalidParameterValue",
                    dest_field,
                    format!("cannot remove local route {dest_text} in route table {rtb}"),
                ));
            }
        } else if pos.is_some() {
            return Err(err(
                "RouteAlreadyExists",
                dest_field,
                format!("The route identified by {dest_text} already exists in {rtb}"),
            )
            .help("use ReplaceRoute to change the target of an existing route"));
        }
        if op == RouteOp::Delete {
            let t = self.net.route_tables.get_mut(&rtb).expect("checked");
            let old = t.routes.remove(pos.expect("checked"));
            return Ok(format!(
                "deleted route {dest_text} → {} from {rtb}",
                old.target.id()
            ));
        }
        let target = if spec.local_target {
            if !spec.targets.is_empty() {
                return Err(err(
                    "InvalidParameterCombination",
                    spec.targets[0].0,
                    "LocalTarget cannot be combined with another target",
                ));
            }
            RouteTarget::Local
        } else {
            match spec.targets.as_slice() {
                [] => {
                    return Err(err(
                        "MissingParameter",
                        "",
                        "The request must contain a target: GatewayId, NatGatewayId, VpcPeeringConnectionId, NetworkInterfaceId, InstanceId, TransitGatewayId, …",
                    ))
                }
                [(field, id)] => self.route_target(field, id, &vpc)?,
                [_, (field, _), ..] => {
                    return Err(err(
                        "InvalidParameterCombination",
                        field,
                        "More than one target specified; a route has exactly one target",
                    ))
                }
            }
        };
        let route = Route {
            destination,
            target,
            origin: RouteOrigin::CreateRoute,
            state: RouteState::Active,
        };
        let text = format!("{dest_text} → {}", route.target.id());
        let t = self.net.route_tables.get_mut(&rtb).expect("checked");
        match pos {
            Some(p) => {
                let old = std::mem::replace(&mut t.routes[p], route);
                Ok(format!(
                    "replaced route {dest_text} in {rtb}: {} → {}",
                    old.target.id(),
                    t.routes[p].target.id()
                ))
            }
            None => {
                t.routes.push(route);
                Ok(format!("created route {text} in {rtb}"))
            }
        }
    }

    fn route_target(&self, field: &'static str, id: &str, vpc: &str) -> R<RouteTarget> {
        let not_found = |code: &'static str, what: &str| {
            err(code, field, format!("The {what} ID '{id}' does not exist"))
        };
        let different = |what: &str, other: &str| {
            err(
                "InvalidParameterValue",
                field,
                format!(
                    "route table and {what} {id} belong to different networks ({vpc} and {other})"
                ),
            )
        };
        Ok(match field {
            "GatewayId" => match id.split('-').next().unwrap_or("") {
                "igw" => {
                    let g = self
                        .net
                        .internet_gateways
                        .get(id)
                        .ok_or_else(|| not_found("InvalidGatewayID.NotFound", "gateway"))?;
                    if let Some((v, _)) =
                        g.attachments.iter().find(|(v, s)| v != vpc && attached(s))
                    {
                        return Err(different("internet gateway", v));
                    }
                    if !g.attachments.iter().any(|(v, s)| v == vpc && attached(s)) {
                        return Err(err(
                            "Gateway.NotAttached",
                            field,
                            format!("Internet gateway {id} is not attached to {vpc}"),
                        ));
                    }
                    RouteTarget::InternetGateway(id.into())
                }
                "local" => RouteTarget::Local,
                "vgw" => RouteTarget::VpnGateway(id.into()),
                "vpce" => RouteTarget::VpcEndpoint(id.into()),
                _ => {
                    return Err(err(
                        "InvalidGatewayID.NotFound",
                        field,
                        format!("The gateway ID '{id}' does not exist"),
                    ))
                }
            },
            "NatGatewayId" => {
                let n = self
                    .net
                    .nat_gateways
                    .get(id)
                    .ok_or_else(|| not_found("NatGatewayNotFound", "NAT gateway"))?;
                if n.vpc_id != vpc {
                    return Err(different("NAT gateway", &n.vpc_id));
                }
                RouteTarget::NatGateway(id.into())
            }
            "VpcPeeringConnectionId" => {
                let p = self.net.peerings.get(id).ok_or_else(|| {
                    not_found(
                        "InvalidVpcPeeringConnectionID.NotFound",
                        "vpcPeeringConnection",
                    )
                })?;
                if p.peer_of(vpc).is_none() {
                    return Err(err(
                        "InvalidParameterValue",
                        field,
                        format!("peering connection {id} does not involve {vpc}"),
                    ));
                }
                RouteTarget::VpcPeering(id.into())
            }
            "NetworkInterfaceId" => {
                let e = self.net.network_interfaces.get(id).ok_or_else(|| {
                    not_found("InvalidNetworkInterfaceID.NotFound", "networkInterface")
                })?;
                if e.vpc_id != vpc {
                    return Err(different("network interface", &e.vpc_id));
                }
                RouteTarget::NetworkInterface(id.into())
            }
            "InstanceId" => {
                let i = self
                    .net
                    .instances
                    .get(id)
                    .ok_or_else(|| not_found("InvalidInstanceID.NotFound", "instance"))?;
                // Like describe-route-tables, deliver to the primary ENI.
                match i.network_interface_ids.first() {
                    Some(eni) => RouteTarget::NetworkInterface(eni.clone()),
                    None => RouteTarget::Instance(id.into()),
                }
            }
            "TransitGatewayId" => RouteTarget::TransitGateway(id.into()),
            "EgressOnlyInternetGatewayId" => RouteTarget::EgressOnlyInternetGateway(id.into()),
            "VpcEndpointId" => RouteTarget::VpcEndpoint(id.into()),
            "CarrierGatewayId" => RouteTarget::Other {
                kind: OtherTarget::CarrierGateway,
                id: id.into(),
            },
            "LocalGatewayId" => RouteTarget::Other {
                kind: OtherTarget::LocalGateway,
                id: id.into(),
            },
            _ => RouteTarget::Other {
                kind: OtherTarget::CoreNetwork,
                id: id.into(),
            },
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(in crate::change) enum RouteOp {
    Create,
    Replace,
    Delete,
}

pub fn dest_text(d: &RouteDestination) -> String {
    match d {
        RouteDestination::Cidr(c) => c.to_string(),
        RouteDestination::PrefixList(p) => p.clone(),
        RouteDestination::Ipv6(v) => v.clone(),
    }
}
