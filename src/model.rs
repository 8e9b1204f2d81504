//! The network as plain Rust values: what the analyses read.
//!
//! Owns: one type per AWS component (VPC, subnet, route table, network ACL,
//! security group, ENI, instance, gateways, peerings, prefix lists) holding
//! only what reachability depends on, keyed by resource ID in ordered maps so
//! that every iteration is deterministic. Must not know: JSON, serde shapes,
//! files, or how a snapshot was obtained.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

/// An AWS state enum: the values this version knows, each spelt as AWS prints
/// it, and `Other` for a value AWS adds later, kept as printed so that
/// output naming the state stays the same. Parsed once, at the snapshot
/// boundary; the analyses match on variants, never on strings.
macro_rules! aws_state {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($variant,)*
            /// A value this version does not know, as printed.
            Other(String),
        }

        impl $name {
            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_string()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(text) => text,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

aws_state! {
    /// The lifecycle of a VPC, NAT gateway, transit gateway, TGW attachment,
    /// VPN gateway or connection, or VPC endpoint: the union of the values
    /// their describe calls print. `Unstated` is a snapshot without the field.
    Lifecycle {
        Unstated = "",
        Initiating = "initiating",
        InitiatingRequest = "initiatingRequest",
        PendingAcceptance = "pendingAcceptance",
        Pending = "pending",
        Available = "available",
        Modifying = "modifying",
        RollingBack = "rollingBack",
        Rejecting = "rejecting",
        Rejected = "rejected",
        Failing = "failing",
        Failed = "failed",
        Expired = "expired",
        Deleting = "deleting",
        Deleted = "deleted",
    }
}

impl Lifecycle {
    /// Available, or not stated (the engine then assumes the resource works,
    /// as for routes without a state).
    pub fn is_available_or_unstated(&self) -> bool {
        matches!(self, Lifecycle::Available | Lifecycle::Unstated)
    }
}

aws_state! {
    /// `State.Name` of an EC2 instance.
    InstanceState {
        Pending = "pending",
        Running = "running",
        ShuttingDown = "shutting-down",
        Terminated = "terminated",
        Stopping = "stopping",
        Stopped = "stopped",
    }
}

aws_state! {
    /// `Status` of a network interface.
    EniStatus {
        Available = "available",
        Associated = "associated",
        Attaching = "attaching",
        InUse = "in-use",
        Detaching = "detaching",
    }
}

aws_state! {
    /// `Attachment.Status` of a network interface.
    EniAttachmentStatus {
        Attaching = "attaching",
        Attached = "attached",
        Detaching = "detaching",
        Detached = "detached",
    }
}

aws_state! {
    /// The state of an internet, egress-only or VPN gateway's VPC attachment.
    /// An attached internet gateway prints `available`; a VPN gateway `attached`.
    GatewayAttachmentState {
        Attaching = "attaching",
        Attached = "attached",
        Available = "available",
        Detaching = "detaching",
        Detached = "detached",
    }
}

impl GatewayAttachmentState {
    /// Attached, in either spelling (`available` for internet gateways).
    pub fn is_attached(&self) -> bool {
        matches!(
            self,
            GatewayAttachmentState::Attached | GatewayAttachmentState::Available
        )
    }
}

aws_state! {
    /// `Status.Code` of a VPC peering connection.
    PeeringStatus {
        InitiatingRequest = "initiating-request",
        PendingAcceptance = "pending-acceptance",
        Active = "active",
        Deleted = "deleted",
        Rejected = "rejected",
        Failed = "failed",
        Expired = "expired",
        Provisioning = "provisioning",
        Deleting = "deleting",
    }
}

aws_state! {
    /// `State.Code` of an ELBv2 load balancer (classic: always `active`).
    LbState {
        Active = "active",
        ActiveImpaired = "active_impaired",
        Provisioning = "provisioning",
        Failed = "failed",
    }
}

pub mod firewall;
pub use firewall::{
    Firewall, FirewallEndpoint, FirewallEndpointStatus, FirewallPolicy, RuleGroup, RuleOrder,
    RulesSource, StatefulAction, StatefulGroupRef, StatefulRule, StatelessAction, StatelessRule,
};
aws_state! {
    /// `InternetGatewayBlockMode` of VPC Block Public Access: the account's
    /// mode in a region, or the one `describe-vpcs` prints per VPC (BPA.1).
    BpaMode {
        Off = "off",
        BlockBidirectional = "block-bidirectional",
        BlockIngress = "block-ingress",
    }
}

aws_state! {
    /// `InternetGatewayExclusionMode` of a BPA exclusion (BPA.4).
    BpaExclusionMode {
        AllowBidirectional = "allow-bidirectional",
        AllowEgress = "allow-egress",
    }
}

aws_state! {
    /// `State` of a BPA exclusion: the state of its last update, not its mode (BPA.5).
    BpaExclusionState {
        CreateInProgress = "create-in-progress",
        CreateComplete = "create-complete",
        CreateFailed = "create-failed",
        UpdateInProgress = "update-in-progress",
        UpdateComplete = "update-complete",
        UpdateFailed = "update-failed",
        DeleteInProgress = "delete-in-progress",
        DeleteComplete = "delete-complete",
        DisableInProgress = "disable-in-progress",
        DisableComplete = "disable-complete",
    }
}

/// Whether a BPA exclusion is in force (BPA.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InForce {
    Yes,
    No,
    /// A change is under way or failed: which mode holds is unknown.
    Unknown,
}

