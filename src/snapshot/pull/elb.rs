//! The Elastic Load Balancing part of `pull`: aws-sdk-elasticloadbalancingv2
//! (ALB, NLB, GWLB) and aws-sdk-elasticloadbalancing (classic), written in
//! the shapes [`crate::snapshot::elb_shapes`] reads: `aws elbv2` / `aws elb`
//! CLI JSON, with the per-resource calls wrapped with the resource they
//! describe (`LoadBalancerListeners`, `LoadBalancerTargetHealth`,
//! `LoadBalancerAttributes`, `TargetGroupAttributes`).
//!
//! Field order and names are the ELB API models' (as the CLI prints them);
//! listener actions leave out the `authenticate-*` and JWT configurations,
//! which the loader does not read and which carry client secrets.

use aws_sdk_elasticloadbalancing as elb;
use aws_sdk_elasticloadbalancingv2 as elbv2;
use elb::types as ct;
use elbv2::types as t;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::convert::Obj;
use super::{listed, Call, CallError, PageTokens, SubCall, SubResults, TaskOut};

/// DescribeListeners for each elbv2 load balancer (every page), wrapped.
pub const LISTENERS: SubCall = SubCall {
    operation: "DescribeListeners",
    file: "elbv2-load-balancer-listeners.json",
    key: "LoadBalancerListeners",
};
/// DescribeLoadBalancerAttributes for each elbv2 load balancer, wrapped.
pub const LB_ATTRIBUTES: SubCall = SubCall {
    operation: "DescribeLoadBalancerAttributes",
    file: "elbv2-load-balancer-attributes.json",
    key: "LoadBalancerAttributes",
};
/// DescribeTargetHealth for each target group, wrapped.
pub const TARGET_HEALTH: SubCall = SubCall {
    operation: "DescribeTargetHealth",
    file: "elbv2-target-health.json",
    key: "LoadBalancerTargetHealth",
};
/// DescribeTargetGroupAttributes for each target group, wrapped.
pub const TG_ATTRIBUTES: SubCall = SubCall {
    operation: "DescribeTargetGroupAttributes",
    file: "elbv2-target-group-attributes.json",
    key: "TargetGroupAttributes",
};

/// Every ELB operation `pull` makes (their IAM actions are
/// `elasticloadbalancing:*`, for elbv2 and classic alike).
pub const OPERATIONS: [&str; 6] = [
    "DescribeLoadBalancers",
    LISTENERS.operation,
    "DescribeTargetGroups",
    TARGET_HEALTH.operation,
    LB_ATTRIBUTES.operation,
    TG_ATTRIBUTES.operation,
];

/// elbv2 DescribeLoadBalancers, then for each load balancer its listeners
/// and its attributes.
pub(super) async fn load_balancers(
    client: &elbv2::Client,
    sem: &Semaphore,
    region: &str,
) -> TaskOut {
    let mut out = TaskOut::new(region);
    let got = paged!(
        sem,
        client.describe_load_balancers(),
        load_balancers,
        Clone::clone,
        next_marker
    );
    let Some(lbs) = listed(&mut out, Call::LoadBalancers, got, load_balancer) else {
        return out;
    };
    let mut listeners = SubResults::new(LISTENERS, region);
    let mut attributes = SubResults::new(LB_ATTRIBUTES, region);
    for arn in lbs.iter().filter_map(|lb| lb.load_balancer_arn()) {
        if listeners.ok() {
            let got = paged!(
                sem,
                client.describe_listeners().load_balancer_arn(arn),
                listeners,
                listener,
                next_marker
            );
            listeners.add(wrapped("LoadBalancerArn", arn, "Listeners", got));
        }
        if attributes.ok() {
            let got = unpaged!(
                sem,
                client
                    .describe_load_balancer_attributes()
                    .load_balancer_arn(arn),
                attributes,
                |a| attribute(a.key(), a.value())
            );
            attributes.add(wrapped("LoadBalancerArn", arn, "Attributes", got));
        }
    }
    listeners.finish(&mut out);
    attributes.finish(&mut out);
    out
}

