//! Explanation codes: AWS Reachability Analyzer's, spelt exactly
//! (`../shared/docs/explanation_codes.json`, from
//! <https://docs.aws.amazon.com/vpc/latest/reachability/explanation-codes.html>
//! and its additional-detail codes), and vpcreach's own where AWS has none,
//! marked as ours ([`ExplanationCode::is_ours`]) and documented in
//! docs/model.md. Each code is listed once, in `codes!` below: the enum, its
//! spelling and [`ExplanationCode::ALL`] all come from that one list.
//!
//! Owns: the vocabulary and its spelling. Must not know: when a code applies
//! (the engine decides) or how it is printed beyond its spelling.

use std::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $spelling:literal, $origin:ident;)*) => {
        /// One explanation code. `as_str` / `Display` give the exact spelling
        /// that JSON, text and SARIF print.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ExplanationCode {
            $($(#[$doc])* $variant,)*
        }

        impl ExplanationCode {
            /// Every code, AWS's first, then ours.
            pub const ALL: &'static [ExplanationCode] = &[$(ExplanationCode::$variant,)*];

            /// The code as AWS spells it (ours in the same style).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ExplanationCode::$variant => $spelling,)*
                }
            }

            /// vpcreach's own code, not one of AWS's.
            pub fn is_ours(self) -> bool {
                match self {
                    $(ExplanationCode::$variant => codes!(@ours $origin),)*
                }
            }
        }
    };
    (@ours aws) => { false };
    (@ours ours) => { true };
}

