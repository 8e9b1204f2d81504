//! Route tables: `aws_route_table` (and the default route table) with
//! inline routes, `aws_route` and the route table associations.

use super::*;

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
            kind: OtherTarget::CarrierGateway,
            id: id.into(),
        },
        "local_gateway_id" => RouteTarget::Other {
            kind: OtherTarget::LocalGateway,
            id: id.into(),
        },
        _ => RouteTarget::Other {
            kind: OtherTarget::CoreNetwork,
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

    pub(in crate::plan::translate) fn route_table(
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

    pub(in crate::plan::translate) fn route(
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

    pub(in crate::plan::translate) fn rt_association(
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
}

pub(super) fn local_route(cidr: Ipv4Net) -> Route {
    Route {
        destination: RouteDestination::Cidr(cidr),
        target: RouteTarget::Local,
        origin: RouteOrigin::CreateRouteTable,
        state: RouteState::Active,
    }
}