/// DescribeTargetGroups, then for each group its targets' health and its
/// attributes.
pub(super) async fn target_groups(
    client: &elbv2::Client,
    sem: &Semaphore,
    region: &str,
) -> TaskOut {
    let mut out = TaskOut::new(region);
    let got = paged!(
        sem,
        client.describe_target_groups(),
        target_groups,
        Clone::clone,
        next_marker
    );
    let Some(groups) = listed(&mut out, Call::TargetGroups, got, target_group) else {
        return out;
    };
    let mut health = SubResults::new(TARGET_HEALTH, region);
    let mut attributes = SubResults::new(TG_ATTRIBUTES, region);
    for arn in groups.iter().filter_map(|g| g.target_group_arn()) {
        if health.ok() {
            let got = unpaged!(
                sem,
                client.describe_target_health().target_group_arn(arn),
                target_health_descriptions,
                target_health_description
            );
            health.add(wrapped(
                "TargetGroupArn",
                arn,
                "TargetHealthDescriptions",
                got,
            ));
        }
        if attributes.ok() {
            let got = unpaged!(
                sem,
                client
                    .describe_target_group_attributes()
                    .target_group_arn(arn),
                attributes,
                |a| attribute(a.key(), a.value())
            );
            attributes.add(wrapped("TargetGroupArn", arn, "Attributes", got));
        }
    }
    health.finish(&mut out);
    attributes.finish(&mut out);
    out
}

/// Classic DescribeLoadBalancers (every page).
pub(super) async fn classic_load_balancers(
    client: &elb::Client,
    sem: &Semaphore,
) -> Result<(Vec<Value>, usize), CallError> {
    paged!(
        sem,
        client.describe_load_balancers(),
        load_balancer_descriptions,
        classic_load_balancer,
        next_marker
    )
}

/// A per-resource call's answer beside the resource it is about (the call's
/// output does not name it): `{id_key: id, member: items}`.
fn wrapped(
    id_key: &str,
    id: &str,
    member: &str,
    got: Result<(Vec<Value>, usize), CallError>,
) -> Result<(Value, usize), CallError> {
    got.map(|(items, n)| (json!({ id_key: id, member: items }), n))
}

fn attribute(key: Option<&str>, value: Option<&str>) -> Value {
    Obj::new().s("Key", key).s("Value", value).done()
}