codes! {
    // AWS: why a path is not reachable.
    /// Component is not in a working state.
    BadState = "BAD_STATE", aws;
    /// Attachment between two components is not working.
    BadStateAttachment = "BAD_STATE_ATTACHMENT", aws;
    /// Route is not working.
    BadStateRoute = "BAD_STATE_ROUTE", aws;
    /// VPN connection not working.
    BadStateVpn = "BAD_STATE_VPN", aws;
    /// Route's destination CIDR/prefix list does not contain the packet's destination.
    CannotRoute = "CANNOT_ROUTE", aws;
    /// Classic LB applies the NACL to outbound traffic even to a target in its own subnet.
    ElbAclRestriction = "ELB_ACL_RESTRICTION", aws;
    /// LB can send only to targets in AZs enabled on the LB.
    ElbInstalledAzRestriction = "ELB_INSTALLED_AZ_RESTRICTION", aws;
    /// CLB listener accepts only its port in, and uses its instance port out.
    ElbListenerPortRestriction = "ELB_LISTENER_PORT_RESTRICTION", aws;
    /// CLB has no listener that accepts the traffic.
    ElbListenersMismatch = "ELB_LISTENERS_MISMATCH", aws;
    /// Some targets unreachable because cross-zone is off.
    ElbNotCrosszone = "ELB_NOT_CROSSZONE", aws;
    /// Listener's target groups have no targets.
    Elbv2ListenerHasNoTg = "ELBV2_LISTENER_HAS_NO_TG", aws;
    /// Listener accepts only its port.
    Elbv2ListenerPortRestriction = "ELBV2_LISTENER_PORT_RESTRICTION", aws;
    /// No target group of the listener accepts the traffic.
    Elbv2ListenerRequiresTgAccept = "ELBV2_LISTENER_REQUIRES_TG_ACCEPT", aws;
    /// LB has no listener that accepts the traffic.
    Elbv2ListenersMismatch = "ELBV2_LISTENERS_MISMATCH", aws;
    /// No targets in the given AZs.
    Elbv2NoTargetsInAz = "ELBV2_NO_TARGETS_IN_AZ", aws;
    /// With client-IP preservation, NLB keeps the source address (so the target SG must allow the client).
    Elbv2SourceAddressPreservation = "ELBV2_SOURCE_ADDRESS_PRESERVATION", aws;
    /// ENI passes traffic only if src/dst equals its private IP.
    EniAddressRestriction = "ENI_ADDRESS_RESTRICTION", aws;
    /// No SG rule on the ENI matches (inbound or outbound).
    EniSgRulesMismatch = "ENI_SG_RULES_MISMATCH", aws;
    /// With src/dst check on, an ENI drops inbound traffic not addressed to one of its private IPs and outbound traffic not sourced from one.
    EniSourceDestCheckRestriction = "ENI_SOURCE_DEST_CHECK_RESTRICTION", aws;
    /// A Network Firewall rule blocks the traffic.
    FirewallRulesRestriction = "FIREWALL_RULES_RESTRICTION", aws;
    /// Gateways drop traffic from the VPC with spoofed source addresses.
    GatewayRejectsSpoofedTraffic = "GATEWAY_REJECTS_SPOOFED_TRAFFIC", aws;
    /// GWLB ↔ target traffic must use dport 6081.
    GwlbDestinationPortRestriction = "GWLB_DESTINATION_PORT_RESTRICTION", aws;
    /// GWLB ↔ target traffic must be GENEVE (UDP).
    GwlbProtocolRestriction = "GWLB_PROTOCOL_RESTRICTION", aws;
    /// A route with the same CIDR but higher priority wins (e.g. static over propagated).
    HigherPriorityRoute = "HIGHER_PRIORITY_ROUTE", aws;
    /// IGW accepts inbound traffic only if the (translated) destination is inside the VPC CIDRs.
    IgwDestinationAddressInVpcCidrs = "IGW_DESTINATION_ADDRESS_IN_VPC_CIDRS", aws;
    /// IGW drops outbound traffic to RFC 1918 destinations.
    IgwDestinationAddressNotInRfc1918Egress = "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", aws;
    /// IGW drops outbound traffic to 100.64.0.0/10.
    IgwDestinationAddressNotInRfc6598Egress = "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS", aws;
    /// Path uses an IGW as an intermediate hop (hairpin to a public IP) — unsupported; analyse both halves separately.
    IgwNatReflection = "IGW_NAT_REFLECTION", aws;
    /// IGW drops inbound traffic unless its destination is the public IP of an ENI in the VPC with an available attachment.
    IgwPrivateIpAssociationForIngress = "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", aws;
    /// Outbound via IGW needs a source IP that is paired with a public IP and belongs to an attached ENI in the VPC.
    IgwPublicIpAssociationForEgress = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", aws;
    /// IGW drops inbound traffic from RFC 1918 sources.
    IgwSourceAddressNotInRfc1918Ingress = "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", aws;
    /// IGW drops inbound traffic from 100.64.0.0/10.
    IgwSourceAddressNotInRfc6598Ingress = "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS", aws;
    /// A middlebox can't receive internet traffic via an ingress (gateway) route table without a public IP.
    IngressRtbNoPublicIp = "INGRESS_RTB_NO_PUBLIC_IP", aws;
    /// A subnet whose traffic is redirected to a middlebox can't use a direct IGW route even if its route table has one.
    IngressRtbTrafficRedirection = "INGRESS_RTB_TRAFFIC_REDIRECTION", aws;
    /// A route can't be used because a more specific route matches.
    MoreSpecificRoute = "MORE_SPECIFIC_ROUTE", aws;
    /// NAT GW does not change destination addresses.
    NgwDestAddressPreservation = "NGW_DEST_ADDRESS_PRESERVATION", aws;
    /// NAT GW only forwards traffic that originates from ENIs in its own VPC (not via peering, VPN or Direct Connect).
    NgwRequiresSourceInVpc = "NGW_REQUIRES_SOURCE_IN_VPC", aws;
    /// NAT GW rewrites the source to its own private IP.
    NgwSourceAddressReassign = "NGW_SOURCE_ADDRESS_REASSIGN", aws;
    /// Component can't deliver to any destination, or sent the packet into another account/Region.
    NoPossibleDestination = "NO_POSSIBLE_DESTINATION", aws;
    /// Route table has no applicable route.
    NoRouteToDestination = "NO_ROUTE_TO_DESTINATION", aws;
    /// Traffic crosses a peering only if dst (or src on return) is inside the peer VPC CIDR (non-transitivity).
    PcxRequiresAddressInVpcCidr = "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", aws;
    /// Component accepts only certain protocols.
    ProtocolRestriction = "PROTOCOL_RESTRICTION", aws;
    /// Regional NAT GW is not registered in the AZ the traffic comes from
    /// (RA explanation codes, added with regional NAT gateways in 2025;
    /// RNGW.2 of docs/semantics-additions.md).
    RegionalNgwRouteAzRestriction = "REGIONAL_NGW_ROUTE_AZ_RESTRICTION", aws;
    /// NAT GW / LB rewrites the source port to 1024–65535.
    RemapEphemeralPort = "REMAP_EPHEMERAL_PORT", aws;
    /// SG has no inbound or no outbound rules at all.
    SgHasNoRules = "SG_HAS_NO_RULES", aws;
    /// Component drops SG identity of forwarded traffic, so rules that reference SGs can't match.
    SgReferencesNotPreserved = "SG_REFERENCES_NOT_PRESERVED", aws;
    /// TGW VPC attachment lacks SG-referencing support, so SG identity is dropped
    /// (RA explanation codes; C7.6, named with `ENI_SG_RULES_MISMATCH`).
    SgReferencingSupport = "SG_REFERENCING_SUPPORT", aws;
    /// Subnet's NACL doesn't admit the traffic (in or out).
    SubnetAclRestriction = "SUBNET_ACL_RESTRICTION", aws;
    /// LB routes only to the address of one of its targets.
    TargetAddressRestriction = "TARGET_ADDRESS_RESTRICTION", aws;
    /// LB routes to a target only on its registered port.
    TargetPortRestriction = "TARGET_PORT_RESTRICTION", aws;
    /// TGW attachment has no valid route-table association.
    TgwAttachMissingTgwRtbAssociation = "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION", aws;
    /// TGW can't forward to this AZ's ENI: default mode keeps AZ affinity; appliance mode must reuse the forward-path AZ.
    TgwAttachVpcAzRestriction = "TGW_ATTACH_VPC_AZ_RESTRICTION", aws;
    /// TGW VPN attachment not working.
    TgwBadStateVpn = "TGW_BAD_STATE_VPN", aws;
    /// TGW not present in the source AZ; the VPC attachment needs a subnet in that AZ.
    TgwRouteAzRestriction = "TGW_ROUTE_AZ_RESTRICTION", aws;
    /// TGW route to the destination is in a bad state (e.g. blackhole).
    TgwRtbBadStateRoute = "TGW_RTB_BAD_STATE_ROUTE", aws;
    /// TGW route exists for the intended destination but doesn't match the packet's dst.
    TgwRtbCannotRoute = "TGW_RTB_CANNOT_ROUTE", aws;
    /// TGW route shadowed by a same-CIDR higher-priority route.
    TgwRtbHigherPriorityRoute = "TGW_RTB_HIGHER_PRIORITY_ROUTE", aws;
    /// TGW route shadowed by a more specific route.
    TgwRtbMoreSpecificRoute = "TGW_RTB_MORE_SPECIFIC_ROUTE", aws;
    /// TGW route table has no route to this attachment.
    TgwRtbNoRouteToTgwAttachment = "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT", aws;
    /// TGW route table contents unknown (internal error or another account).
    TgwRtbRoutesAreUnknown = "TGW_RTB_ROUTES_ARE_UNKNOWN", aws;
    /// Path can't be extended; not enough information about the destination.
    UnknownDestination = "UNKNOWN_DESTINATION", aws;
    /// Peer VPC is unknown (usually another account); SG-referencing rules across that peering deny.
    UnknownPeeredSgs = "UNKNOWN_PEERED_SGS", aws;
    /// RA can't describe the resource.
    UnknownResource = "UNKNOWN_RESOURCE", aws;
    /// VGW rejects outbound traffic whose source isn't an attached ENI in the VPC.
    VgwPrivateIpAssociationForEgress = "VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS", aws;
    /// VGW rejects inbound traffic whose destination isn't the private IP of an attached ENI in the VPC.
    VgwPrivateIpAssociationForIngress = "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", aws;
    /// Internet traffic blocked by VPC Block Public Access (RA explanation
    /// codes; BPA.2-BPA.6 of docs/semantics-additions.md).
    VpcBlockPublicAccessEnabled = "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", aws;
    /// Local routes apply only to destinations inside the VPC CIDRs.
    VpcLocalRouteCidrRestriction = "VPC_LOCAL_ROUTE_CIDR_RESTRICTION", aws;
    /// Gateway endpoint emits traffic only with sources inside its prefix list.
    VpceGatewayEgressSourceAddressRestriction = "VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION", aws;
    /// Gateway endpoint accepts only TCP or ICMP echo, emits only TCP or ICMP echo reply.
    VpceGatewayProtocolRestriction = "VPCE_GATEWAY_PROTOCOL_RESTRICTION", aws;
    /// A VPC endpoint can't initiate connections into its own VPC; analyse the reverse direction.
    VpceIntraVpcTraffic = "VPCE_INTRA_VPC_TRAFFIC", aws;
    /// Endpoint service not available in the AZ.
    VpceServiceNotInstalledInAz = "VPCE_SERVICE_NOT_INSTALLED_IN_AZ", aws;
    // AWS: the question or the configuration.
    /// Source and destination VPCs are not connected by a supported resource.
    DisconnectedVpcs = "DISCONNECTED_VPCS", aws;
    /// No path found. Usual causes: filters/IP/port don't match; component temporarily isolated (e.g. instance without an ENI yet); source can't initiate to destination (e.g. an endpoint initiating inside its own VPC); unsupported feature (IPv6) or component.
    NoPath = "NO_PATH", aws;
    /// Source or destination does not exist.
    NoSourceOrDestination = "NO_SOURCE_OR_DESTINATION", aws;
    /// Component not associated with a VPC in the account (e.g. terminated instance), or none of its ENIs has an IPv4 address.
    UnassociatedComponent = "UNASSOCIATED_COMPONENT", aws;
    /// Component not supported by RA.
    UnsupportedComponent = "UNSUPPORTED_COMPONENT", aws;
    // AWS: search filters.
    /// No path through the required component.
    ComponentFilterRestriction = "COMPONENT_FILTER_RESTRICTION", aws;
    /// No path through the required component because of an intermediate-component filter.
    ComponentFilterRestrictionRemovedComponent = "COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT", aws;
    /// No path matches the destination IP at the destination.
    FilterAtDestinationDestinationAddress = "FILTER_AT_DESTINATION_DESTINATION_ADDRESS", aws;
    /// … destination port range at the destination.
    FilterAtDestinationDestinationPortRange = "FILTER_AT_DESTINATION_DESTINATION_PORT_RANGE", aws;
    /// … protocol at the destination.
    FilterAtDestinationProtocol = "FILTER_AT_DESTINATION_PROTOCOL", aws;
    /// … source address at the destination.
    FilterAtDestinationSourceAddress = "FILTER_AT_DESTINATION_SOURCE_ADDRESS", aws;
    /// … source port range at the destination.
    FilterAtDestinationSourcePortRange = "FILTER_AT_DESTINATION_SOURCE_PORT_RANGE", aws;
    /// … destination IP at the source.
    FilterAtSourceDestinationAddress = "FILTER_AT_SOURCE_DESTINATION_ADDRESS", aws;
    /// … destination port range at the source.
    FilterAtSourceDestinationPortRange = "FILTER_AT_SOURCE_DESTINATION_PORT_RANGE", aws;
    /// … protocol at the source.
    FilterAtSourceProtocol = "FILTER_AT_SOURCE_PROTOCOL", aws;
    /// … source IP at the source.
    FilterAtSourceSourceAddress = "FILTER_AT_SOURCE_SOURCE_ADDRESS", aws;
    /// … source port range at the source.
    FilterAtSourceSourcePortRange = "FILTER_AT_SOURCE_SOURCE_PORT_RANGE", aws;
    /// IP addresses must be public when the resource is an internet gateway.
    IgwExpectsPublicAddress = "IGW_EXPECTS_PUBLIC_ADDRESS", aws;
    // AWS: additional details, reported beside a finding.
    /// Target-group attributes unreadable; assumed client-IP preservation off.
    AssumptionPreserveClientIpIsDisabled = "ASSUMPTION_PRESERVE_CLIENT_IP_IS_DISABLED", aws;
    /// Same, assumed on.
    AssumptionPreserveClientIpIsEnabled = "ASSUMPTION_PRESERVE_CLIENT_IP_IS_ENABLED", aws;
    /// Path crosses AZs.
    AvailabilityZoneCrossed = "AVAILABILITY_ZONE_CROSSED", aws;
    /// A higher-priority rule that could match was ignored (unsupported rule type).
    FirewallUnsupportedHigherPriorityRuleGroupType = "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULE_GROUP_TYPE", aws;
    /// A higher-priority rule was ignored (unsupported rule option).
    FirewallUnsupportedHigherPriorityRules = "FIREWALL_UNSUPPORTED_HIGHER_PRIORITY_RULES", aws;
    /// The matching firewall rule has unsupported options.
    FirewallUnsupportedRuleOptions = "FIREWALL_UNSUPPORTED_RULE_OPTIONS", aws;
    /// Target-group attributes missing; not considered.
    MissingTargetGroupAttributes = "MISSING_TARGET_GROUP_ATTRIBUTES", aws;
    /// Inspection via GWLB behind the endpoint not analysed.
    PathThroughGwlbNotChecked = "PATH_THROUGH_GWLB_NOT_CHECKED", aws;
    /// TGW → endpoint works, but there is no return route from the endpoint to the TGW.
    ResponseRtbHasNoRouteToTransitGateway = "RESPONSE_RTB_HAS_NO_ROUTE_TO_TRANSIT_GATEWAY", aws;
    /// Traffic inspected by Network Firewall through a TGW attachment without appliance mode.
    TransitGatewayApplianceModeRecommended = "TRANSIT_GATEWAY_APPLIANCE_MODE_RECOMMENDED", aws;
    /// Only the forward path was analysed; the reverse path may still be blocked.
    UnidirectionalPathAnalysisOnly = "UNIDIRECTIONAL_PATH_ANALYSIS_ONLY", aws;
    // vpcreach's own.
    /// Ours: IPv6 initiated from outside meets an egress-only internet gateway (C4.6); AWS's analyzers are IPv4-only and have no code for it (docs/model.md).
    EgressOnlyIgwInboundInitiated = "EGRESS_ONLY_IGW_INBOUND_INITIATED", ours;
    /// Ours: note: a reply crosses another appliance than its request behind a transit gateway attachment without appliance mode (C7.5; docs/model.md).
    ApplianceMode = "APPLIANCE_MODE", ours;
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