impl BpaExclusionState {
    pub fn in_force(&self) -> InForce {
        match self {
            Self::CreateComplete | Self::UpdateComplete => InForce::Yes,
            Self::CreateFailed | Self::DeleteComplete | Self::DisableComplete => InForce::No,
            _ => InForce::Unknown,
        }
    }
}

/// `describe-vpc-block-public-access-options` of one region of one account (BPA.1).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct BlockPublicAccess {
    pub location: Location,
    pub mode: BpaMode,
    /// `ExclusionsAllowed` is not `not-allowed` (BPA.6).
    pub exclusions_allowed: bool,
    /// `ManagedBy` (`account`, `declarative-policy`), for messages.
    pub managed_by: Option<String>,
}

/// What a BPA exclusion exempts: a VPC or one subnet (its `ResourceArn`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BpaResource {
    Vpc(String),
    Subnet(String),
}

/// One element of `describe-vpc-block-public-access-exclusions` (BPA.4).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct BpaExclusion {
    pub id: String,
    pub mode: BpaExclusionMode,
    pub resource: BpaResource,
    pub state: BpaExclusionState,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Network {
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub route_tables: BTreeMap<String, RouteTable>,
    pub network_acls: BTreeMap<String, NetworkAcl>,
    pub security_groups: BTreeMap<String, SecurityGroup>,
    pub internet_gateways: BTreeMap<String, InternetGateway>,
    /// Egress-only internet gateways (`eigw-…`, IPv6 out and replies in, C4.6).
    pub egress_only_gateways: BTreeMap<String, InternetGateway>,
    pub nat_gateways: BTreeMap<String, NatGateway>,
    pub network_interfaces: BTreeMap<String, NetworkInterface>,
    pub instances: BTreeMap<String, Instance>,
    pub peerings: BTreeMap<String, VpcPeering>,
    pub prefix_lists: BTreeMap<String, PrefixList>,
    /// Elastic IP associations: (ENI id, private IP) → public IP.
    pub elastic_ips: Vec<ElasticIp>,
    pub transit_gateways: BTreeMap<String, TransitGateway>,
    pub tgw_attachments: BTreeMap<String, TgwAttachment>,
    pub tgw_route_tables: BTreeMap<String, TgwRouteTable>,
    pub vpn_gateways: BTreeMap<String, VpnGateway>,
    pub vpn_connections: BTreeMap<String, VpnConnection>,
    pub vpc_endpoints: BTreeMap<String, VpcEndpoint>,
    /// Load balancers keyed by ARN (ELBv2) or name (classic).
    pub load_balancers: BTreeMap<String, LoadBalancer>,
    /// ELBv2 target groups keyed by ARN.
    pub target_groups: BTreeMap<String, TargetGroup>,
    /// Ids the snapshot describes twice with different content (two files,
    /// or one ENI embedded in different instances): which description is
    /// true is unknown, so answers that depend on them are unknown.
    pub ambiguous_ids: BTreeSet<String>,
    /// The snapshot holds describe-vpn-connections' output (perhaps an
    /// empty list): a VGW without a connection there has none (C3.10c),
    /// rather than connections the snapshot does not show (R-partial.4).
    pub vpn_connections_described: bool,
    /// AWS Network Firewall: firewalls by ARN, policies and rule groups by
    /// ARN (NF.*).
    pub firewalls: BTreeMap<String, Firewall>,
    pub firewall_policies: BTreeMap<String, FirewallPolicy>,
    pub rule_groups: BTreeMap<String, RuleGroup>,
    /// Firewall ARNs that `list-firewalls` names but no `describe-firewall`
    /// output describes.
    pub firewalls_listed_only: BTreeSet<String>,
    /// VPC Block Public Access options, one per region and account (BPA.1).
    pub block_public_access: Vec<BlockPublicAccess>,
    /// BPA exclusions by id (BPA.4).
    pub bpa_exclusions: BTreeMap<String, BpaExclusion>,
    /// The snapshot holds describe-vpc-block-public-access-exclusions'
    /// output: an exclusion missing there does not exist (BPA.7).
    pub bpa_exclusions_described: bool,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TransitGateway {
    pub id: String,
    pub name: Option<String>,
    pub state: Lifecycle,
    /// `Options.SecurityGroupReferencingSupport` is `enable` (C7.6); `None`
    /// when the output lacks it (then the attachments alone decide).
    pub sg_referencing: Option<bool>,
}

impl TransitGateway {
    /// The TGW does not refuse SG referencing (C7.6): enabled, or not stated.
    pub fn allows_sg_referencing(&self) -> bool {
        self.sg_referencing != Some(false)
    }
}

/// A transit gateway attachment of any kind (vpc, vpn, direct-connect-gateway,
/// connect, peering), with its route table association (C7.1).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TgwAttachment {
    pub id: String,
    pub name: Option<String>,
    pub tgw_id: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub state: Lifecycle,
    /// The associated TGW route table, when the association is live.
    pub route_table_id: Option<String>,
    /// The snapshot holds describe-transit-gateway-attachments' view of
    /// the attachment, so `route_table_id: None` means "not associated"
    /// rather than "association unknown" (R-partial.4).
    pub association_known: bool,
    /// Present for VPC attachments (from describe-transit-gateway-vpc-attachments).
    pub vpc: Option<TgwVpcAttachment>,
    /// Present for peering attachments (`resource_type` `peering`, C7.8).
    pub peering: Option<TgwPeering>,
}

