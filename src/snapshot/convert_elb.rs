//! ELB shapes → model (C9), with warnings for references the snapshot
//! cannot resolve (a listener of an unknown load balancer, a target group
//! without `describe-target-health`).

use std::collections::BTreeMap;

use super::convert::warn;
use super::elb_shapes as s;
use super::load::RawSnapshot;
use super::Warning;
use crate::model::*;

fn attrs(list: &[s::Attribute]) -> BTreeMap<String, String> {
    list.iter()
        .map(|a| (a.key.clone(), a.value.clone()))
        .collect()
}

pub(super) fn convert(raw: &RawSnapshot, net: &mut Network, warnings: &mut Vec<Warning>) {
    let elb = &raw.elb;
    for (lb, origin) in &elb.load_balancers {
        let kind = match lb.kind.as_str() {
            "application" => LbKind::Application,
            "network" => LbKind::Network,
            "gateway" => LbKind::Gateway,
            other => {
                warn(
                    warnings,
                    origin,
                    "Type",
                    format!(
                        "load balancer type `{other}` is unknown; {} is ignored",
                        lb.load_balancer_arn
                    ),
                );
                continue;
            }
        };
        let zones = lb
            .availability_zones
            .iter()
            .map(|z| LbZone {
                zone: z.zone_name.clone(),
                subnet_id: z.subnet_id.clone(),
                private_ip: z
                    .load_balancer_addresses
                    .iter()
                    .find_map(|a| a.private_ipv4_address),
                public_ip: z.load_balancer_addresses.iter().find_map(|a| a.ip_address),
            })
            .collect();
        net.load_balancers.insert(
            lb.load_balancer_arn.clone(),
            LoadBalancer {
                id: lb.load_balancer_arn.clone(),
                name: lb.load_balancer_name.clone(),
                kind,
                internet_facing: lb.scheme == "internet-facing",
                vpc_id: lb.vpc_id.clone(),
                state: LbState::parse(lb.state.as_ref().map_or("active", |s| s.code.as_str())),
                dns_name: lb.dns_name.clone(),
                zones,
                security_groups: lb.security_groups.clone(),
                listeners: Vec::new(),
                attributes: None,
                classic_instances: Vec::new(),
            },
        );
    }
    for (l, origin) in &elb.listeners {
        let Some(lb) = net.load_balancers.get_mut(&l.load_balancer_arn) else {
            warn(warnings, origin, "LoadBalancerArn", format!("listener {} belongs to load balancer {}, which is not in the snapshot (describe-load-balancers); it is ignored", l.listener_arn, l.load_balancer_arn));
            continue;
        };
        let forward = l.default_actions.iter().find(|a| a.kind == "forward");
        let action = match forward {
            Some(a) => {
                // A weight of 0 sends the group nothing.
                let weighted: Vec<&s::WeightedTargetGroup> = a
                    .forward_config
                    .iter()
                    .flat_map(|f| f.target_groups.iter())
                    .collect();
                let mut groups: Vec<String> = weighted
                    .iter()
                    .filter(|g| g.weight != Some(0))
                    .map(|g| g.target_group_arn.clone())
                    .collect();
                if let Some(tg) = &a.target_group_arn {
                    if !weighted.iter().any(|g| g.target_group_arn == *tg) {
                        groups.insert(0, tg.clone());
                    }
                }
                LbAction::Forward(groups)
            }
            None => LbAction::Other(
                l.default_actions
                    .last()
                    .map(|a| a.kind.clone())
                    .unwrap_or_else(|| "none".into()),
            ),
        };
        lb.listeners.push(LbListener {
            id: l.listener_arn.clone(),
            protocol: l.protocol.clone(),
            port: l.port,
            action,
        });
    }
    for (a, origin) in &elb.lb_attributes {
        match net.load_balancers.get_mut(&a.load_balancer_arn) {
            Some(lb) => lb.attributes = Some(attrs(&a.attributes)),
            None => warn(
                warnings,
                origin,
                "LoadBalancerArn",
                format!(
                    "attributes of load balancer {}, which is not in the snapshot; ignored",
                    a.load_balancer_arn
                ),
            ),
        }
    }
    for (tg, _) in &elb.target_groups {
        net.target_groups.insert(
            tg.target_group_arn.clone(),
            TargetGroup {
                arn: tg.target_group_arn.clone(),
                name: tg.target_group_name.clone(),
                protocol: tg.protocol.clone(),
                port: tg.port,
                vpc_id: tg.vpc_id.clone(),
                target_type: tg.target_type.clone(),
                load_balancer_arns: tg.load_balancer_arns.clone(),
                targets: None,
                attributes: None,
            },
        );
    }
    for (h, origin) in &elb.target_health {
        let Some(tg) = net.target_groups.get_mut(&h.target_group_arn) else {
            warn(warnings, origin, "TargetGroupArn", format!("target health of {}, which is not in the snapshot (describe-target-groups); ignored", h.target_group_arn));
            continue;
        };
        let targets = tg.targets.get_or_insert_with(Vec::new);
        for d in &h.target_health_descriptions {
            targets.push(LbTarget {
                id: d.target.id.clone(),
                port: d.target.port.or(tg.port),
                availability_zone: d.target.availability_zone.clone(),
                health: d.target_health.as_ref().map(|t| t.state.clone()),
            });
        }
    }
    for (a, origin) in &elb.tg_attributes {
        match net.target_groups.get_mut(&a.target_group_arn) {
            Some(tg) => tg.attributes = Some(attrs(&a.attributes)),
            None => warn(
                warnings,
                origin,
                "TargetGroupArn",
                format!(
                    "attributes of target group {}, which is not in the snapshot; ignored",
                    a.target_group_arn
                ),
            ),
        }
    }
    for (c, origin) in &elb.classic {
        let Some(vpc_id) = c.vpc_id.clone() else {
            warn(
                warnings,
                origin,
                "VPCId",
                format!(
                    "classic load balancer {} is not in a VPC (EC2-Classic); ignored",
                    c.load_balancer_name
                ),
            );
            continue;
        };
        // A classic LB's AZ is that of its subnet; the CLI lists both.
        let zones = c
            .subnets
            .iter()
            .map(|sn| LbZone {
                zone: net
                    .subnets
                    .get(sn)
                    .and_then(|x| x.availability_zone.clone())
                    .unwrap_or_default(),
                subnet_id: sn.clone(),
                private_ip: None,
                public_ip: None,
            })
            .collect();
        let listeners = c
            .listener_descriptions
            .iter()
            .map(|d| LbListener {
                id: format!("{}:{}", c.load_balancer_name, d.listener.load_balancer_port),
                protocol: Some(d.listener.protocol.clone()),
                port: Some(d.listener.load_balancer_port),
                action: LbAction::Instances {
                    protocol: d
                        .listener
                        .instance_protocol
                        .clone()
                        .unwrap_or_else(|| d.listener.protocol.clone()),
                    port: d.listener.instance_port,
                },
            })
            .collect();
        net.load_balancers.insert(
            c.load_balancer_name.clone(),
            LoadBalancer {
                id: c.load_balancer_name.clone(),
                name: c.load_balancer_name.clone(),
                kind: LbKind::Classic,
                internet_facing: c.scheme == "internet-facing",
                vpc_id,
                state: LbState::Active,
                dns_name: c.dns_name.clone(),
                zones,
                security_groups: c.security_groups.clone(),
                listeners,
                attributes: None,
                classic_instances: c.instances.iter().map(|i| i.instance_id.clone()).collect(),
            },
        );
    }
}
