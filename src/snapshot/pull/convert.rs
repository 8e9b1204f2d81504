//! aws-sdk-ec2 types → the JSON the AWS CLI prints for the same call.
//!
//! The SDK's types do not implement `Serialize`, so each resource is written
//! out here by hand, field by field, with the EC2 API's member names
//! (PascalCase, e.g. `TagSet` on ENIs but `Tags` elsewhere) and the CLI's
//! nesting. A field the API did not return is omitted, as the CLI omits it; a
//! list the API returned empty is written empty. Every field that
//! [`crate::snapshot::shapes`] reads is here, plus tags, states, owners and
//! the other descriptive fields a person diffing two snapshots wants to see.
//! Credentials never pass through this module: only describe-* outputs do.

use aws_sdk_ec2::primitives::DateTime;
use aws_sdk_ec2::types as t;
use serde_json::{Map, Value};

/// A JSON object under construction; `None` values are skipped.
#[derive(Default)]
pub(super) struct Obj(Map<String, Value>);

impl Obj {
    pub(super) fn new() -> Self {
        Self::default()
    }
    pub(super) fn s(mut self, key: &str, v: Option<&str>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::String(v.into()));
        }
        self
    }
    /// An SDK enum, written as its wire value.
    pub(super) fn e<E: AsRef<str>>(self, key: &str, v: Option<&E>) -> Self {
        self.s(key, v.map(|e| e.as_ref()))
    }
    pub(super) fn b(mut self, key: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::Bool(v));
        }
        self
    }
    pub(super) fn i(mut self, key: &str, v: Option<impl Into<i64>>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::from(v.into()));
        }
        self
    }
    /// A timestamp, in the ISO 8601 form the CLI prints.
    pub(super) fn t(self, key: &str, v: Option<&DateTime>) -> Self {
        self.s(key, v.map(cli_time).as_deref())
    }
    pub(super) fn o(mut self, key: &str, v: Option<Value>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), v);
        }
        self
    }
    /// A list: written when the API returned it (even empty), else omitted.
    pub(super) fn l<T>(mut self, key: &str, v: Option<&Vec<T>>, f: impl Fn(&T) -> Value) -> Self {
        if let Some(v) = v {
            self.0
                .insert(key.into(), Value::Array(v.iter().map(f).collect()));
        }
        self
    }
    pub(super) fn strings(self, key: &str, v: Option<&Vec<String>>) -> Self {
        self.l(key, v, |s| Value::String(s.clone()))
    }
    pub(super) fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// A timestamp as AWS CLI v2 prints it (Python's `isoformat`):
/// `2023-11-14T22:13:20+00:00`, microseconds only when there are some.
pub fn cli_time(d: &DateTime) -> String {
    let whole = DateTime::from_secs(d.secs())
        .fmt(aws_sdk_ec2::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default();
    let micros = d.subsec_nanos() / 1000;
    let base = whole.trim_end_matches('Z');
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

fn tag(x: &t::Tag) -> Value {
    Obj::new()
        .s("Key", x.key.as_deref())
        .s("Value", x.value.as_deref())
        .done()
}

fn group_identifier(x: &t::GroupIdentifier) -> Value {
    Obj::new()
        .s("GroupId", x.group_id.as_deref())
        .s("GroupName", x.group_name.as_deref())
        .done()
}

pub fn vpc(x: &t::Vpc) -> Value {
    Obj::new()
        .s("OwnerId", x.owner_id.as_deref())
        .e("InstanceTenancy", x.instance_tenancy.as_ref())
        .l(
            "Ipv6CidrBlockAssociationSet",
            x.ipv6_cidr_block_association_set.as_ref(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id.as_deref())
                    .s("Ipv6CidrBlock", a.ipv6_cidr_block.as_deref())
                    .o(
                        "Ipv6CidrBlockState",
                        a.ipv6_cidr_block_state.as_ref().map(|s| {
                            Obj::new()
                                .e("State", s.state.as_ref())
                                .s("StatusMessage", s.status_message.as_deref())
                                .done()
                        }),
                    )
                    .s("NetworkBorderGroup", a.network_border_group.as_deref())
                    .s("Ipv6Pool", a.ipv6_pool.as_deref())
                    .done()
            },
        )
        .l(
            "CidrBlockAssociationSet",
            x.cidr_block_association_set.as_ref(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id.as_deref())
                    .s("CidrBlock", a.cidr_block.as_deref())
                    .o(
                        "CidrBlockState",
                        a.cidr_block_state.as_ref().map(|s| {
                            Obj::new()
                                .e("State", s.state.as_ref())
                                .s("StatusMessage", s.status_message.as_deref())
                                .done()
                        }),
                    )
                    .done()
            },
        )
        .b("IsDefault", x.is_default)
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .e("State", x.state.as_ref())
        .s("CidrBlock", x.cidr_block.as_deref())
        .s("DhcpOptionsId", x.dhcp_options_id.as_deref())
        .done()
}

pub fn subnet(x: &t::Subnet) -> Value {
    Obj::new()
        .s("AvailabilityZoneId", x.availability_zone_id.as_deref())
        .b(
            "MapCustomerOwnedIpOnLaunch",
            x.map_customer_owned_ip_on_launch,
        )
        .s("OwnerId", x.owner_id.as_deref())
        .b(
            "AssignIpv6AddressOnCreation",
            x.assign_ipv6_address_on_creation,
        )
        .l(
            "Ipv6CidrBlockAssociationSet",
            x.ipv6_cidr_block_association_set.as_ref(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id.as_deref())
                    .s("Ipv6CidrBlock", a.ipv6_cidr_block.as_deref())
                    .o(
                        "Ipv6CidrBlockState",
                        a.ipv6_cidr_block_state.as_ref().map(|s| {
                            Obj::new()
                                .e("State", s.state.as_ref())
                                .s("StatusMessage", s.status_message.as_deref())
                                .done()
                        }),
                    )
                    .done()
            },
        )
        .l("Tags", x.tags.as_ref(), tag)
        .s("SubnetArn", x.subnet_arn.as_deref())
        .s("OutpostArn", x.outpost_arn.as_deref())
        .b("EnableDns64", x.enable_dns64)
        .b("Ipv6Native", x.ipv6_native)
        .s("SubnetId", x.subnet_id.as_deref())
        .e("State", x.state.as_ref())
        .s("VpcId", x.vpc_id.as_deref())
        .s("CidrBlock", x.cidr_block.as_deref())
        .i("AvailableIpAddressCount", x.available_ip_address_count)
        .s("AvailabilityZone", x.availability_zone.as_deref())
        .b("DefaultForAz", x.default_for_az)
        .b("MapPublicIpOnLaunch", x.map_public_ip_on_launch)
        .done()
}