/// A transit gateway peering attachment seen from both of its transit
/// gateways (C7.8). AWS prints one attachment id on both sides, each side
/// (region, account) with its own association, so the snapshot may hold
/// two views of it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TgwPeering {
    /// Each transit gateway whose view (describe-transit-gateway-attachments)
    /// the snapshot holds → the route table it associates the attachment
    /// with, when the association is live.
    pub ends: BTreeMap<String, Option<String>>,
    /// The requester and accepter, from
    /// describe-transit-gateway-peering-attachments (`RequesterTgwInfo`,
    /// `AccepterTgwInfo`).
    pub requester: Option<TgwPeer>,
    pub accepter: Option<TgwPeer>,
}

/// One transit gateway of a peering attachment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TgwPeer {
    pub tgw_id: String,
    pub owner_id: Option<String>,
    pub region: Option<String>,
}

impl TgwPeering {
    /// The transit gateway at the other end from `tgw_id`, when the
    /// snapshot names exactly one.
    pub fn far_end<'a>(&'a self, tgw_id: &str, resource_id: Option<&'a str>) -> Option<&'a str> {
        let mut others: BTreeSet<&str> = self
            .ends
            .keys()
            .map(String::as_str)
            .chain(
                self.requester
                    .iter()
                    .chain(&self.accepter)
                    .map(|p| p.tgw_id.as_str()),
            )
            .chain(resource_id)
            .filter(|t| *t != tgw_id)
            .collect();
        match others.len() {
            1 => others.pop_first(),
            _ => None,
        }
    }

