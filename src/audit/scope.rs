//! Network Access Scopes as plain values: which paths a user wants to hear
//! about (aws-vpc-semantics.md B.1, B.2). Parsed from AWS's JSON by
//! [`crate::snapshot::scope_shapes`]; nothing here knows JSON.

use std::collections::{BTreeMap, HashSet};

use crate::packet::*;

/// A scope: a finding is traffic on a path that matches at least one of
/// `match_paths` and none of `exclude_paths` (B.1.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// A built-in's name, or the file the scope was read from.
    pub name: String,
    pub match_paths: Vec<ScopePath>,
    pub exclude_paths: Vec<ScopePath>,
}

/// AWS's `AccessScopePath`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopePath {
    pub source: Option<PathStatement>,
    pub destination: Option<PathStatement>,
    /// Every element must be passed through (each holds one resource statement).
    pub through: Vec<ResourceStatement>,
    /// Where the path sits in the scope, e.g. `MatchPaths[0]` (for messages).
    pub json_path: String,
}

/// AWS's `PathStatement`: what the end is and which headers it sends or receives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathStatement {
    pub resources: Option<ResourceStatement>,
    pub headers: Option<HeaderStatement>,
}

/// AWS's `ResourceStatement`, plus our `Tags` extension. Every field that is
/// present must match (AWS allows `Resources` or `ResourceTypes`, not both).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceStatement {
    /// Resource ids (ARNs are reduced to their id): `eni-`, `i-`, `igw-`,
    /// `pcx-`, `nat-`, `sg-` (ENIs carrying it), `subnet-`, `vpc-` (ENIs in it).
    pub resources: Option<Vec<String>>,
    pub types: Option<Vec<ResourceType>>,
    /// vpcreach extension: every pair must be among the resource's tags
    /// (an ENI inherits its instance's, subnet's and VPC's tags).
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    NetworkInterface,
    Instance,
    InternetGateway,
    NatGateway,
    VpcPeeringConnection,
    NetworkFirewall,
    TransitGatewayAttachment,
    VpcEndpoint,
    VpcEndpointService,
    VpnGateway,
    ClassicLoadBalancer,
    LoadBalancerV2,
}

impl ResourceType {
    /// Every spelling accepted, with its type. Both Network Firewall
    /// spellings are AWS's own (doc list and doc example).
    pub const NAMES: &'static [(&'static str, ResourceType)] = &[
        ("AWS::EC2::NetworkInterface", ResourceType::NetworkInterface),
        ("AWS::EC2::Instance", ResourceType::Instance),
        ("AWS::EC2::InternetGateway", ResourceType::InternetGateway),
        ("AWS::EC2::NatGateway", ResourceType::NatGateway),
        (
            "AWS::EC2::VPCPeeringConnection",
            ResourceType::VpcPeeringConnection,
        ),
        (
            "AWS::NetworkFirewall::Firewall",
            ResourceType::NetworkFirewall,
        ),
        (
            "AWS::NetworkFirewall::NetworkFirewall",
            ResourceType::NetworkFirewall,
        ),
        (
            "AWS::EC2::TransitGatewayAttachment",
            ResourceType::TransitGatewayAttachment,
        ),
        ("AWS::EC2::VPCEndpoint", ResourceType::VpcEndpoint),
        (
            "AWS::EC2::VPCEndpointService",
            ResourceType::VpcEndpointService,
        ),
        ("AWS::EC2::VPNGateway", ResourceType::VpnGateway),
        (
            "AWS::ElasticLoadBalancing::LoadBalancer",
            ResourceType::ClassicLoadBalancer,
        ),
        (
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            ResourceType::LoadBalancerV2,
        ),
    ];

    pub fn parse(s: &str) -> Option<ResourceType> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, t)| *t)
    }

    /// May a path start or end here (B.2 table)?
    pub fn allowed_at_end(self) -> bool {
        !matches!(
            self,
            ResourceType::NatGateway
                | ResourceType::NetworkFirewall
                | ResourceType::ClassicLoadBalancer
                | ResourceType::LoadBalancerV2
        )
    }

    /// May a path go through it (B.2 table)?
    pub fn allowed_through(self) -> bool {
        !matches!(
            self,
            ResourceType::NetworkInterface
                | ResourceType::Instance
                | ResourceType::InternetGateway
                | ResourceType::VpnGateway
        )
    }

    /// Modelled by this version (the others match nothing, with a warning).
    pub fn modelled(self) -> bool {
        matches!(
            self,
            ResourceType::NetworkInterface
                | ResourceType::Instance
                | ResourceType::InternetGateway
                | ResourceType::NatGateway
                | ResourceType::VpcPeeringConnection
                | ResourceType::ClassicLoadBalancer
                | ResourceType::LoadBalancerV2
                | ResourceType::TransitGatewayAttachment
                | ResourceType::VpcEndpoint
                | ResourceType::VpnGateway
        )
    }
}