fn route(r: &t::Route) -> Value {
    Obj::new()
        .s("DestinationCidrBlock", r.destination_cidr_block.as_deref())
        .s(
            "DestinationIpv6CidrBlock",
            r.destination_ipv6_cidr_block.as_deref(),
        )
        .s(
            "DestinationPrefixListId",
            r.destination_prefix_list_id.as_deref(),
        )
        .s(
            "EgressOnlyInternetGatewayId",
            r.egress_only_internet_gateway_id.as_deref(),
        )
        .s("GatewayId", r.gateway_id.as_deref())
        .s("InstanceId", r.instance_id.as_deref())
        .s("InstanceOwnerId", r.instance_owner_id.as_deref())
        .s("NatGatewayId", r.nat_gateway_id.as_deref())
        .s("TransitGatewayId", r.transit_gateway_id.as_deref())
        .s("LocalGatewayId", r.local_gateway_id.as_deref())
        .s("CarrierGatewayId", r.carrier_gateway_id.as_deref())
        .s("NetworkInterfaceId", r.network_interface_id.as_deref())
        .e("Origin", r.origin.as_ref())
        .e("State", r.state.as_ref())
        .s(
            "VpcPeeringConnectionId",
            r.vpc_peering_connection_id.as_deref(),
        )
        .s("CoreNetworkArn", r.core_network_arn.as_deref())
        .done()
}

pub fn route_table(x: &t::RouteTable) -> Value {
    Obj::new()
        .l("Associations", x.associations.as_ref(), |a| {
            Obj::new()
                .b("Main", a.main)
                .s(
                    "RouteTableAssociationId",
                    a.route_table_association_id.as_deref(),
                )
                .s("RouteTableId", a.route_table_id.as_deref())
                .s("SubnetId", a.subnet_id.as_deref())
                .s("GatewayId", a.gateway_id.as_deref())
                .o(
                    "AssociationState",
                    a.association_state.as_ref().map(|s| {
                        Obj::new()
                            .e("State", s.state.as_ref())
                            .s("StatusMessage", s.status_message.as_deref())
                            .done()
                    }),
                )
                .done()
        })
        .l("PropagatingVgws", x.propagating_vgws.as_ref(), |g| {
            Obj::new().s("GatewayId", g.gateway_id.as_deref()).done()
        })
        .s("RouteTableId", x.route_table_id.as_deref())
        .l("Routes", x.routes.as_ref(), route)
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .done()
}