pub(super) fn load_balancer(x: &t::LoadBalancer) -> Value {
    Obj::new()
        .s("LoadBalancerArn", x.load_balancer_arn.as_deref())
        .s("DNSName", x.dns_name.as_deref())
        .s(
            "CanonicalHostedZoneId",
            x.canonical_hosted_zone_id.as_deref(),
        )
        .t("CreatedTime", x.created_time.as_ref())
        .s("LoadBalancerName", x.load_balancer_name.as_deref())
        .e("Scheme", x.scheme.as_ref())
        .s("VpcId", x.vpc_id.as_deref())
        .o(
            "State",
            x.state.as_ref().map(|s| {
                Obj::new()
                    .e("Code", s.code.as_ref())
                    .s("Reason", s.reason.as_deref())
                    .done()
            }),
        )
        .e("Type", x.r#type.as_ref())
        .l("AvailabilityZones", x.availability_zones.as_ref(), |z| {
            Obj::new()
                .s("ZoneName", z.zone_name.as_deref())
                .s("SubnetId", z.subnet_id.as_deref())
                .s("OutpostId", z.outpost_id.as_deref())
                .l(
                    "LoadBalancerAddresses",
                    z.load_balancer_addresses.as_ref(),
                    |a| {
                        Obj::new()
                            .s("IpAddress", a.ip_address.as_deref())
                            .s("AllocationId", a.allocation_id.as_deref())
                            .s("PrivateIPv4Address", a.private_ipv4_address.as_deref())
                            .s("IPv6Address", a.ipv6_address.as_deref())
                            .done()
                    },
                )
                .strings("SourceNatIpv6Prefixes", z.source_nat_ipv6_prefixes.as_ref())
                .done()
        })
        .strings("SecurityGroups", x.security_groups.as_ref())
        .e("IpAddressType", x.ip_address_type.as_ref())
        .s(
            "CustomerOwnedIpv4Pool",
            x.customer_owned_ipv4_pool.as_deref(),
        )
        .s(
            "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
            x.enforce_security_group_inbound_rules_on_private_link_traffic
                .as_deref(),
        )
        .e(
            "EnablePrefixForIpv6SourceNat",
            x.enable_prefix_for_ipv6_source_nat.as_ref(),
        )
        .o(
            "IpamPools",
            x.ipam_pools.as_ref().map(|p| {
                Obj::new()
                    .s("Ipv4IpamPoolId", p.ipv4_ipam_pool_id.as_deref())
                    .done()
            }),
        )
        .done()
}

fn action(a: &t::Action) -> Value {
    Obj::new()
        .e("Type", a.r#type.as_ref())
        .s("TargetGroupArn", a.target_group_arn.as_deref())
        .i("Order", a.order)
        .o(
            "RedirectConfig",
            a.redirect_config.as_ref().map(|r| {
                Obj::new()
                    .s("Protocol", r.protocol.as_deref())
                    .s("Port", r.port.as_deref())
                    .s("Host", r.host.as_deref())
                    .s("Path", r.path.as_deref())
                    .s("Query", r.query.as_deref())
                    .e("StatusCode", r.status_code.as_ref())
                    .done()
            }),
        )
        .o(
            "FixedResponseConfig",
            a.fixed_response_config.as_ref().map(|f| {
                Obj::new()
                    .s("MessageBody", f.message_body.as_deref())
                    .s("StatusCode", f.status_code.as_deref())
                    .s("ContentType", f.content_type.as_deref())
                    .done()
            }),
        )
        .o(
            "ForwardConfig",
            a.forward_config.as_ref().map(|f| {
                Obj::new()
                    .l("TargetGroups", f.target_groups.as_ref(), |g| {
                        Obj::new()
                            .s("TargetGroupArn", g.target_group_arn.as_deref())
                            .i("Weight", g.weight)
                            .done()
                    })
                    .o(
                        "TargetGroupStickinessConfig",
                        f.target_group_stickiness_config.as_ref().map(|s| {
                            Obj::new()
                                .b("Enabled", s.enabled)
                                .i("DurationSeconds", s.duration_seconds)
                                .done()
                        }),
                    )
                    .done()
            }),
        )
        .done()
}

pub(super) fn listener(x: &t::Listener) -> Value {
    Obj::new()
        .s("ListenerArn", x.listener_arn.as_deref())
        .s("LoadBalancerArn", x.load_balancer_arn.as_deref())
        .i("Port", x.port)
        .e("Protocol", x.protocol.as_ref())
        .l("Certificates", x.certificates.as_ref(), |c| {
            Obj::new()
                .s("CertificateArn", c.certificate_arn.as_deref())
                .b("IsDefault", c.is_default)
                .done()
        })
        .s("SslPolicy", x.ssl_policy.as_deref())
        .l("DefaultActions", x.default_actions.as_ref(), action)
        .strings("AlpnPolicy", x.alpn_policy.as_ref())
        .o(
            "MutualAuthentication",
            x.mutual_authentication.as_ref().map(|m| {
                Obj::new()
                    .s("Mode", m.mode.as_deref())
                    .s("TrustStoreArn", m.trust_store_arn.as_deref())
                    .b(
                        "IgnoreClientCertificateExpiry",
                        m.ignore_client_certificate_expiry,
                    )
                    .e(
                        "TrustStoreAssociationStatus",
                        m.trust_store_association_status.as_ref(),
                    )
                    .e(
                        "AdvertiseTrustStoreCaNames",
                        m.advertise_trust_store_ca_names.as_ref(),
                    )
                    .done()
            }),
        )
        .done()
}

pub(super) fn target_group(x: &t::TargetGroup) -> Value {
    Obj::new()
        .s("TargetGroupArn", x.target_group_arn.as_deref())
        .s("TargetGroupName", x.target_group_name.as_deref())
        .e("Protocol", x.protocol.as_ref())
        .i("Port", x.port)
        .s("VpcId", x.vpc_id.as_deref())
        .e("HealthCheckProtocol", x.health_check_protocol.as_ref())
        .s("HealthCheckPort", x.health_check_port.as_deref())
        .b("HealthCheckEnabled", x.health_check_enabled)
        .i(
            "HealthCheckIntervalSeconds",
            x.health_check_interval_seconds,
        )
        .i("HealthCheckTimeoutSeconds", x.health_check_timeout_seconds)
        .i("HealthyThresholdCount", x.healthy_threshold_count)
        .i("UnhealthyThresholdCount", x.unhealthy_threshold_count)
        .s("HealthCheckPath", x.health_check_path.as_deref())
        .o(
            "Matcher",
            x.matcher.as_ref().map(|m| {
                Obj::new()
                    .s("HttpCode", m.http_code.as_deref())
                    .s("GrpcCode", m.grpc_code.as_deref())
                    .done()
            }),
        )
        .strings("LoadBalancerArns", x.load_balancer_arns.as_ref())
        .e("TargetType", x.target_type.as_ref())
        .s("ProtocolVersion", x.protocol_version.as_deref())
        .e("IpAddressType", x.ip_address_type.as_ref())
        .i("TargetControlPort", x.target_control_port)
        .done()
}

fn target_health_description(x: &t::TargetHealthDescription) -> Value {
    Obj::new()
        .o(
            "Target",
            x.target.as_ref().map(|t| {
                Obj::new()
                    .s("Id", t.id.as_deref())
                    .i("Port", t.port)
                    .s("AvailabilityZone", t.availability_zone.as_deref())
                    .s("QuicServerId", t.quic_server_id.as_deref())
                    .done()
            }),
        )
        .s("HealthCheckPort", x.health_check_port.as_deref())
        .o(
            "TargetHealth",
            x.target_health.as_ref().map(|h| {
                Obj::new()
                    .e("State", h.state.as_ref())
                    .e("Reason", h.reason.as_ref())
                    .s("Description", h.description.as_deref())
                    .done()
            }),
        )
        .o(
            "AnomalyDetection",
            x.anomaly_detection.as_ref().map(|a| {
                Obj::new()
                    .e("Result", a.result.as_ref())
                    .e("MitigationInEffect", a.mitigation_in_effect.as_ref())
                    .done()
            }),
        )
        .o(
            "AdministrativeOverride",
            x.administrative_override.as_ref().map(|a| {
                Obj::new()
                    .e("State", a.state.as_ref())
                    .e("Reason", a.reason.as_ref())
                    .s("Description", a.description.as_deref())
                    .done()
            }),
        )
        .done()
}

pub(super) fn classic_load_balancer(x: &ct::LoadBalancerDescription) -> Value {
    Obj::new()
        .s("LoadBalancerName", x.load_balancer_name.as_deref())
        .s("DNSName", x.dns_name.as_deref())
        .s(
            "CanonicalHostedZoneName",
            x.canonical_hosted_zone_name.as_deref(),
        )
        .s(
            "CanonicalHostedZoneNameID",
            x.canonical_hosted_zone_name_id.as_deref(),
        )
        .l(
            "ListenerDescriptions",
            x.listener_descriptions.as_ref(),
            |d| {
                Obj::new()
                    .o(
                        "Listener",
                        d.listener.as_ref().map(|l| {
                            Obj::new()
                                .s("Protocol", Some(l.protocol.as_str()))
                                .i("LoadBalancerPort", Some(l.load_balancer_port))
                                .s("InstanceProtocol", l.instance_protocol.as_deref())
                                .i("InstancePort", Some(l.instance_port))
                                .s("SSLCertificateId", l.ssl_certificate_id.as_deref())
                                .done()
                        }),
                    )
                    .strings("PolicyNames", d.policy_names.as_ref())
                    .done()
            },
        )
        .o(
            "Policies",
            x.policies.as_ref().map(|p| {
                Obj::new()
                    .l(
                        "AppCookieStickinessPolicies",
                        p.app_cookie_stickiness_policies.as_ref(),
                        |c| {
                            Obj::new()
                                .s("PolicyName", c.policy_name.as_deref())
                                .s("CookieName", c.cookie_name.as_deref())
                                .done()
                        },
                    )
                    .l(
                        "LBCookieStickinessPolicies",
                        p.lb_cookie_stickiness_policies.as_ref(),
                        |c| {
                            Obj::new()
                                .s("PolicyName", c.policy_name.as_deref())
                                .i("CookieExpirationPeriod", c.cookie_expiration_period)
                                .done()
                        },
                    )
                    .strings("OtherPolicies", p.other_policies.as_ref())
                    .done()
            }),
        )
        .l(
            "BackendServerDescriptions",
            x.backend_server_descriptions.as_ref(),
            |b| {
                Obj::new()
                    .i("InstancePort", b.instance_port)
                    .strings("PolicyNames", b.policy_names.as_ref())
                    .done()
            },
        )
        .strings("AvailabilityZones", x.availability_zones.as_ref())
        .strings("Subnets", x.subnets.as_ref())
        .s("VPCId", x.vpc_id.as_deref())
        .l("Instances", x.instances.as_ref(), |i| {
            Obj::new().s("InstanceId", i.instance_id.as_deref()).done()
        })
        .o(
            "HealthCheck",
            x.health_check.as_ref().map(|h| {
                Obj::new()
                    .s("Target", Some(h.target.as_str()))
                    .i("Interval", Some(h.interval))
                    .i("Timeout", Some(h.timeout))
                    .i("UnhealthyThreshold", Some(h.unhealthy_threshold))
                    .i("HealthyThreshold", Some(h.healthy_threshold))
                    .done()
            }),
        )
        .o(
            "SourceSecurityGroup",
            x.source_security_group.as_ref().map(|g| {
                Obj::new()
                    .s("OwnerAlias", g.owner_alias.as_deref())
                    .s("GroupName", g.group_name.as_deref())
                    .done()
            }),
        )
        .strings("SecurityGroups", x.security_groups.as_ref())
        .t("CreatedTime", x.created_time.as_ref())
        .s("Scheme", x.scheme.as_deref())
        .done()
}
