//! Explanation codes: AWS Reachability Analyzer's, spelt exactly
//! (`../shared/docs/explanation_codes.json`, from
//! <https://docs.aws.amazon.com/vpc/latest/reachability/explanation-codes.html>),
//! and vpcreach's own where AWS has none, marked as ours
//! ([`ExplanationCode::is_ours`]) and documented in docs/model.md.
//!
//! Owns: the vocabulary and its spelling. Must not know: when a code applies
//! (the engine decides) or how it is printed beyond its spelling.

use std::fmt;

/// One explanation code. `as_str` / `Display` give the exact spelling that
/// JSON, text and SARIF print.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExplanationCode {
    // AWS: Why a path is not reachable.
    /// Component is not in a working state.
    BadState,
    /// Attachment between two components is not working.
    BadStateAttachment,
    /// Route is not working.
    BadStateRoute,
    /// VPN connection not working.
    BadStateVpn,
    /// Route's destination CIDR/prefix list does not contain the packet's destination.
    CannotRoute,
    /// Classic LB applies the NACL to outbound traffic even to a target in its own subnet.
    ElbAclRestriction,
    /// LB can send only to targets in AZs enabled on the LB.
    ElbInstalledAzRestriction,
    /// CLB listener accepts only its port in, and uses its instance port out.
    ElbListenerPortRestriction,
    /// CLB has no listener that accepts the traffic.
    ElbListenersMismatch,
    /// Some targets unreachable because cross-zone is off.
    ElbNotCrosszone,
    /// Listener's target groups have no targets.
    Elbv2ListenerHasNoTg,
    /// Listener accepts only its port.
    Elbv2ListenerPortRestriction,
    /// No target group of the listener accepts the traffic.
    Elbv2ListenerRequiresTgAccept,
    /// LB has no listener that accepts the traffic.
    Elbv2ListenersMismatch,
    /// No targets in the given AZs.
    Elbv2NoTargetsInAz,
    /// With client-IP preservation, NLB keeps the source address (so the target SG must allow the client).
    Elbv2SourceAddressPreservation,
    /// ENI passes traffic only if src/dst equals its private IP.
    EniAddressRestriction,
    /// No SG rule on the ENI matches (inbound or outbound).
    EniSgRulesMismatch,
    /// With src/dst check on, an ENI drops inbound traffic not addressed to one of its private IPs and outbound traffic not sourced from one.
    EniSourceDestCheckRestriction,
    /// A Network Firewall rule blocks the traffic.
    FirewallRulesRestriction,
    /// Gateways drop traffic from the VPC with spoofed source addresses.
    GatewayRejectsSpoofedTraffic,
    /// GWLB ↔ target traffic must use dport 6081.
    GwlbDestinationPortRestriction,
    /// GWLB ↔ target traffic must be GENEVE (UDP).
    GwlbProtocolRestriction,
    /// A route with the same CIDR but higher priority wins (e.g. static over propagated).
    HigherPriorityRoute,
    /// IGW accepts inbound traffic only if the (translated) destination is inside the VPC CIDRs.
    IgwDestinationAddressInVpcCidrs,
    /// IGW drops outbound traffic to RFC 1918 destinations.
    IgwDestinationAddressNotInRfc1918Egress,
    /// IGW drops outbound traffic to 100.64.0.0/10.
    IgwDestinationAddressNotInRfc6598Egress,
    /// Path uses an IGW as an intermediate hop (hairpin to a public IP) — unsupported; analyse both halves separately.
    IgwNatReflection,
    /// IGW drops inbound traffic unless its destination is the public IP of an ENI in the VPC with an available attachment.
    IgwPrivateIpAssociationForIngress,
    /// Outbound via IGW needs a source IP that is paired with a public IP and belongs to an attached ENI in the VPC.
    IgwPublicIpAssociationForEgress,
    /// IGW drops inbound traffic from RFC 1918 sources.
    IgwSourceAddressNotInRfc1918Ingress,
    /// IGW drops inbound traffic from 100.64.0.0/10.
    IgwSourceAddressNotInRfc6598Ingress,
    /// A middlebox can't receive internet traffic via an ingress (gateway) route table without a public IP.
    IngressRtbNoPublicIp,
    /// A subnet whose traffic is redirected to a middlebox can't use a direct IGW route even if its route table has one.
    IngressRtbTrafficRedirection,
    /// A route can't be used because a more specific route matches.
    MoreSpecificRoute,
    /// NAT GW does not change destination addresses.
    NgwDestAddressPreservation,
    /// NAT GW only forwards traffic that originates from ENIs in its own VPC (not via peering, VPN or Direct Connect).
    NgwRequiresSourceInVpc,
    /// NAT GW rewrites the source to its own private IP.
    NgwSourceAddressReassign,
    /// Component can't deliver to any destination, or sent the packet into another account/Region.
    NoPossibleDestination,
    /// Route table has no applicable route.
    NoRouteToDestination,
    /// Traffic crosses a peering only if dst (or src on return) is inside the peer VPC CIDR (non-transitivity).
    PcxRequiresAddressInVpcCidr,
    /// Component accepts only certain protocols.
    ProtocolRestriction,
    /// Regional NAT GW is not registered in the AZ the traffic comes from.
    RegionalNgwRouteAzRestriction,
    /// NAT GW / LB rewrites the source port to 1024–65535.
    RemapEphemeralPort,
    /// SG has no inbound or no outbound rules at all.
    SgHasNoRules,
    /// Component drops SG identity of forwarded traffic, so rules that reference SGs can't match.
    SgReferencesNotPreserved,
    /// TGW VPC attachment lacks SG-referencing support, so SG identity is dropped.
    SgReferencingSupport,
    /// Subnet's NACL doesn't admit the traffic (in or out).
    SubnetAclRestriction,
    /// LB routes only to the address of one of its targets.
    TargetAddressRestriction,
    /// LB routes to a target only on its registered port.
    TargetPortRestriction,
    /// TGW attachment has no valid route-table association.
    TgwAttachMissingTgwRtbAssociation,
    /// TGW can't forward to this AZ's ENI: default mode keeps AZ affinity; appliance mode must reuse the forward-path AZ.
    TgwAttachVpcAzRestriction,
    /// TGW VPN attachment not working.
    TgwBadStateVpn,
    /// TGW not present in the source AZ; the VPC attachment needs a subnet in that AZ.
    TgwRouteAzRestriction,
    /// TGW route to the destination is in a bad state (e.g. blackhole).
    TgwRtbBadStateRoute,
    /// TGW route exists for the intended destination but doesn't match the packet's dst.
    TgwRtbCannotRoute,
    /// TGW route shadowed by a same-CIDR higher-priority route.
    TgwRtbHigherPriorityRoute,
    /// TGW route shadowed by a more specific route.
    TgwRtbMoreSpecificRoute,
    /// TGW route table has no route to this attachment.
    TgwRtbNoRouteToTgwAttachment,
    /// TGW route table contents unknown (internal error or another account).
    TgwRtbRoutesAreUnknown,
    /// Path can't be extended; not enough information about the destination.
    UnknownDestination,
    /// Peer VPC is unknown (usually another account); SG-referencing rules across that peering deny.
    UnknownPeeredSgs,
    /// RA can't describe the resource.
    UnknownResource,
    /// VGW rejects outbound traffic whose source isn't an attached ENI in the VPC.
    VgwPrivateIpAssociationForEgress,
    /// VGW rejects inbound traffic whose destination isn't the private IP of an attached ENI in the VPC.
    VgwPrivateIpAssociationForIngress,
    /// Internet traffic blocked by VPC Block Public Access.
    VpcBlockPublicAccessEnabled,
    /// Local routes apply only to destinations inside the VPC CIDRs.
    VpcLocalRouteCidrRestriction,
    /// Gateway endpoint emits traffic only with sources inside its prefix list.
    VpceGatewayEgressSourceAddressRestriction,
    /// Gateway endpoint accepts only TCP or ICMP echo, emits only TCP or ICMP echo reply.
    VpceGatewayProtocolRestriction,
    /// A VPC endpoint can't initiate connections into its own VPC; analyse the reverse direction.
    VpceIntraVpcTraffic,
    /// Endpoint service not available in the AZ.
    VpceServiceNotInstalledInAz,
    // AWS: The question or the configuration.
    /// Source and destination VPCs are not connected by a supported resource.
    DisconnectedVpcs,
    /// No path found. Usual causes: filters/IP/port don't match; component temporarily isolated (e.g. instance without an ENI yet); source can't initiate to destination (e.g. an endpoint initiating inside its own VPC); unsupported feature (IPv6) or component.
    NoPath,
    /// Source or destination does not exist.
    NoSourceOrDestination,
    /// Component not associated with a VPC in the account (e.g. terminated instance), or none of its ENIs has an IPv4 address.
    UnassociatedComponent,
    /// Component not supported by RA.
    UnsupportedComponent,
    // AWS: Search filters.
    /// No path through the required component.
    ComponentFilterRestriction,
    /// No path through the required component because of an intermediate-component filter.
    ComponentFilterRestrictionRemovedComponent,
    /// No path matches the destination IP at the destination.
    FilterAtDestinationDestinationAddress,
    /// … destination port range at the destination.
    FilterAtDestinationDestinationPortRange,
    /// … protocol at the destination.
    FilterAtDestinationProtocol,
    /// … source address at the destination.
    FilterAtDestinationSourceAddress,
    /// … source port range at the destination.
    FilterAtDestinationSourcePortRange,
    /// … destination IP at the source.
    FilterAtSourceDestinationAddress,
    /// … destination port range at the source.
    FilterAtSourceDestinationPortRange,
    /// … protocol at the source.
    FilterAtSourceProtocol,
    /// … source IP at the source.
    FilterAtSourceSourceAddress,
    /// … source port range at the source.
    FilterAtSourceSourcePortRange,
    /// IP addresses must be public when the resource is an internet gateway.
    IgwExpectsPublicAddress,
    // AWS: Additional details (AWS reports them beside a finding).
    /// Target-group attributes unreadable; assumed client-IP preservation off.
    AssumptionPreserveClientIpIsDisabled,
    /// Same, assumed on.
    AssumptionPreserveClientIpIsEnabled,
    /// Path crosses AZs.
    AvailabilityZoneCrossed,
    /// A higher-priority rule that could match was ignored (unsupported rule type).
    FirewallUnsupportedHigherPriorityRuleGroupType,
    /// A higher-priority rule was ignored (unsupported rule option).
    FirewallUnsupportedHigherPriorityRules,
    /// The matching firewall rule has unsupported options.
    FirewallUnsupportedRuleOptions,
    /// Target-group attributes missing; not considered.
    MissingTargetGroupAttributes,
    /// Inspection via GWLB behind the endpoint not analysed.
    PathThroughGwlbNotChecked,
    /// TGW → endpoint works, but there is no return route from the endpoint to the TGW.
    ResponseRtbHasNoRouteToTransitGateway,
    /// Traffic inspected by Network Firewall through a TGW attachment without appliance mode.
    TransitGatewayApplianceModeRecommended,
    /// Only the forward path was analysed; the reverse path may still be blocked.
    UnidirectionalPathAnalysisOnly,
    // vpcreach's own.
    /// Ours: IPv6 initiated from outside meets an egress-only internet gateway (AWS's analyzers are IPv4-only and have no code for it; docs/model.md).
    EgressOnlyIgwInboundInitiated,
    /// Ours: Note: a reply crosses a different appliance than its request behind a transit gateway without appliance mode (C7.5; AWS recommends it with TRANSIT_GATEWAY_APPLIANCE_MODE_RECOMMENDED, but only when analysing; docs/model.md).
    ApplianceMode,
}