    /// What the snapshot says of `tgw_id`'s side (account, region).
    pub fn peer(&self, tgw_id: &str) -> Option<&TgwPeer> {
        self.requester
            .iter()
            .chain(&self.accepter)
            .find(|p| p.tgw_id == tgw_id)
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TgwVpcAttachment {
    pub vpc_id: String,
    /// One subnet per enabled AZ (C7.5).
    pub subnet_ids: Vec<String>,
    pub sg_referencing: bool,
    pub appliance_mode: bool,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TgwRouteTable {
    pub id: String,
    pub name: Option<String>,
    pub tgw_id: String,
    /// `None` when the snapshot has neither routes nor propagations for the
    /// table: its routes are unknown (TGW_RTB_ROUTES_ARE_UNKNOWN).
    pub routes: Option<Vec<TgwRoute>>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TgwRouteKind {
    Static,
    Propagated,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TgwRoute {
    pub destination: RouteDestination,
    pub attachment_ids: Vec<String>,
    pub kind: TgwRouteKind,
    /// Resource type of the attachment the route came from (for priority, C7.3).
    pub resource_type: Option<String>,
    pub state: RouteState,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VpnGateway {
    pub id: String,
    pub name: Option<String>,
    pub state: Lifecycle,
    /// (VPC id, attachment state).
    pub attachments: Vec<(String, GatewayAttachmentState)>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VpnConnection {
    pub id: String,
    pub name: Option<String>,
    pub vpn_gateway_id: Option<String>,
    pub transit_gateway_id: Option<String>,
    pub state: Lifecycle,
    /// Static routes toward the customer network whose `State` is
    /// `available` (BGP routes are not in describe output).
    pub static_routes: Vec<Ipv4Net>,
    /// `Options.StaticRoutesOnly`: `Some(true)` routes only by its static
    /// routes, `Some(false)` by BGP (routes the customer gateway advertises,
    /// which no describe call shows), `None` when the output lacks it.
    pub static_routes_only: Option<bool>,
    /// `VgwTelemetry[]`, one per tunnel; empty when the output lacks it.
    pub tunnels: Vec<VpnTunnel>,
}

/// One tunnel of a VPN connection as `VgwTelemetry` reports it.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VpnTunnel {
    pub outside_ip_address: Option<String>,
    /// `UP` or `DOWN`.
    pub status: String,
    pub status_message: Option<String>,
}

impl VpnConnection {
    /// Every tunnel `VgwTelemetry` reports is `DOWN`: the connection carries
    /// nothing. False when telemetry is absent (unknown, not down).
    pub fn all_tunnels_down(&self) -> bool {
        !self.tunnels.is_empty() && self.tunnels.iter().all(|t| t.status == "DOWN")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EndpointKind {
    Gateway,
    Interface,
    GatewayLoadBalancer,
    Other(String),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VpcEndpoint {
    pub id: String,
    pub name: Option<String>,
    pub kind: EndpointKind,
    pub vpc_id: String,
    pub service_name: String,
    pub state: Lifecycle,
    pub route_table_ids: Vec<String>,
    pub subnet_ids: Vec<String>,
    pub network_interface_ids: Vec<String>,
}

/// Where a resource came from (for messages), independent of file formats.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub region: Option<String>,
    pub account: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Vpc {
    pub id: String,
    pub name: Option<String>,
    pub cidrs: Vec<Ipv4Net>,
    /// Associated IPv6 CIDRs (dual-stack VPC).
    pub ipv6_cidrs: Vec<Ipv6Net>,
    pub state: Lifecycle,
    pub owner: Option<String>,
    pub location: Location,
    pub tags: BTreeMap<String, String>,
    /// `BlockPublicAccessStates.InternetGatewayBlockMode` as describe-vpcs
    /// prints it (BPA.7).
    pub bpa_mode: Option<BpaMode>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Subnet {
    pub id: String,
    pub name: Option<String>,
    pub vpc_id: String,
    pub cidr: Ipv4Net,
    /// Associated IPv6 CIDRs (a /64 of the VPC's).
    pub ipv6_cidrs: Vec<Ipv6Net>,
    pub availability_zone: Option<String>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RouteTable {
    pub id: String,
    pub name: Option<String>,
    pub vpc_id: String,
    pub is_main: bool,
    pub subnet_ids: Vec<String>,
    /// Gateways (igw-, vgw-) with an edge association: inbound traffic from
    /// them is routed by this table (C3.2).
    pub gateway_ids: Vec<String>,
    pub routes: Vec<Route>,
    /// Association ids (`rtbassoc-…`) by associated subnet or gateway id,
    /// when the snapshot has them; what `DisassociateRouteTable` and
    /// `ReplaceRouteTableAssociation` name.
    pub association_ids: BTreeMap<String, String>,
    /// The id of the main association, when this is the main table.
    pub main_association_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RouteDestination {
    Cidr(Ipv4Net),
    PrefixList(String),
    /// An IPv6 route: kept so that output can list it, never matched by the
    /// IPv4 engine.
    Ipv6(String),
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RouteTarget {
    Local,
    InternetGateway(String),
    NatGateway(String),
    VpcPeering(String),
    NetworkInterface(String),
    Instance(String),
    TransitGateway(String),
    VpnGateway(String),
    VpcEndpoint(String),
    EgressOnlyInternetGateway(String),
    /// Carrier, local, core-network and other gateways the engine does not
    /// model; carried so that output can name them.
    Other {
        kind: OtherTarget,
        id: String,
    },
}

/// Route targets the engine carries only to name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OtherTarget {
    /// A `GatewayId` of a kind the engine does not know.
    Gateway,
    CarrierGateway,
    LocalGateway,
    CoreNetwork,
}

impl OtherTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            OtherTarget::Gateway => "gateway",
            OtherTarget::CarrierGateway => "carrier gateway",
            OtherTarget::LocalGateway => "local gateway",
            OtherTarget::CoreNetwork => "core network",
        }
    }
}

impl RouteTarget {
    pub fn id(&self) -> &str {
        match self {
            RouteTarget::Local => "local",
            RouteTarget::InternetGateway(id)
            | RouteTarget::NatGateway(id)
            | RouteTarget::VpcPeering(id)
            | RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance(id)
            | RouteTarget::TransitGateway(id)
            | RouteTarget::VpnGateway(id)
            | RouteTarget::VpcEndpoint(id)
            | RouteTarget::EgressOnlyInternetGateway(id)
            | RouteTarget::Other { id, .. } => id,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RouteOrigin {
    CreateRouteTable,
    CreateRoute,
    EnableVgwRoutePropagation,
    Other(String),
}

aws_state! {
    /// `State` of a VPC or transit gateway route.
    RouteState {
        Active = "active",
        Blackhole = "blackhole",
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Route {
    pub destination: RouteDestination,
    pub target: RouteTarget,
    pub origin: RouteOrigin,
    pub state: RouteState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RuleAction {
    Allow,
    Deny,
}

/// An IP protocol as rules name it: a number, or every protocol (`-1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Protocol {
    All,
    Number(u8),
}

impl Protocol {
    /// A protocol as EC2 and the CLI spell it: `tcp`, `udp`, `icmp`,
    /// `icmpv6` (any case), `-1` or `all`, or an IANA number 0-255.
    pub fn parse(name: &str) -> Option<Protocol> {
        match name.to_ascii_lowercase().as_str() {
            "-1" | "all" => Some(Protocol::All),
            "tcp" => Some(Protocol::Number(6)),
            "udp" => Some(Protocol::Number(17)),
            "icmp" => Some(Protocol::Number(1)),
            "icmpv6" => Some(Protocol::Number(58)),
            n => n.parse::<u8>().ok().map(Protocol::Number),
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NetworkAcl {
    pub id: String,
    pub name: Option<String>,
    pub vpc_id: String,
    pub is_default: bool,
    pub subnet_ids: Vec<String>,
    /// Association ids (`aclassoc-…`) by subnet id, when the snapshot has
    /// them; what `ReplaceNetworkAclAssociation` names.
    pub association_ids: BTreeMap<String, String>,
    /// In snapshot order; the engine sorts by rule number.
    pub entries: Vec<AclEntry>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct AclEntry {
    pub rule_number: u32,
    pub egress: bool,
    pub protocol: Protocol,
    pub action: RuleAction,
    /// IPv4 CIDR; `None` for an IPv6 entry, which never matches IPv4 (C2.6).
    pub cidr: Option<Ipv4Net>,
    pub ipv6_cidr: Option<String>,
    pub port_range: Option<(u16, u16)>,
    /// ICMP (type, code); -1 means all.
    pub icmp_type_code: Option<(i32, i32)>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub ingress: Vec<SgRule>,
    pub egress: Vec<SgRule>,
    pub tags: BTreeMap<String, String>,
}

/// One rule with one peer: `IpPermissions` are flattened so that every rule
/// names exactly one CIDR, prefix list or group.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SgRule {
    pub protocol: Protocol,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub peer: SgPeer,
    pub description: Option<String>,
    /// `sgr-…`, when the snapshot holds `describe-security-group-rules`
    /// output (`SecurityGroupRules`); what `ModifySecurityGroupRules` names.
    pub rule_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SgPeer {
    Cidr(Ipv4Net),
    Ipv6Cidr(String),
    PrefixList(String),
    Group {
        group_id: String,
        vpc_id: Option<String>,
        peering_id: Option<String>,
    },
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct InternetGateway {
    pub id: String,
    pub name: Option<String>,
    /// (VPC id, attachment state).
    pub attachments: Vec<(String, GatewayAttachmentState)>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NatConnectivity {
    Public,
    Private,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NatGateway {
    pub id: String,
    pub name: Option<String>,
    pub vpc_id: String,
    pub subnet_id: String,
    pub state: Lifecycle,
    pub connectivity: NatConnectivity,
    pub addresses: Vec<NatAddress>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NatAddress {
    pub network_interface_id: Option<String>,
    pub private_ip: Option<Ipv4Addr>,
    pub public_ip: Option<Ipv4Addr>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct NetworkInterface {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub vpc_id: String,
    pub subnet_id: String,
    pub availability_zone: Option<String>,
    pub interface_type: String,
    pub status: EniStatus,
    pub private_ips: Vec<PrivateIp>,
    /// IPv6 addresses: global, so the same inside and on the internet.
    pub ipv6_addresses: Vec<Ipv6Addr>,
    pub group_ids: Vec<String>,
    pub source_dest_check: bool,
    pub attachment: Option<EniAttachment>,
    pub tags: BTreeMap<String, String>,
}

impl NetworkInterface {
    pub fn primary_ip(&self) -> Option<Ipv4Addr> {
        self.private_ips
            .iter()
            .find(|p| p.primary)
            .or(self.private_ips.first())
            .map(|p| p.address)
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PrivateIp {
    pub address: Ipv4Addr,
    pub primary: bool,
    pub public_ip: Option<Ipv4Addr>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EniAttachment {
    pub instance_id: Option<String>,
    pub device_index: Option<i32>,
    pub status: EniAttachmentStatus,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Instance {
    pub id: String,
    pub name: Option<String>,
    pub state: InstanceState,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    /// ENIs by device index (primary first).
    pub network_interface_ids: Vec<String>,
    pub source_dest_check: Option<bool>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VpcPeering {
    pub id: String,
    pub name: Option<String>,
    pub status: PeeringStatus,
    pub requester: PeeringSide,
    pub accepter: PeeringSide,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PeeringSide {
    pub vpc_id: String,
    pub cidrs: Vec<Ipv4Net>,
    pub owner: Option<String>,
    pub region: Option<String>,
}

impl VpcPeering {
    /// The side opposite `vpc_id`, if `vpc_id` is one of the two.
    pub fn peer_of(&self, vpc_id: &str) -> Option<&PeeringSide> {
        if self.requester.vpc_id == vpc_id {
            Some(&self.accepter)
        } else if self.accepter.vpc_id == vpc_id {
            Some(&self.requester)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PrefixList {
    pub id: String,
    pub name: Option<String>,
    /// `None` when the snapshot has the list's metadata but not its entries.
    pub cidrs: Option<Vec<Ipv4Net>>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ElasticIp {
    pub public_ip: Ipv4Addr,
    pub allocation_id: Option<String>,
    /// `eipassoc-…` while associated; what `DisassociateAddress` names.
    pub association_id: Option<String>,
    pub network_interface_id: Option<String>,
    pub private_ip: Option<Ipv4Addr>,
}

impl Network {
    pub fn name_of(&self, id: &str) -> Option<&str> {
        let name = match id.split('-').next().unwrap_or("") {
            "vpc" => self.vpcs.get(id).and_then(|v| v.name.as_deref()),
            "subnet" => self.subnets.get(id).and_then(|v| v.name.as_deref()),
            "rtb" => self.route_tables.get(id).and_then(|v| v.name.as_deref()),
            "acl" => self.network_acls.get(id).and_then(|v| v.name.as_deref()),
            "sg" => self.security_groups.get(id).map(|v| v.name.as_str()),
            "igw" => self
                .internet_gateways
                .get(id)
                .and_then(|v| v.name.as_deref()),
            "eigw" => self
                .egress_only_gateways
                .get(id)
                .and_then(|v| v.name.as_deref()),
            "nat" => self.nat_gateways.get(id).and_then(|v| v.name.as_deref()),
            "eni" => self
                .network_interfaces
                .get(id)
                .and_then(|v| v.name.as_deref()),
            "i" => self.instances.get(id).and_then(|v| v.name.as_deref()),
            "pcx" => self.peerings.get(id).and_then(|v| v.name.as_deref()),
            "pl" => self.prefix_lists.get(id).and_then(|v| v.name.as_deref()),
            "tgw" if id.starts_with("tgw-attach-") => {
                self.tgw_attachments.get(id).and_then(|v| v.name.as_deref())
            }
            "tgw" if id.starts_with("tgw-rtb-") => self
                .tgw_route_tables
                .get(id)
                .and_then(|v| v.name.as_deref()),
            "tgw" => self
                .transit_gateways
                .get(id)
                .and_then(|v| v.name.as_deref()),
            "vgw" => self.vpn_gateways.get(id).and_then(|v| v.name.as_deref()),
            "vpn" => self.vpn_connections.get(id).and_then(|v| v.name.as_deref()),
            "vpce" => self.vpc_endpoints.get(id).and_then(|v| v.name.as_deref()),
            _ => None,
        };
        name.filter(|n| !n.is_empty())
    }

    pub fn resource_count(&self) -> usize {
        self.vpcs.len()
            + self.subnets.len()
            + self.route_tables.len()
            + self.network_acls.len()
            + self.security_groups.len()
            + self.internet_gateways.len()
            + self.egress_only_gateways.len()
            + self.nat_gateways.len()
            + self.network_interfaces.len()
            + self.instances.len()
            + self.peerings.len()
            + self.prefix_lists.len()
            + self.transit_gateways.len()
            + self.tgw_attachments.len()
            + self.tgw_route_tables.len()
            + self.vpn_gateways.len()
            + self.vpn_connections.len()
            + self.vpc_endpoints.len()
            + self.load_balancers.len()
            + self.target_groups.len()
    }
}

/// Elastic Load Balancing (C9).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum LbKind {
    Application,
    Network,
    Gateway,
    Classic,
}

impl LbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LbKind::Application => "application",
            LbKind::Network => "network",
            LbKind::Gateway => "gateway",
            LbKind::Classic => "classic",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LoadBalancer {
    /// The ARN (ELBv2) or the name (classic).
    pub id: String,
    pub name: String,
    pub kind: LbKind,
    pub internet_facing: bool,
    pub vpc_id: String,
    /// `active`, `provisioning`, `failed`, … (classic: always `active`).
    pub state: LbState,
    pub dns_name: String,
    /// One node per enabled subnet.
    pub zones: Vec<LbZone>,
    pub security_groups: Vec<String>,
    pub listeners: Vec<LbListener>,
    /// `describe-load-balancer-attributes`; `None` when not in the snapshot.
    pub attributes: Option<BTreeMap<String, String>>,
    /// Classic: registered instances (on each listener's instance port).
    pub classic_instances: Vec<String>,
}

impl LoadBalancer {
    /// The form AWS's ENI description uses: `app/<name>/<id>` (ELBv2) or the name.
    pub fn eni_description(&self) -> String {
        match self.kind {
            LbKind::Classic => format!("ELB {}", self.name),
            _ => {
                let tail = self.id.split(":loadbalancer/").nth(1).unwrap_or(&self.name);
                format!("ELB {tail}")
            }
        }
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LbZone {
    pub zone: String,
    pub subnet_id: String,
    /// NLB: `PrivateIPv4Address` of the node, when printed.
    pub private_ip: Option<Ipv4Addr>,
    /// NLB: the Elastic IP of the node, when printed.
    pub public_ip: Option<Ipv4Addr>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LbListener {
    pub id: String,
    /// HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP (classic: HTTP, HTTPS, TCP, SSL); `None` for GWLB.
    pub protocol: Option<String>,
    pub port: Option<u16>,
    pub action: LbAction,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum LbAction {
    /// Forward to these target groups (ARNs).
    Forward(Vec<String>),
    /// Classic: to every registered instance on this port.
    Instances { protocol: String, port: u16 },
    /// redirect, fixed-response, authenticate-*: nothing is forwarded.
    Other(String),
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub protocol: Option<String>,
    pub port: Option<u16>,
    pub vpc_id: Option<String>,
    /// `instance`, `ip`, `lambda` or `alb`.
    pub target_type: String,
    pub load_balancer_arns: Vec<String>,
    /// `None` when `describe-target-health` for the group is not in the snapshot.
    pub targets: Option<Vec<LbTarget>>,
    /// `describe-target-group-attributes`; `None` when not in the snapshot.
    pub attributes: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LbTarget {
    /// Instance id, IP address, Lambda ARN or ALB ARN.
    pub id: String,
    /// The registered port (defaults to the group's port).
    pub port: Option<u16>,
    /// `all` for IP targets outside the VPC, else the AZ when printed.
    pub availability_zone: Option<String>,
    /// Health as printed; ignored by the analysis (like RA), only reported.
    pub health: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_as_printed_and_keep_unknown_values() {
        for text in ["available", "attached", "pendingAcceptance", ""] {
            assert_eq!(Lifecycle::parse(text).as_str(), text);
            assert_eq!(GatewayAttachmentState::parse(text).to_string(), text);
        }
        assert_eq!(Lifecycle::parse(""), Lifecycle::Unstated);
        assert_eq!(
            InstanceState::parse("hibernating"),
            InstanceState::Other("hibernating".into())
        );
        assert!(GatewayAttachmentState::parse("available").is_attached());
        assert!(!GatewayAttachmentState::parse("detached").is_attached());
        assert_eq!(
            PeeringStatus::parse("pending-acceptance").as_str(),
            "pending-acceptance"
        );
    }
}