/// AWS's `PacketHeaderStatement`, resolved to sets. `None` matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderStatement {
    pub source_addresses: Option<AddrSet>,
    pub destination_addresses: Option<AddrSet>,
    pub source_ports: Option<PortSet>,
    pub destination_ports: Option<PortSet>,
    /// Prefix list ids, resolved against the snapshot by the analysis.
    pub source_prefix_lists: Vec<String>,
    pub destination_prefix_lists: Vec<String>,
    pub protocols: Option<ProtoSet>,
}

impl Scope {
    /// Could a path of this scope go through a load balancer (a `Through`
    /// statement naming a load balancer type, or an id that is not an EC2
    /// one: an ELB ARN or a classic load balancer's name)?
    pub fn may_pass_load_balancers(&self) -> bool {
        const EC2: &[&str] = &[
            "eni-", "i-", "igw-", "pcx-", "nat-", "sg-", "subnet-", "vpc-", "vgw-", "tgw-", "vpce-",
        ];
        self.match_paths
            .iter()
            .chain(&self.exclude_paths)
            .flat_map(|p| &p.through)
            .any(|st| {
                st.types.iter().flatten().any(|t| {
                    matches!(
                        t,
                        ResourceType::LoadBalancerV2 | ResourceType::ClassicLoadBalancer
                    )
                }) || st
                    .resources
                    .iter()
                    .flatten()
                    .any(|id| !EC2.iter().any(|p| id.starts_with(p)))
            })
    }
}

impl ScopePath {
    /// Add `path` unless an identical statement (whatever its JSON path)
    /// is already in `paths`: a scope is a set of paths, and repeats would
    /// only multiply the audit's work (10,000 copies of one path are one).
    pub fn push_distinct(paths: &mut Vec<ScopePath>, seen: &mut HashSet<String>, path: ScopePath) {
        let key = format!(
            "{:?}",
            ScopePath {
                json_path: String::new(),
                ..path.clone()
            }
        );
        if seen.insert(key) {
            paths.push(path);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_none() && self.destination.is_none() && self.through.is_empty()
    }
}

/// The built-in scopes (aws-vpc-semantics.md B.3), as scope JSON: the same
/// text as docs/scopes/*.json.
pub const BUILT_INS: &[(&str, &str)] = &[
    (
        "all-igw-ingress",
        include_str!("../../docs/scopes/all-igw-ingress.json"),
    ),
    (
        "aws-igw-egress",
        include_str!("../../docs/scopes/aws-igw-egress.json"),
    ),
    (
        "aws-vpc-ingress",
        include_str!("../../docs/scopes/aws-vpc-ingress.json"),
    ),
    (
        "aws-vpc-egress",
        include_str!("../../docs/scopes/aws-vpc-egress.json"),
    ),
];

/// The built-in scope's JSON text for a name, case-insensitively
/// (AWS spells them `All-IGW-Ingress`, `AWS-IGW-Egress`, ...).
pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_INS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, t)| *t)
}