impl ExplanationCode {
    /// Every code, AWS's first, then ours.
    pub const ALL: &'static [ExplanationCode] = &[
        ExplanationCode::BadState,
        ExplanationCode::BadStateAttachment,
        ExplanationCode::BadStateRoute,
        ExplanationCode::BadStateVpn,
        ExplanationCode::CannotRoute,
        ExplanationCode::ElbAclRestriction,
        ExplanationCode::ElbInstalledAzRestriction,
        ExplanationCode::ElbListenerPortRestriction,
        ExplanationCode::ElbListenersMismatch,
        ExplanationCode::ElbNotCrosszone,
        ExplanationCode::Elbv2ListenerHasNoTg,
        ExplanationCode::Elbv2ListenerPortRestriction,
        ExplanationCode::Elbv2ListenerRequiresTgAccept,
        ExplanationCode::Elbv2ListenersMismatch,
        ExplanationCode::Elbv2NoTargetsInAz,
        ExplanationCode::Elbv2SourceAddressPreservation,
        ExplanationCode::EniAddressRestriction,
        ExplanationCode::EniSgRulesMismatch,
        ExplanationCode::EniSourceDestCheckRestriction,
        ExplanationCode::FirewallRulesRestriction,
        ExplanationCode::GatewayRejectsSpoofedTraffic,
        ExplanationCode::GwlbDestinationPortRestriction,
        ExplanationCode::GwlbProtocolRestriction,
        ExplanationCode::HigherPriorityRoute,
        ExplanationCode::IgwDestinationAddressInVpcCidrs,
        ExplanationCode::IgwDestinationAddressNotInRfc1918Egress,
        ExplanationCode::IgwDestinationAddressNotInRfc6598Egress,
        ExplanationCode::IgwNatReflection,
        ExplanationCode::IgwPrivateIpAssociationForIngress,
        ExplanationCode::IgwPublicIpAssociationForEgress,
        ExplanationCode::IgwSourceAddressNotInRfc1918Ingress,
        ExplanationCode::IgwSourceAddressNotInRfc6598Ingress,
        ExplanationCode::IngressRtbNoPublicIp,
        ExplanationCode::IngressRtbTrafficRedirection,
        ExplanationCode::MoreSpecificRoute,
        ExplanationCode::NgwDestAddressPreservation,
        ExplanationCode::NgwRequiresSourceInVpc,
        ExplanationCode::NgwSourceAddressReassign,
        ExplanationCode::NoPossibleDestination,
        ExplanationCode::NoRouteToDestination,
        ExplanationCode::PcxRequiresAddressInVpcCidr,
        ExplanationCode::ProtocolRestriction,
        ExplanationCode::RegionalNgwRouteAzRestriction,
        ExplanationCode::RemapEphemeralPort,
        ExplanationCode::SgHasNoRules,
        ExplanationCode::SgReferencesNotPreserved,
        ExplanationCode::SgReferencingSupport,
        ExplanationCode::SubnetAclRestriction,
        ExplanationCode::TargetAddressRestriction,
        ExplanationCode::TargetPortRestriction,
        ExplanationCode::TgwAttachMissingTgwRtbAssociation,
        ExplanationCode::TgwAttachVpcAzRestriction,
        ExplanationCode::TgwBadStateVpn,
        ExplanationCode::TgwRouteAzRestriction,
        ExplanationCode::TgwRtbBadStateRoute,
        ExplanationCode::TgwRtbCannotRoute,
        ExplanationCode::TgwRtbHigherPriorityRoute,
        ExplanationCode::TgwRtbMoreSpecificRoute,
        ExplanationCode::TgwRtbNoRouteToTgwAttachment,
        ExplanationCode::TgwRtbRoutesAreUnknown,
        ExplanationCode::UnknownDestination,
        ExplanationCode::UnknownPeeredSgs,
        ExplanationCode::UnknownResource,
        ExplanationCode::VgwPrivateIpAssociationForEgress,
        ExplanationCode::VgwPrivateIpAssociationForIngress,
        ExplanationCode::VpcBlockPublicAccessEnabled,
        ExplanationCode::VpcLocalRouteCidrRestriction,
        ExplanationCode::VpceGatewayEgressSourceAddressRestriction,
        ExplanationCode::VpceGatewayProtocolRestriction,
        ExplanationCode::VpceIntraVpcTraffic,
        ExplanationCode::VpceServiceNotInstalledInAz,
        ExplanationCode::DisconnectedVpcs,
        ExplanationCode::NoPath,
        ExplanationCode::NoSourceOrDestination,
        ExplanationCode::UnassociatedComponent,
        ExplanationCode::UnsupportedComponent,
        ExplanationCode::ComponentFilterRestriction,
        ExplanationCode::ComponentFilterRestrictionRemovedComponent,
        ExplanationCode::FilterAtDestinationDestinationAddress,
        ExplanationCode::FilterAtDestinationDestinationPortRange,
        ExplanationCode::FilterAtDestinationProtocol,
        ExplanationCode::FilterAtDestinationSourceAddress,
        ExplanationCode::FilterAtDestinationSourcePortRange,
        ExplanationCode::FilterAtSourceDestinationAddress,
        ExplanationCode::FilterAtSourceDestinationPortRange,
        ExplanationCode::FilterAtSourceProtocol,
        ExplanationCode::FilterAtSourceSourceAddress,
        ExplanationCode::FilterAtSourceSourcePortRange,
        ExplanationCode::IgwExpectsPublicAddress,
        ExplanationCode::AssumptionPreserveClientIpIsDisabled,
        ExplanationCode::AssumptionPreserveClientIpIsEnabled,
        ExplanationCode::AvailabilityZoneCrossed,
        ExplanationCode::FirewallUnsupportedHigherPriorityRuleGroupType,
        ExplanationCode::FirewallUnsupportedHigherPriorityRules,
        ExplanationCode::FirewallUnsupportedRuleOptions,
        ExplanationCode::MissingTargetGroupAttributes,
        ExplanationCode::PathThroughGwlbNotChecked,
        ExplanationCode::ResponseRtbHasNoRouteToTransitGateway,
        ExplanationCode::TransitGatewayApplianceModeRecommended,
        ExplanationCode::UnidirectionalPathAnalysisOnly,
        ExplanationCode::EgressOnlyIgwInboundInitiated,
        ExplanationCode::ApplianceMode,
    ];

    /// The code as AWS spells it (ours in the same style).
    pub fn as_str(self) -> &'static str {
        match self {
            ExplanationCode::BadState => "BAD_STATE",
            ExplanationCode::BadStateAttachment => "BAD_STATE_ATTACHMENT",
            ExplanationCode::BadStateRoute => "BAD_STATE_ROUTE",
            ExplanationCode::BadStateVpn => "BAD_STATE_VPN",
            ExplanationCode::CannotRoute => "CANNOT_ROUTE",
            ExplanationCode::ElbAclRestriction => "ELB_ACL_RESTRICTION",
            ExplanationCode::ElbInstalledAzRestriction => "ELB_INSTALLED_AZ_RESTRICTION",
            ExplanationCode::ElbListenerPortRestriction => "ELB_LISTENER_PORT_RESTRICTION",
            ExplanationCode::ElbListenersMismatch => "ELB_LISTENERS_MISMATCH",
            ExplanationCode::ElbNotCrosszone => "ELB_NOT_CROSSZONE",
            ExplanationCode::Elbv2ListenerHasNoTg => "ELBV2_LISTENER_HAS_NO_TG",
            ExplanationCode::Elbv2ListenerPortRestriction => "ELBV2_LISTENER_PORT_RESTRICTION",
            ExplanationCode::Elbv2ListenerRequiresTgAccept => "ELBV2_LISTENER_REQUIRES_TG_ACCEPT",
            ExplanationCode::Elbv2ListenersMismatch => "ELBV2_LISTENERS_MISMATCH",
            ExplanationCode::Elbv2NoTargetsInAz => "ELBV2_NO_TARGETS_IN_AZ",
            ExplanationCode::Elbv2SourceAddressPreservation => "ELBV2_SOURCE_ADDRESS_PRESERVATION",
            ExplanationCode::EniAddressRestriction => "ENI_ADDRESS_RESTRICTION",
            ExplanationCode::EniSgRulesMismatch => "ENI_SG_RULES_MISMATCH",
            ExplanationCode::EniSourceDestCheckRestriction => "ENI_SOURCE_DEST_CHECK_RESTRICTION",
            ExplanationCode::FirewallRulesRestriction => "FIREWALL_RULES_RESTRICTION",
            ExplanationCode::GatewayRejectsSpoofedTraffic => "GATEWAY_REJECTS_SPOOFED_TRAFFIC",
            ExplanationCode::GwlbDestinationPortRestriction => "GWLB_DESTINATION_PORT_RESTRICTION",
            ExplanationCode::GwlbProtocolRestriction => "GWLB_PROTOCOL_RESTRICTION",
            ExplanationCode::HigherPriorityRoute => "HIGHER_PRIORITY_ROUTE",
            ExplanationCode::IgwDestinationAddressInVpcCidrs => {
                "IGW_DESTINATION_ADDRESS_IN_VPC_CIDRS"
            }
            ExplanationCode::IgwDestinationAddressNotInRfc1918Egress => {
                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
            }
            ExplanationCode::IgwDestinationAddressNotInRfc6598Egress => {
                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"
            }
            ExplanationCode::IgwNatReflection => "IGW_NAT_REFLECTION",
            ExplanationCode::IgwPrivateIpAssociationForIngress => {
                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
            }
            ExplanationCode::IgwPublicIpAssociationForEgress => {
                "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
            }
            ExplanationCode::IgwSourceAddressNotInRfc1918Ingress => {
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS"
            }
            ExplanationCode::IgwSourceAddressNotInRfc6598Ingress => {
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS"
            }
            ExplanationCode::IngressRtbNoPublicIp => "INGRESS_RTB_NO_PUBLIC_IP",
            ExplanationCode::IngressRtbTrafficRedirection => "INGRESS_RTB_TRAFFIC_REDIRECTION",
            ExplanationCode::MoreSpecificRoute => "MORE_SPECIFIC_ROUTE",
            ExplanationCode::NgwDestAddressPreservation => "NGW_DEST_ADDRESS_PRESERVATION",
            ExplanationCode::NgwRequiresSourceInVpc => "NGW_REQUIRES_SOURCE_IN_VPC",
            ExplanationCode::NgwSourceAddressReassign => "NGW_SOURCE_ADDRESS_REASSIGN",
            ExplanationCode::NoPossibleDestination => "NO_POSSIBLE_DESTINATION",
            ExplanationCode::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            ExplanationCode::PcxRequiresAddressInVpcCidr => "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
            ExplanationCode::ProtocolRestriction => "PROTOCOL_RESTRICTION",
            ExplanationCode::RegionalNgwRouteAzRestriction => "REGIONAL_NGW_ROUTE_AZ_RESTRICTION",
            ExplanationCode::RemapEphemeralPort => "REMAP_EPHEMERAL_PORT",
            ExplanationCode::SgHasNoRules => "SG_HAS_NO_RULES",
            ExplanationCode::SgReferencesNotPreserved => "SG_REFERENCES_NOT_PRESERVED",
            ExplanationCode::SgReferencingSupport => "SG_REFERENCING_SUPPORT",
            ExplanationCode::SubnetAclRestriction => "SUBNET_ACL_RESTRICTION",
            ExplanationCode::TargetAddressRestriction => "TARGET_ADDRESS_RESTRICTION",
            ExplanationCode::TargetPortRestriction => "TARGET_PORT_RESTRICTION",
            ExplanationCode::TgwAttachMissingTgwRtbAssociation => {
                "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION"
            }
            ExplanationCode::TgwAttachVpcAzRestriction => "TGW_ATTACH_VPC_AZ_RESTRICTION",
            ExplanationCode::TgwBadStateVpn => "TGW_BAD_STATE_VPN",
            ExplanationCode::TgwRouteAzRestriction => "TGW_ROUTE_AZ_RESTRICTION",
            ExplanationCode::TgwRtbBadStateRoute => "TGW_RTB_BAD_STATE_ROUTE",
            ExplanationCode::TgwRtbCannotRoute => "TGW_RTB_CANNOT_ROUTE",
            ExplanationCode::TgwRtbHigherPriorityRoute => "TGW_RTB_HIGHER_PRIORITY_ROUTE",
            ExplanationCode::TgwRtbMoreSpecificRoute => "TGW_RTB_MORE_SPECIFIC_ROUTE",
            ExplanationCode::TgwRtbNoRouteToTgwAttachment => "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT",
            ExplanationCode::TgwRtbRoutesAreUnknown => "TGW_RTB_ROUTES_ARE_UNKNOWN",
            ExplanationCode::UnknownDestination => "UNKNOWN_DESTINATION",
            ExplanationCode::UnknownPeeredSgs => "UNKNOWN_PEERED_SGS",
            ExplanationCode::UnknownResource => "UNKNOWN_RESOURCE",
            ExplanationCode::VgwPrivateIpAssociationForEgress => {
                "VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS"
            }
            ExplanationCode::VgwPrivateIpAssociationForIngress => {
                "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
            }
            ExplanationCode::VpcBlockPublicAccessEnabled => "VPC_BLOCK_PUBLIC_ACCESS_ENABLED",
            ExplanationCode::VpcLocalRouteCidrRestriction => "VPC_LOCAL_ROUTE_CIDR_RESTRICTION",
            ExplanationCode::VpceGatewayEgressSourceAddressRestriction => {
                "VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION"
            }
            ExplanationCode::VpceGatewayProtocolRestriction => "VPCE_GATEWAY_PROTOCOL_RESTRICTION",
            ExplanationCode::VpceIntraVpcTraffic => "VPCE_INTRA_VPC_TRAFFIC",
            ExplanationCode::VpceServiceNotInstalledInAz => "VPCE_SERVICE_NOT_INSTALLED_IN_AZ",
            ExplanationCode::DisconnectedVpcs => "DISCONNECTED_VPCS",
            ExplanationCode::NoPath => "NO_PATH",
            ExplanationCode::NoSourceOrDestination => "NO_SOURCE_OR_DESTINATION",
            ExplanationCode::UnassociatedComponent => "UNASSOCIATED_COMPONENT",
            ExplanationCode::UnsupportedComponent => "UNSUPPORTED_COMPONENT",
            ExplanationCode::ComponentFilterRestriction => "COMPONENT_FILTER_RESTRICTION",
            ExplanationCode::ComponentFilterRestrictionRemovedComponent => {
                "COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT"
            }
            ExplanationCode::FilterAtDestinationDestinationAddress => {
                "FILTER_AT_DESTINATION_DESTINATION_ADDRESS"
            }
            ExplanationCode::FilterAtDestinationDestinationPortRange => {
                "FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE"
            }
            ExplanationCode::FilterAtDestinationProtocol => "FILTER_AT_DESTINATION_PROTOCOL",
            ExplanationCode::FilterAtDestinationSourceAddress => {
                "FILTER_AT_DESTINATION_SOURCE_ADDRESS"
            }
            ExplanationCode::FilterAtDestinationSourcePortRange => {
                "FILTER_AT_DESTINATION_SOURCE_PORT_RANGE"
            }
            ExplanationCode::FilterAtSourceDestinationAddress => {
                "FILTER_AT_SOURCE_DESTINATION_ADDRESS"
            }
            ExplanationCode::FilterAtSourceDestinationPortRange => {
                "FILTER_AT_SOURCE_DESTINATION_PORT_RANGE"
            }
            ExplanationCode::FilterAtSourceProtocol => "FILTER_AT_SOURCE_PROTOCOL",
            ExplanationCode::FilterAtSourceSourceAddress => "FILTER_AT_SOURCE_SOURCE_ADDRESS",
            ExplanationCode::FilterAtSourceSourcePortRange => "FILTER_AT_SOURCE_SOURCE_PORT_RANGE",
            ExplanationCode::IgwExpectsPublicAddress => "IGW_EXPECTS_PUBLIC_ADDRESS",
            ExplanationCode::AssumptionPreserveClientIpIsDisabled => {
                "ASSUMPTION_PRESERVE_CLIENT_IP_IS_DISABLED"
            }
            ExplanationCode::AssumptionPreserveClientIpIsEnabled => {
                "ASSUMPTION_PRESERVE_CLIENT_IP_IS_ENABLED"
            }
            ExplanationCode::AvailabilityZoneCrossed => "AVAILABILITY_ZONE_CROSSED",
            ExplanationCode::FirewallUnsupportedHigherPriorityRuleGroupType => {
                "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULE_GROUP_TYPE"
            }
            ExplanationCode::FirewallUnsupportedHigherPriorityRules => {
                "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULES"
            }
            ExplanationCode::FirewallUnsupportedRuleOptions => "FIREWALL_UNSUPPORTED_RULE_OPTIONS",
            ExplanationCode::MissingTargetGroupAttributes => "MISSING_TARGET_GROUP_ATTRIBUTES",
            ExplanationCode::PathThroughGwlbNotChecked => "PATH_THROUGH_GWLB_NOT_CHECKED",
            ExplanationCode::ResponseRtbHasNoRouteToTransitGateway => {
                "RESPONSE_RTB_HAS_NO_ROUTE_TO_TRANSIT_GATEWAY"
            }
            ExplanationCode::TransitGatewayApplianceModeRecommended => {
                "TRANSIT_GATEWAY_APPLIANCE_MODE_RECOMMENDED"
            }
            ExplanationCode::UnidirectionalPathAnalysisOnly => "UNIDIRECTIONAL_PATH_ANALYSIS_ONLY",
            ExplanationCode::EgressOnlyIgwInboundInitiated => "EGRESS_ONLY_IGW_INBOUND_INITIATED",
            ExplanationCode::ApplianceMode => "APPLIANCE_MODE",
        }
    }

    /// vpcreach's own code, not one of AWS's.
    pub fn is_ours(self) -> bool {
        matches!(
            self,
            ExplanationCode::EgressOnlyIgwInboundInitiated | ExplanationCode::ApplianceMode
        )
    }
}