pub fn network_acl(x: &t::NetworkAcl) -> Value {
    Obj::new()
        .l("Associations", x.associations.as_ref(), |a| {
            Obj::new()
                .s(
                    "NetworkAclAssociationId",
                    a.network_acl_association_id.as_deref(),
                )
                .s("NetworkAclId", a.network_acl_id.as_deref())
                .s("SubnetId", a.subnet_id.as_deref())
                .done()
        })
        .l("Entries", x.entries.as_ref(), |e| {
            Obj::new()
                .s("CidrBlock", e.cidr_block.as_deref())
                .b("Egress", e.egress)
                .o(
                    "IcmpTypeCode",
                    e.icmp_type_code
                        .as_ref()
                        .map(|c| Obj::new().i("Code", c.code).i("Type", c.r#type).done()),
                )
                .s("Ipv6CidrBlock", e.ipv6_cidr_block.as_deref())
                .o(
                    "PortRange",
                    e.port_range
                        .as_ref()
                        .map(|p| Obj::new().i("From", p.from).i("To", p.to).done()),
                )
                .s("Protocol", e.protocol.as_deref())
                .e("RuleAction", e.rule_action.as_ref())
                .i("RuleNumber", e.rule_number)
                .done()
        })
        .b("IsDefault", x.is_default)
        .s("NetworkAclId", x.network_acl_id.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .done()
}

fn ip_permission(p: &t::IpPermission) -> Value {
    Obj::new()
        .i("FromPort", p.from_port)
        .s("IpProtocol", p.ip_protocol.as_deref())
        .l("IpRanges", p.ip_ranges.as_ref(), |r| {
            Obj::new()
                .s("CidrIp", r.cidr_ip.as_deref())
                .s("Description", r.description.as_deref())
                .done()
        })
        .l("Ipv6Ranges", p.ipv6_ranges.as_ref(), |r| {
            Obj::new()
                .s("CidrIpv6", r.cidr_ipv6.as_deref())
                .s("Description", r.description.as_deref())
                .done()
        })
        .l("PrefixListIds", p.prefix_list_ids.as_ref(), |r| {
            Obj::new()
                .s("Description", r.description.as_deref())
                .s("PrefixListId", r.prefix_list_id.as_deref())
                .done()
        })
        .i("ToPort", p.to_port)
        .l("UserIdGroupPairs", p.user_id_group_pairs.as_ref(), |g| {
            Obj::new()
                .s("Description", g.description.as_deref())
                .s("GroupId", g.group_id.as_deref())
                .s("GroupName", g.group_name.as_deref())
                .s("PeeringStatus", g.peering_status.as_deref())
                .s("UserId", g.user_id.as_deref())
                .s("VpcId", g.vpc_id.as_deref())
                .s(
                    "VpcPeeringConnectionId",
                    g.vpc_peering_connection_id.as_deref(),
                )
                .done()
        })
        .done()
}

pub fn security_group(x: &t::SecurityGroup) -> Value {
    Obj::new()
        .s("Description", x.description.as_deref())
        .s("GroupName", x.group_name.as_deref())
        .l("IpPermissions", x.ip_permissions.as_ref(), ip_permission)
        .s("OwnerId", x.owner_id.as_deref())
        .s("GroupId", x.group_id.as_deref())
        .l(
            "IpPermissionsEgress",
            x.ip_permissions_egress.as_ref(),
            ip_permission,
        )
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .s("SecurityGroupArn", x.security_group_arn.as_deref())
        .done()
}

fn gateway_attachment(a: &t::InternetGatewayAttachment) -> Value {
    Obj::new()
        .e("State", a.state.as_ref())
        .s("VpcId", a.vpc_id.as_deref())
        .done()
}

pub fn internet_gateway(x: &t::InternetGateway) -> Value {
    Obj::new()
        .l("Attachments", x.attachments.as_ref(), gateway_attachment)
        .s("InternetGatewayId", x.internet_gateway_id.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

pub fn egress_only_internet_gateway(x: &t::EgressOnlyInternetGateway) -> Value {
    Obj::new()
        .l("Attachments", x.attachments.as_ref(), gateway_attachment)
        .s(
            "EgressOnlyInternetGatewayId",
            x.egress_only_internet_gateway_id.as_deref(),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

pub fn nat_gateway(x: &t::NatGateway) -> Value {
    Obj::new()
        .t("CreateTime", x.create_time.as_ref())
        .t("DeleteTime", x.delete_time.as_ref())
        .s("FailureCode", x.failure_code.as_deref())
        .s("FailureMessage", x.failure_message.as_deref())
        .l(
            "NatGatewayAddresses",
            x.nat_gateway_addresses.as_ref(),
            |a| {
                Obj::new()
                    .s("AllocationId", a.allocation_id.as_deref())
                    .s("NetworkInterfaceId", a.network_interface_id.as_deref())
                    .s("PrivateIp", a.private_ip.as_deref())
                    .s("PublicIp", a.public_ip.as_deref())
                    .s("AssociationId", a.association_id.as_deref())
                    .b("IsPrimary", a.is_primary)
                    .s("FailureMessage", a.failure_message.as_deref())
                    .e("Status", a.status.as_ref())
                    .done()
            },
        )
        .s("NatGatewayId", x.nat_gateway_id.as_deref())
        .e("State", x.state.as_ref())
        .s("SubnetId", x.subnet_id.as_deref())
        .s("VpcId", x.vpc_id.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .e("ConnectivityType", x.connectivity_type.as_ref())
        .done()
}

fn eni_association(a: &t::NetworkInterfaceAssociation) -> Value {
    Obj::new()
        .s("AllocationId", a.allocation_id.as_deref())
        .s("AssociationId", a.association_id.as_deref())
        .s("IpOwnerId", a.ip_owner_id.as_deref())
        .s("PublicDnsName", a.public_dns_name.as_deref())
        .s("PublicIp", a.public_ip.as_deref())
        .s("CustomerOwnedIp", a.customer_owned_ip.as_deref())
        .s("CarrierIp", a.carrier_ip.as_deref())
        .done()
}

pub fn network_interface(x: &t::NetworkInterface) -> Value {
    Obj::new()
        .o("Association", x.association.as_ref().map(eni_association))
        .o(
            "Attachment",
            x.attachment.as_ref().map(|a| {
                Obj::new()
                    .t("AttachTime", a.attach_time.as_ref())
                    .s("AttachmentId", a.attachment_id.as_deref())
                    .b("DeleteOnTermination", a.delete_on_termination)
                    .i("DeviceIndex", a.device_index)
                    .i("NetworkCardIndex", a.network_card_index)
                    .s("InstanceId", a.instance_id.as_deref())
                    .s("InstanceOwnerId", a.instance_owner_id.as_deref())
                    .e("Status", a.status.as_ref())
                    .done()
            }),
        )
        .s("AvailabilityZone", x.availability_zone.as_deref())
        .s("Description", x.description.as_deref())
        .l("Groups", x.groups.as_ref(), group_identifier)
        .e("InterfaceType", x.interface_type.as_ref())
        .l("Ipv6Addresses", x.ipv6_addresses.as_ref(), |a| {
            Obj::new()
                .s("Ipv6Address", a.ipv6_address.as_deref())
                .b("IsPrimaryIpv6", a.is_primary_ipv6)
                .done()
        })
        .s("MacAddress", x.mac_address.as_deref())
        .s("NetworkInterfaceId", x.network_interface_id.as_deref())
        .s("OutpostArn", x.outpost_arn.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .s("PrivateDnsName", x.private_dns_name.as_deref())
        .s("PublicDnsName", x.public_dns_name.as_deref())
        .s("PrivateIpAddress", x.private_ip_address.as_deref())
        .l("PrivateIpAddresses", x.private_ip_addresses.as_ref(), |p| {
            Obj::new()
                .o("Association", p.association.as_ref().map(eni_association))
                .b("Primary", p.primary)
                .s("PrivateDnsName", p.private_dns_name.as_deref())
                .s("PrivateIpAddress", p.private_ip_address.as_deref())
                .done()
        })
        .s("RequesterId", x.requester_id.as_deref())
        .b("RequesterManaged", x.requester_managed)
        .b("SourceDestCheck", x.source_dest_check)
        .e("Status", x.status.as_ref())
        .s("SubnetId", x.subnet_id.as_deref())
        .l("TagSet", x.tag_set.as_ref(), tag)
        .s("VpcId", x.vpc_id.as_deref())
        .done()
}

fn instance_eni_association(a: &t::InstanceNetworkInterfaceAssociation) -> Value {
    Obj::new()
        .s("CarrierIp", a.carrier_ip.as_deref())
        .s("CustomerOwnedIp", a.customer_owned_ip.as_deref())
        .s("IpOwnerId", a.ip_owner_id.as_deref())
        .s("PublicDnsName", a.public_dns_name.as_deref())
        .s("PublicIp", a.public_ip.as_deref())
        .done()
}

fn instance_network_interface(x: &t::InstanceNetworkInterface) -> Value {
    Obj::new()
        .o(
            "Association",
            x.association.as_ref().map(instance_eni_association),
        )
        .o(
            "Attachment",
            x.attachment.as_ref().map(|a| {
                Obj::new()
                    .t("AttachTime", a.attach_time.as_ref())
                    .s("AttachmentId", a.attachment_id.as_deref())
                    .b("DeleteOnTermination", a.delete_on_termination)
                    .i("DeviceIndex", a.device_index)
                    .e("Status", a.status.as_ref())
                    .i("NetworkCardIndex", a.network_card_index)
                    .done()
            }),
        )
        .s("Description", x.description.as_deref())
        .l("Groups", x.groups.as_ref(), group_identifier)
        .l("Ipv6Addresses", x.ipv6_addresses.as_ref(), |a| {
            Obj::new()
                .s("Ipv6Address", a.ipv6_address.as_deref())
                .b("IsPrimaryIpv6", a.is_primary_ipv6)
                .done()
        })
        .s("MacAddress", x.mac_address.as_deref())
        .s("NetworkInterfaceId", x.network_interface_id.as_deref())
        .s("OwnerId", x.owner_id.as_deref())
        .s("PrivateDnsName", x.private_dns_name.as_deref())
        .s("PrivateIpAddress", x.private_ip_address.as_deref())
        .l("PrivateIpAddresses", x.private_ip_addresses.as_ref(), |p| {
            Obj::new()
                .o(
                    "Association",
                    p.association.as_ref().map(instance_eni_association),
                )
                .b("Primary", p.primary)
                .s("PrivateDnsName", p.private_dns_name.as_deref())
                .s("PrivateIpAddress", p.private_ip_address.as_deref())
                .done()
        })
        .b("SourceDestCheck", x.source_dest_check)
        .e("Status", x.status.as_ref())
        .s("SubnetId", x.subnet_id.as_deref())
        .s("VpcId", x.vpc_id.as_deref())
        .s("InterfaceType", x.interface_type.as_deref())
        .done()
}

fn instance(x: &t::Instance) -> Value {
    Obj::new()
        .i("AmiLaunchIndex", x.ami_launch_index)
        .s("ImageId", x.image_id.as_deref())
        .s("InstanceId", x.instance_id.as_deref())
        .e("InstanceType", x.instance_type.as_ref())
        .s("KeyName", x.key_name.as_deref())
        .t("LaunchTime", x.launch_time.as_ref())
        .o(
            "Monitoring",
            x.monitoring
                .as_ref()
                .map(|m| Obj::new().e("State", m.state.as_ref()).done()),
        )
        .o(
            "Placement",
            x.placement.as_ref().map(|p| {
                Obj::new()
                    .s("AvailabilityZone", p.availability_zone.as_deref())
                    .s("AvailabilityZoneId", p.availability_zone_id.as_deref())
                    .s("GroupName", p.group_name.as_deref())
                    .e("Tenancy", p.tenancy.as_ref())
                    .done()
            }),
        )
        .e("Platform", x.platform.as_ref())
        .s("PrivateDnsName", x.private_dns_name.as_deref())
        .s("PrivateIpAddress", x.private_ip_address.as_deref())
        .s("PublicDnsName", x.public_dns_name.as_deref())
        .s("PublicIpAddress", x.public_ip_address.as_deref())
        .o(
            "State",
            x.state.as_ref().map(|s| {
                Obj::new()
                    .i("Code", s.code)
                    .e("Name", s.name.as_ref())
                    .done()
            }),
        )
        .s(
            "StateTransitionReason",
            x.state_transition_reason.as_deref(),
        )
        .s("SubnetId", x.subnet_id.as_deref())
        .s("VpcId", x.vpc_id.as_deref())
        .e("Architecture", x.architecture.as_ref())
        .o(
            "IamInstanceProfile",
            x.iam_instance_profile.as_ref().map(|p| {
                Obj::new()
                    .s("Arn", p.arn.as_deref())
                    .s("Id", p.id.as_deref())
                    .done()
            }),
        )
        .l(
            "NetworkInterfaces",
            x.network_interfaces.as_ref(),
            instance_network_interface,
        )
        .l(
            "SecurityGroups",
            x.security_groups.as_ref(),
            group_identifier,
        )
        .b("SourceDestCheck", x.source_dest_check)
        .l("Tags", x.tags.as_ref(), tag)
        .s("Ipv6Address", x.ipv6_address.as_deref())
        .done()
}

pub fn reservation(x: &t::Reservation) -> Value {
    Obj::new()
        .l("Groups", x.groups.as_ref(), group_identifier)
        .l("Instances", x.instances.as_ref(), instance)
        .s("OwnerId", x.owner_id.as_deref())
        .s("RequesterId", x.requester_id.as_deref())
        .s("ReservationId", x.reservation_id.as_deref())
        .done()
}

pub fn address(x: &t::Address) -> Value {
    Obj::new()
        .s("AllocationId", x.allocation_id.as_deref())
        .s("AssociationId", x.association_id.as_deref())
        .e("Domain", x.domain.as_ref())
        .s("InstanceId", x.instance_id.as_deref())
        .s("NetworkInterfaceId", x.network_interface_id.as_deref())
        .s(
            "NetworkInterfaceOwnerId",
            x.network_interface_owner_id.as_deref(),
        )
        .s("PrivateIpAddress", x.private_ip_address.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("PublicIpv4Pool", x.public_ipv4_pool.as_deref())
        .s("NetworkBorderGroup", x.network_border_group.as_deref())
        .s("CustomerOwnedIp", x.customer_owned_ip.as_deref())
        .s("CarrierIp", x.carrier_ip.as_deref())
        .s("SubnetId", x.subnet_id.as_deref())
        .e("ServiceManaged", x.service_managed.as_ref())
        .s("PublicIp", x.public_ip.as_deref())
        .done()
}

fn peering_vpc_info(v: &t::VpcPeeringConnectionVpcInfo) -> Value {
    Obj::new()
        .s("CidrBlock", v.cidr_block.as_deref())
        .l("Ipv6CidrBlockSet", v.ipv6_cidr_block_set.as_ref(), |c| {
            Obj::new()
                .s("Ipv6CidrBlock", c.ipv6_cidr_block.as_deref())
                .done()
        })
        .l("CidrBlockSet", v.cidr_block_set.as_ref(), |c| {
            Obj::new().s("CidrBlock", c.cidr_block.as_deref()).done()
        })
        .s("OwnerId", v.owner_id.as_deref())
        .o(
            "PeeringOptions",
            v.peering_options.as_ref().map(|o| {
                Obj::new()
                    .b(
                        "AllowDnsResolutionFromRemoteVpc",
                        o.allow_dns_resolution_from_remote_vpc,
                    )
                    .b(
                        "AllowEgressFromLocalClassicLinkToRemoteVpc",
                        o.allow_egress_from_local_classic_link_to_remote_vpc,
                    )
                    .b(
                        "AllowEgressFromLocalVpcToRemoteClassicLink",
                        o.allow_egress_from_local_vpc_to_remote_classic_link,
                    )
                    .done()
            }),
        )
        .s("VpcId", v.vpc_id.as_deref())
        .s("Region", v.region.as_deref())
        .done()
}

pub fn vpc_peering_connection(x: &t::VpcPeeringConnection) -> Value {
    Obj::new()
        .o(
            "AccepterVpcInfo",
            x.accepter_vpc_info.as_ref().map(peering_vpc_info),
        )
        .t("ExpirationTime", x.expiration_time.as_ref())
        .o(
            "RequesterVpcInfo",
            x.requester_vpc_info.as_ref().map(peering_vpc_info),
        )
        .o(
            "Status",
            x.status.as_ref().map(|s| {
                Obj::new()
                    .e("Code", s.code.as_ref())
                    .s("Message", s.message.as_deref())
                    .done()
            }),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .s(
            "VpcPeeringConnectionId",
            x.vpc_peering_connection_id.as_deref(),
        )
        .done()
}

/// `describe-managed-prefix-lists`: metadata only (the entries come from
/// [`prefix_list_entries`]).
pub fn managed_prefix_list(x: &t::ManagedPrefixList) -> Value {
    Obj::new()
        .s("PrefixListId", x.prefix_list_id.as_deref())
        .s("AddressFamily", x.address_family.as_deref())
        .e("State", x.state.as_ref())
        .s("StateMessage", x.state_message.as_deref())
        .s("PrefixListArn", x.prefix_list_arn.as_deref())
        .s("PrefixListName", x.prefix_list_name.as_deref())
        .i("MaxEntries", x.max_entries)
        .i("Version", x.version)
        .l("Tags", x.tags.as_ref(), tag)
        .s("OwnerId", x.owner_id.as_deref())
        .done()
}

/// A customer-managed list's entries in the self-contained `Cidrs` shape
/// (`get-managed-prefix-list-entries` itself does not print the list id).
pub fn prefix_list_entries(list: &t::ManagedPrefixList, entries: &[t::PrefixListEntry]) -> Value {
    let cidrs: Vec<String> = entries.iter().filter_map(|e| e.cidr.clone()).collect();
    Obj::new()
        .s("PrefixListId", list.prefix_list_id.as_deref())
        .s("PrefixListName", list.prefix_list_name.as_deref())
        .strings("Cidrs", Some(&cidrs))
        .done()
}

/// `describe-prefix-lists` (AWS-managed service lists, with their CIDRs).
pub fn prefix_list(x: &t::PrefixList) -> Value {
    Obj::new()
        .strings("Cidrs", x.cidrs.as_ref())
        .s("PrefixListId", x.prefix_list_id.as_deref())
        .s("PrefixListName", x.prefix_list_name.as_deref())
        .done()
}

/// `describe-transit-gateways`.
pub fn transit_gateway(x: &t::TransitGateway) -> Value {
    Obj::new()
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s("TransitGatewayArn", x.transit_gateway_arn.as_deref())
        .e("State", x.state.as_ref())
        .s("OwnerId", x.owner_id.as_deref())
        .s("Description", x.description.as_deref())
        .t("CreationTime", x.creation_time.as_ref())
        .o(
            "Options",
            x.options.as_ref().map(|o| {
                Obj::new()
                    .i("AmazonSideAsn", o.amazon_side_asn)
                    .strings(
                        "TransitGatewayCidrBlocks",
                        o.transit_gateway_cidr_blocks.as_ref(),
                    )
                    .e(
                        "AutoAcceptSharedAttachments",
                        o.auto_accept_shared_attachments.as_ref(),
                    )
                    .e(
                        "DefaultRouteTableAssociation",
                        o.default_route_table_association.as_ref(),
                    )
                    .s(
                        "AssociationDefaultRouteTableId",
                        o.association_default_route_table_id.as_deref(),
                    )
                    .e(
                        "DefaultRouteTablePropagation",
                        o.default_route_table_propagation.as_ref(),
                    )
                    .s(
                        "PropagationDefaultRouteTableId",
                        o.propagation_default_route_table_id.as_deref(),
                    )
                    .e("VpnEcmpSupport", o.vpn_ecmp_support.as_ref())
                    .e("DnsSupport", o.dns_support.as_ref())
                    .e(
                        "SecurityGroupReferencingSupport",
                        o.security_group_referencing_support.as_ref(),
                    )
                    .e("MulticastSupport", o.multicast_support.as_ref())
                    .done()
            }),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// `describe-transit-gateway-attachments` (each with its route table association).
pub fn transit_gateway_attachment(x: &t::TransitGatewayAttachment) -> Value {
    Obj::new()
        .s(
            "TransitGatewayAttachmentId",
            x.transit_gateway_attachment_id.as_deref(),
        )
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s(
            "TransitGatewayOwnerId",
            x.transit_gateway_owner_id.as_deref(),
        )
        .s("ResourceOwnerId", x.resource_owner_id.as_deref())
        .e("ResourceType", x.resource_type.as_ref())
        .s("ResourceId", x.resource_id.as_deref())
        .e("State", x.state.as_ref())
        .o(
            "Association",
            x.association.as_ref().map(|a| {
                Obj::new()
                    .s(
                        "TransitGatewayRouteTableId",
                        a.transit_gateway_route_table_id.as_deref(),
                    )
                    .s(
                        "TransitGatewayPolicyTableId",
                        a.transit_gateway_policy_table_id.as_deref(),
                    )
                    .e("State", a.state.as_ref())
                    .done()
            }),
        )
        .t("CreationTime", x.creation_time.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// `describe-transit-gateway-vpc-attachments`.
pub fn transit_gateway_vpc_attachment(x: &t::TransitGatewayVpcAttachment) -> Value {
    Obj::new()
        .s(
            "TransitGatewayAttachmentId",
            x.transit_gateway_attachment_id.as_deref(),
        )
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s("VpcId", x.vpc_id.as_deref())
        .s("VpcOwnerId", x.vpc_owner_id.as_deref())
        .e("State", x.state.as_ref())
        .strings("SubnetIds", x.subnet_ids.as_ref())
        .t("CreationTime", x.creation_time.as_ref())
        .o(
            "Options",
            x.options.as_ref().map(|o| {
                Obj::new()
                    .e("DnsSupport", o.dns_support.as_ref())
                    .e(
                        "SecurityGroupReferencingSupport",
                        o.security_group_referencing_support.as_ref(),
                    )
                    .e("Ipv6Support", o.ipv6_support.as_ref())
                    .e("ApplianceModeSupport", o.appliance_mode_support.as_ref())
                    .done()
            }),
        )
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// `describe-transit-gateway-route-tables`.
pub fn transit_gateway_route_table(x: &t::TransitGatewayRouteTable) -> Value {
    Obj::new()
        .s(
            "TransitGatewayRouteTableId",
            x.transit_gateway_route_table_id.as_deref(),
        )
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .e("State", x.state.as_ref())
        .b(
            "DefaultAssociationRouteTable",
            x.default_association_route_table,
        )
        .b(
            "DefaultPropagationRouteTable",
            x.default_propagation_route_table,
        )
        .t("CreationTime", x.creation_time.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .done()
}

/// One element of `TransitGatewayRouteTableRoutes`: what
/// `search-transit-gateway-routes` prints for one table (every page), with
/// the table id beside it (the CLI output lacks it).
pub fn transit_gateway_route_table_routes(
    table_id: &str,
    routes: &[t::TransitGatewayRoute],
    additional_routes_available: bool,
) -> Value {
    Obj::new()
        .s("TransitGatewayRouteTableId", Some(table_id))
        .l("Routes", Some(&routes.to_vec()), |r| {
            Obj::new()
                .s("DestinationCidrBlock", r.destination_cidr_block.as_deref())
                .s("PrefixListId", r.prefix_list_id.as_deref())
                .s(
                    "TransitGatewayRouteTableAnnouncementId",
                    r.transit_gateway_route_table_announcement_id.as_deref(),
                )
                .l(
                    "TransitGatewayAttachments",
                    r.transit_gateway_attachments.as_ref(),
                    |a| {
                        Obj::new()
                            .s("ResourceId", a.resource_id.as_deref())
                            .s(
                                "TransitGatewayAttachmentId",
                                a.transit_gateway_attachment_id.as_deref(),
                            )
                            .e("ResourceType", a.resource_type.as_ref())
                            .done()
                    },
                )
                .e("Type", r.r#type.as_ref())
                .e("State", r.state.as_ref())
                .done()
        })
        .b(
            "AdditionalRoutesAvailable",
            Some(additional_routes_available),
        )
        .done()
}

/// One element of `TransitGatewayPropagations`: what
/// `get-transit-gateway-route-table-propagations` prints for one table, with
/// the table id beside it.
pub fn transit_gateway_propagations(
    table_id: &str,
    propagations: &[t::TransitGatewayRouteTablePropagation],
) -> Value {
    Obj::new()
        .s("TransitGatewayRouteTableId", Some(table_id))
        .l(
            "TransitGatewayRouteTablePropagations",
            Some(&propagations.to_vec()),
            |p| {
                Obj::new()
                    .s(
                        "TransitGatewayAttachmentId",
                        p.transit_gateway_attachment_id.as_deref(),
                    )
                    .s("ResourceId", p.resource_id.as_deref())
                    .e("ResourceType", p.resource_type.as_ref())
                    .e("State", p.state.as_ref())
                    .s(
                        "TransitGatewayRouteTableAnnouncementId",
                        p.transit_gateway_route_table_announcement_id.as_deref(),
                    )
                    .done()
            },
        )
        .done()
}

/// `describe-vpn-gateways`.
pub fn vpn_gateway(x: &t::VpnGateway) -> Value {
    Obj::new()
        .i("AmazonSideAsn", x.amazon_side_asn)
        .l("Tags", x.tags.as_ref(), tag)
        .s("VpnGatewayId", x.vpn_gateway_id.as_deref())
        .e("State", x.state.as_ref())
        .e("Type", x.r#type.as_ref())
        .s("AvailabilityZone", x.availability_zone.as_deref())
        .l("VpcAttachments", x.vpc_attachments.as_ref(), |a| {
            Obj::new()
                .s("VpcId", a.vpc_id.as_deref())
                .e("State", a.state.as_ref())
                .done()
        })
        .done()
}

/// `describe-vpn-connections`, without the tunnels' secrets: the
/// `CustomerGatewayConfiguration` document and each tunnel's `PreSharedKey`
/// are never written (a snapshot is meant to be shared).
pub fn vpn_connection(x: &t::VpnConnection) -> Value {
    Obj::new()
        .s("Category", x.category.as_deref())
        .s("TransitGatewayId", x.transit_gateway_id.as_deref())
        .s("CoreNetworkArn", x.core_network_arn.as_deref())
        .s(
            "CoreNetworkAttachmentArn",
            x.core_network_attachment_arn.as_deref(),
        )
        .e(
            "GatewayAssociationState",
            x.gateway_association_state.as_ref(),
        )
        .o(
            "Options",
            x.options.as_ref().map(|o| {
                Obj::new()
                    .b("EnableAcceleration", o.enable_acceleration)
                    .b("StaticRoutesOnly", o.static_routes_only)
                    .s("LocalIpv4NetworkCidr", o.local_ipv4_network_cidr.as_deref())
                    .s(
                        "RemoteIpv4NetworkCidr",
                        o.remote_ipv4_network_cidr.as_deref(),
                    )
                    .s("LocalIpv6NetworkCidr", o.local_ipv6_network_cidr.as_deref())
                    .s(
                        "RemoteIpv6NetworkCidr",
                        o.remote_ipv6_network_cidr.as_deref(),
                    )
                    .s("OutsideIpAddressType", o.outside_ip_address_type.as_deref())
                    .s(
                        "TransportTransitGatewayAttachmentId",
                        o.transport_transit_gateway_attachment_id.as_deref(),
                    )
                    .e("TunnelInsideIpVersion", o.tunnel_inside_ip_version.as_ref())
                    .l("TunnelOptions", o.tunnel_options.as_ref(), |t| {
                        Obj::new()
                            .s("OutsideIpAddress", t.outside_ip_address.as_deref())
                            .s("TunnelInsideCidr", t.tunnel_inside_cidr.as_deref())
                            .s("TunnelInsideIpv6Cidr", t.tunnel_inside_ipv6_cidr.as_deref())
                            .s("StartupAction", t.startup_action.as_deref())
                            .done()
                    })
                    .done()
            }),
        )
        .l("Routes", x.routes.as_ref(), |r| {
            Obj::new()
                .s("DestinationCidrBlock", r.destination_cidr_block.as_deref())
                .e("Source", r.source.as_ref())
                .e("State", r.state.as_ref())
                .done()
        })
        .l("Tags", x.tags.as_ref(), tag)
        .l("VgwTelemetry", x.vgw_telemetry.as_ref(), |v| {
            Obj::new()
                .i("AcceptedRouteCount", v.accepted_route_count)
                .t("LastStatusChange", v.last_status_change.as_ref())
                .s("OutsideIpAddress", v.outside_ip_address.as_deref())
                .e("Status", v.status.as_ref())
                .s("StatusMessage", v.status_message.as_deref())
                .s("CertificateArn", v.certificate_arn.as_deref())
                .done()
        })
        .s("PreSharedKeyArn", x.pre_shared_key_arn.as_deref())
        .s("VpnConnectionId", x.vpn_connection_id.as_deref())
        .e("State", x.state.as_ref())
        .e("Type", x.r#type.as_ref())
        .s("CustomerGatewayId", x.customer_gateway_id.as_deref())
        .s("VpnGatewayId", x.vpn_gateway_id.as_deref())
        .done()
}

/// `describe-vpc-endpoints`.
pub fn vpc_endpoint(x: &t::VpcEndpoint) -> Value {
    Obj::new()
        .s("VpcEndpointId", x.vpc_endpoint_id.as_deref())
        .e("VpcEndpointType", x.vpc_endpoint_type.as_ref())
        .s("VpcId", x.vpc_id.as_deref())
        .s("ServiceName", x.service_name.as_deref())
        .e("State", x.state.as_ref())
        .s("PolicyDocument", x.policy_document.as_deref())
        .strings("RouteTableIds", x.route_table_ids.as_ref())
        .strings("SubnetIds", x.subnet_ids.as_ref())
        .l("Groups", x.groups.as_ref(), |g| {
            Obj::new()
                .s("GroupId", g.group_id.as_deref())
                .s("GroupName", g.group_name.as_deref())
                .done()
        })
        .e("IpAddressType", x.ip_address_type.as_ref())
        .o(
            "DnsOptions",
            x.dns_options.as_ref().map(|d| {
                Obj::new()
                    .e("DnsRecordIpType", d.dns_record_ip_type.as_ref())
                    .b(
                        "PrivateDnsOnlyForInboundResolverEndpoint",
                        d.private_dns_only_for_inbound_resolver_endpoint,
                    )
                    .done()
            }),
        )
        .b("PrivateDnsEnabled", x.private_dns_enabled)
        .b("RequesterManaged", x.requester_managed)
        .strings("NetworkInterfaceIds", x.network_interface_ids.as_ref())
        .l("DnsEntries", x.dns_entries.as_ref(), |d| {
            Obj::new()
                .s("DnsName", d.dns_name.as_deref())
                .s("HostedZoneId", d.hosted_zone_id.as_deref())
                .done()
        })
        .t("CreationTimestamp", x.creation_timestamp.as_ref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("OwnerId", x.owner_id.as_deref())
        .o(
            "LastError",
            x.last_error.as_ref().map(|e| {
                Obj::new()
                    .s("Message", e.message.as_deref())
                    .s("Code", e.code.as_deref())
                    .done()
            }),
        )
        .s("FailureReason", x.failure_reason.as_deref())
        .s("ServiceNetworkArn", x.service_network_arn.as_deref())
        .s(
            "ResourceConfigurationArn",
            x.resource_configuration_arn.as_deref(),
        )
        .s("ServiceRegion", x.service_region.as_deref())
        .done()
}

/// `describe-security-group-rules`.
pub fn security_group_rule(x: &t::SecurityGroupRule) -> Value {
    Obj::new()
        .s("SecurityGroupRuleId", x.security_group_rule_id.as_deref())
        .s("GroupId", x.group_id.as_deref())
        .s("GroupOwnerId", x.group_owner_id.as_deref())
        .b("IsEgress", x.is_egress)
        .s("IpProtocol", x.ip_protocol.as_deref())
        .i("FromPort", x.from_port)
        .i("ToPort", x.to_port)
        .s("CidrIpv4", x.cidr_ipv4.as_deref())
        .s("CidrIpv6", x.cidr_ipv6.as_deref())
        .s("PrefixListId", x.prefix_list_id.as_deref())
        .o(
            "ReferencedGroupInfo",
            x.referenced_group_info.as_ref().map(|g| {
                Obj::new()
                    .s("GroupId", g.group_id.as_deref())
                    .s("PeeringStatus", g.peering_status.as_deref())
                    .s("UserId", g.user_id.as_deref())
                    .s("VpcId", g.vpc_id.as_deref())
                    .s(
                        "VpcPeeringConnectionId",
                        g.vpc_peering_connection_id.as_deref(),
                    )
                    .done()
            }),
        )
        .s("Description", x.description.as_deref())
        .l("Tags", x.tags.as_ref(), tag)
        .s("SecurityGroupRuleArn", x.security_group_rule_arn.as_deref())
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::shapes;

    /// Every converter's output deserializes into the loader's shapes, with
    /// the fields the loader reads carried across.
    #[test]
    fn converted_resources_load_as_shapes() {
        let tags = t::Tag::builder().key("Name").value("web").build();
        let v = vpc(&t::Vpc::builder()
            .vpc_id("vpc-1")
            .cidr_block("10.0.0.0/16")
            .state(t::VpcState::Available)
            .owner_id("111122223333")
            .is_default(false)
            .cidr_block_association_set(
                t::VpcCidrBlockAssociation::builder()
                    .cidr_block("10.1.0.0/16")
                    .cidr_block_state(
                        t::VpcCidrBlockState::builder()
                            .state(t::VpcCidrBlockStateCode::Associated)
                            .build(),
                    )
                    .build(),
            )
            .tags(tags.clone())
            .build());
        let s: shapes::Vpc = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(s.vpc_id, "vpc-1");
        assert_eq!(s.cidr_block_association_set.len(), 1);
        assert_eq!(s.tags[0].value, "web");
        assert_eq!(v["State"], "available");

        let acl = network_acl(
            &t::NetworkAcl::builder()
                .network_acl_id("acl-1")
                .vpc_id("vpc-1")
                .is_default(false)
                .entries(
                    t::NetworkAclEntry::builder()
                        .rule_number(100)
                        .egress(false)
                        .protocol("6")
                        .rule_action(t::RuleAction::Deny)
                        .cidr_block("0.0.0.0/0")
                        .port_range(t::PortRange::builder().from(22).to(22).build())
                        .build(),
                )
                .entries(
                    t::NetworkAclEntry::builder()
                        .rule_number(110)
                        .egress(false)
                        .protocol("1")
                        .rule_action(t::RuleAction::Allow)
                        .cidr_block("0.0.0.0/0")
                        .icmp_type_code(t::IcmpTypeCode::builder().code(-1).r#type(8).build())
                        .build(),
                )
                .associations(
                    t::NetworkAclAssociation::builder()
                        .subnet_id("subnet-1")
                        .network_acl_id("acl-1")
                        .build(),
                )
                .build(),
        );
        let s: shapes::NetworkAcl = serde_json::from_value(acl.clone()).unwrap();
        assert_eq!(s.entries[0].rule_action, "deny");
        assert_eq!(s.entries[0].port_range.as_ref().unwrap().to, 22);
        assert_eq!(s.entries[1].icmp_type_code.as_ref().unwrap().type_, 8);
        assert_eq!(acl["Entries"][1]["IcmpTypeCode"]["Type"], 8);

        let sg = security_group(
            &t::SecurityGroup::builder()
                .group_id("sg-1")
                .group_name("web")
                .vpc_id("vpc-1")
                .ip_permissions(
                    t::IpPermission::builder()
                        .ip_protocol("tcp")
                        .from_port(443)
                        .to_port(443)
                        .user_id_group_pairs(
                            t::UserIdGroupPair::builder()
                                .group_id("sg-2")
                                .user_id("111122223333")
                                .build(),
                        )
                        .ip_ranges(t::IpRange::builder().cidr_ip("10.0.0.0/8").build())
                        .build(),
                )
                .ip_permissions_egress(
                    t::IpPermission::builder()
                        .ip_protocol("-1")
                        .ip_ranges(t::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                        .build(),
                )
                .build(),
        );
        let s: shapes::SecurityGroup = serde_json::from_value(sg).unwrap();
        assert_eq!(s.ip_permissions[0].user_id_group_pairs[0].group_id, "sg-2");
        assert_eq!(s.ip_permissions[0].from_port, Some(443));
        assert_eq!(s.ip_permissions_egress[0].ip_protocol, "-1");

        let eni = network_interface(
            &t::NetworkInterface::builder()
                .network_interface_id("eni-1")
                .subnet_id("subnet-1")
                .vpc_id("vpc-1")
                .private_ip_address("10.0.0.5")
                .private_ip_addresses(
                    t::NetworkInterfacePrivateIpAddress::builder()
                        .private_ip_address("10.0.0.5")
                        .primary(true)
                        .association(
                            t::NetworkInterfaceAssociation::builder()
                                .public_ip("203.0.113.5")
                                .build(),
                        )
                        .build(),
                )
                .groups(t::GroupIdentifier::builder().group_id("sg-1").build())
                .source_dest_check(false)
                .interface_type(t::NetworkInterfaceType::Interface)
                .tag_set(tags.clone())
                .build(),
        );
        let s: shapes::NetworkInterface = serde_json::from_value(eni.clone()).unwrap();
        assert!(!s.source_dest_check);
        assert_eq!(s.tag_set.len(), 1);
        assert_eq!(
            s.private_ip_addresses[0]
                .association
                .as_ref()
                .unwrap()
                .public_ip
                .unwrap()
                .to_string(),
            "203.0.113.5"
        );
        assert!(eni.get("Tags").is_none(), "ENIs print TagSet, not Tags");

        let r = reservation(
            &t::Reservation::builder()
                .reservation_id("r-1")
                .instances(
                    t::Instance::builder()
                        .instance_id("i-1")
                        .state(
                            t::InstanceState::builder()
                                .code(16)
                                .name(t::InstanceStateName::Running)
                                .build(),
                        )
                        .launch_time(DateTime::from_secs(1_700_000_000))
                        .public_ip_address("203.0.113.5")
                        .build(),
                )
                .build(),
        );
        let s: shapes::Reservation = serde_json::from_value(r.clone()).unwrap();
        assert_eq!(s.instances[0].state.as_ref().unwrap().name, "running");
        assert_eq!(
            r["Instances"][0]["LaunchTime"], "2023-11-14T22:13:20+00:00",
            "timestamps as AWS CLI v2 prints them"
        );
        assert_eq!(
            cli_time(&DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000)),
            "2023-11-14T22:13:20.250000+00:00"
        );

        let pl = t::ManagedPrefixList::builder()
            .prefix_list_id("pl-1")
            .prefix_list_name("office")
            .address_family("IPv4")
            .max_entries(10)
            .owner_id("111122223333")
            .build();
        let entries = [
            t::PrefixListEntry::builder().cidr("192.0.2.0/24").build(),
            t::PrefixListEntry::builder()
                .cidr("198.51.100.0/24")
                .build(),
        ];
        let e: shapes::PrefixList =
            serde_json::from_value(prefix_list_entries(&pl, &entries)).unwrap();
        assert_eq!(e.cidrs.unwrap().len(), 2);
        let m: shapes::PrefixList = serde_json::from_value(managed_prefix_list(&pl)).unwrap();
        assert_eq!(m.max_entries, Some(10));
        assert!(m.cidrs.is_none());
    }
}
