//! Network interfaces and EC2 instances (reservations): the endpoints.

use super::*;

pub(super) fn eni_association(a: &t::NetworkInterfaceAssociation) -> Value {
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

pub(super) fn instance_eni_association(a: &t::InstanceNetworkInterfaceAssociation) -> Value {
    Obj::new()
        .s("CarrierIp", a.carrier_ip.as_deref())
        .s("CustomerOwnedIp", a.customer_owned_ip.as_deref())
        .s("IpOwnerId", a.ip_owner_id.as_deref())
        .s("PublicDnsName", a.public_dns_name.as_deref())
        .s("PublicIp", a.public_ip.as_deref())
        .done()
}

pub(super) fn instance_network_interface(x: &t::InstanceNetworkInterface) -> Value {
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

pub(super) fn instance(x: &t::Instance) -> Value {
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