impl fmt::Display for ExplanationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ExplanationCode;
    use std::collections::BTreeSet;

    /// Every code AWS documents, from `../shared/docs/explanation_codes.json`
    /// (`{category: [{code, meaning}]}`). `shared/` sits beside the checkout;
    /// a git worktree is one level deeper, so the nearest ancestor holding it
    /// is used.
    fn aws_codes() -> BTreeSet<String> {
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = manifest
            .ancestors()
            .skip(1)
            .map(|dir| dir.join("shared/docs/explanation_codes.json"))
            .find(|p| p.exists())
            .expect("../shared/docs/explanation_codes.json beside the checkout");
        let text = std::fs::read_to_string(path).expect("explanation_codes.json is readable");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        doc.as_object()
            .expect("an object of categories")
            .values()
            .filter_map(|v| v.as_array())
            .flatten()
            .filter_map(|c| c["code"].as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn aws_codes_are_spelt_as_aws_does_and_ours_are_not_aws() {
        let aws = aws_codes();
        assert!(aws.len() > 50, "the code list was read");
        for code in ExplanationCode::ALL {
            if code.is_ours() {
                assert!(
                    !aws.contains(code.as_str()),
                    "{code} is marked ours but AWS has it"
                );
            } else {
                assert!(
                    aws.contains(code.as_str()),
                    "{code} is not an AWS explanation code"
                );
            }
        }
    }

    #[test]
    fn every_aws_code_has_a_variant_and_spellings_are_unique() {
        let ours: BTreeSet<&str> = ExplanationCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(ours.len(), ExplanationCode::ALL.len());
        for code in aws_codes() {
            assert!(ours.contains(code.as_str()), "no variant for {code}");
        }
    }
}
