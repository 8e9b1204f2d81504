//! The network as a graph plus the lookups every hop needs.
//!
//! Owns: which route table and network ACL each subnet uses (explicit
//! association, else the VPC's main table / default ACL — C2.1, C3.1), who
//! owns each private and public address, which ENIs carry each security
//! group, which load balancer a node interface belongs to, and a petgraph
//! graph of components joined by attachment and routing, used to tell
//! connected from disconnected VPCs. Must not know:
//! packets, rules, or output formats.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::Ipv4Addr;

use petgraph::graph::{NodeIndex, UnGraph};

use crate::model::*;
use crate::packet::{addr_of, net_set, nets_set, public_internet, Addr, AddrSet};

/// A private address inside one VPC (private ranges overlap across VPCs).
pub type VpcAddr = (String, Addr);

#[derive(Debug)]
pub struct Topology<'n> {
    pub net: &'n Network,
    subnet_route_table: HashMap<String, String>,
    subnet_acl: HashMap<String, String>,
    gateway_route_table: HashMap<String, String>,
    private_owner: HashMap<VpcAddr, String>,
    public_owner: HashMap<Addr, (String, Ipv4Addr)>,
    sg_members: HashMap<String, Vec<&'n NetworkInterface>>,
    /// Per subnet, in id order: its ENIs with their addresses (every walk
    /// entering a subnet asks which of them the traffic is for).
    subnet_enis: HashMap<String, Vec<(&'n NetworkInterface, AddrSet)>>,
    /// Per VPC, in id order: its subnets with their addresses.
    vpc_subnet_addrs: HashMap<String, Vec<(&'n Subnet, AddrSet)>>,
    /// Per subnet: every address none of its ENIs holds.
    subnet_unowned: HashMap<String, AddrSet>,
    /// Per VPC: every address none of its subnets holds.
    vpc_unowned: HashMap<String, AddrSet>,
    /// Per VPC: (private, public, attached) for every public mapping.
    vpc_public: HashMap<String, Vec<(Addr, Addr, bool)>>,
    nat_by_eni: HashMap<String, String>,
    nat_by_private_ip: HashMap<VpcAddr, String>,
    graph: UnGraph<String, ()>,
    node_of: HashMap<String, NodeIndex>,
    /// Connected component of every graph node, by node index.
    component: Vec<usize>,
    /// The same without peering connections: they do not chain (C6.3).
    component_without_peering: Vec<usize>,
    /// Pairs (both orders) of peering-free components an active peering
    /// connection joins.
    peered_components: HashSet<(usize, usize)>,
    /// `group_addrs` answers by (group, VPC): pure in the snapshot, so
    /// computed once and shared by every walk (and thread).
    group_addrs_cache: std::sync::RwLock<HashMap<(String, String), AddrSet>>,
    /// Values the engine derives once per topology and shares between
    /// walks and threads (`analysis::rules`' rule cubes). Opaque here: the
    /// topology neither knows nor builds what is inside.
    engine_memo: EngineMemo,
}

/// See [`Topology::engine_memo`].
#[derive(Default)]
struct EngineMemo(std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>);

impl std::fmt::Debug for EngineMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EngineMemo")
    }
}

impl<'n> Topology<'n> {
    pub fn new(net: &'n Network) -> Self {
        let mut t = Topology {
            net,
            subnet_route_table: HashMap::new(),
            subnet_acl: HashMap::new(),
            gateway_route_table: HashMap::new(),
            private_owner: HashMap::new(),
            public_owner: HashMap::new(),
            sg_members: HashMap::new(),
            subnet_enis: HashMap::new(),
            vpc_subnet_addrs: HashMap::new(),
            subnet_unowned: HashMap::new(),
            vpc_unowned: HashMap::new(),
            vpc_public: HashMap::new(),
            nat_by_eni: HashMap::new(),
            nat_by_private_ip: HashMap::new(),
            graph: UnGraph::new_undirected(),
            node_of: HashMap::new(),
            component: Vec::new(),
            component_without_peering: Vec::new(),
            peered_components: HashSet::new(),
            group_addrs_cache: Default::default(),
            engine_memo: EngineMemo::default(),
        };
        let mut main_table: HashMap<&str, &str> = HashMap::new();
        for rt in net.route_tables.values() {
            if rt.is_main {
                main_table.insert(&rt.vpc_id, &rt.id);
            }
            for s in &rt.subnet_ids {
                t.subnet_route_table.insert(s.clone(), rt.id.clone());
            }
            for g in &rt.gateway_ids {
                t.gateway_route_table.insert(g.clone(), rt.id.clone());
            }
        }
        let mut default_acl: HashMap<&str, &str> = HashMap::new();
        for acl in net.network_acls.values() {
            if acl.is_default {
                default_acl.insert(&acl.vpc_id, &acl.id);
            }
            for s in &acl.subnet_ids {
                t.subnet_acl.insert(s.clone(), acl.id.clone());
            }
        }
        for s in net.subnets.values() {
            t.vpc_subnet_addrs
                .entry(s.vpc_id.clone())
                .or_default()
                .push((s, subnet_addrs(s)));
            if !t.subnet_route_table.contains_key(&s.id) {
                if let Some(main) = main_table.get(s.vpc_id.as_str()) {
                    t.subnet_route_table.insert(s.id.clone(), main.to_string());
                }
            }
            if !t.subnet_acl.contains_key(&s.id) {
                if let Some(d) = default_acl.get(s.vpc_id.as_str()) {
                    t.subnet_acl.insert(s.id.clone(), d.to_string());
                }
            }
        }
        // ENIs a NAT gateway names in its NatGatewayAddresses: in use by it,
        // whatever InterfaceType the ENI itself reports (EC2 prints
        // `nat_gateway`; emulators such as moto print `interface`).
        let nat_enis: BTreeSet<&str> = net
            .nat_gateways
            .values()
            .flat_map(|n| &n.addresses)
            .filter_map(|a| a.network_interface_id.as_deref())
            .collect();
        for eni in net.network_interfaces.values() {
            t.subnet_enis
                .entry(eni.subnet_id.clone())
                .or_default()
                .push((eni, eni_addrs(eni)));
            // The IGW maps only addresses of attached ENIs (C4.2, C4.3);
            // requester-managed ENIs (NAT gateways, endpoints) count as attached.
            let attached = eni.interface_type != "interface"
                || nat_enis.contains(eni.id.as_str())
                || eni
                    .attachment
                    .as_ref()
                    .is_some_and(|a| a.status == EniAttachmentStatus::Attached);
            for p in &eni.private_ips {
                if let Some(public) = p.public_ip {
                    t.vpc_public.entry(eni.vpc_id.clone()).or_default().push((
                        addr_of(p.address),
                        addr_of(public),
                        attached,
                    ));
                }
                t.private_owner
                    .insert((eni.vpc_id.clone(), addr_of(p.address)), eni.id.clone());
            }
            // IPv6 addresses are global: an internet gateway passes them
            // unchanged (C4.6), an identity mapping.
            for a in &eni.ipv6_addresses {
                t.private_owner
                    .insert((eni.vpc_id.clone(), addr_of(*a)), eni.id.clone());
                t.vpc_public.entry(eni.vpc_id.clone()).or_default().push((
                    addr_of(*a),
                    addr_of(*a),
                    attached,
                ));
            }
            for p in &eni.private_ips {
                if let Some(public) = p.public_ip {
                    t.public_owner
                        .insert(addr_of(public), (eni.id.clone(), p.address));
                }
            }
            for g in &eni.group_ids {
                t.sg_members.entry(g.clone()).or_default().push(eni);
            }
        }
        t.subnet_unowned = unowned(&t.subnet_enis);
        t.vpc_unowned = unowned(&t.vpc_subnet_addrs);
        for nat in net.nat_gateways.values() {
            for a in &nat.addresses {
                if let Some(eni) = &a.network_interface_id {
                    t.nat_by_eni.insert(eni.clone(), nat.id.clone());
                }
                if let Some(ip) = a.private_ip {
                    t.nat_by_private_ip
                        .insert((nat.vpc_id.clone(), addr_of(ip)), nat.id.clone());
                    if let Some(public) = a.public_ip {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            t.public_owner.entry(addr_of(public))
                        {
                            let owner = a
                                .network_interface_id
                                .clone()
                                .unwrap_or_else(|| nat.id.clone());
                            slot.insert((owner, ip));
                            t.vpc_public.entry(nat.vpc_id.clone()).or_default().push((
                                addr_of(ip),
                                addr_of(public),
                                true,
                            ));
                        }
                    }
                }
            }
        }
        t.build_graph();
        let mut sets = petgraph::unionfind::UnionFind::new(t.graph.node_count());
        for e in t.graph.raw_edges() {
            sets.union(e.source().index(), e.target().index());
        }
        t.component = sets.into_labeling();
        t.join_without_peering();
        t
    }

    fn join_without_peering(&mut self) {
        let is_peering = |n: NodeIndex| self.net.peerings.contains_key(&self.graph[n]);
        let mut sets = petgraph::unionfind::UnionFind::new(self.graph.node_count());
        for e in self.graph.raw_edges() {
            if !is_peering(e.source()) && !is_peering(e.target()) {
                sets.union(e.source().index(), e.target().index());
            }
        }
        let labels = sets.into_labeling();
        let mut peered = HashSet::new();
        for p in self.net.peerings.values() {
            if p.status != PeeringStatus::Active {
                continue;
            }
            let label = |vpc: &str| self.node_of.get(vpc).map(|n| labels[n.index()]);
            if let (Some(a), Some(b)) = (label(&p.requester.vpc_id), label(&p.accepter.vpc_id)) {
                peered.insert((a, b));
                peered.insert((b, a));
            }
        }
        self.component_without_peering = labels;
        self.peered_components = peered;
    }

    fn node(&mut self, id: &str) -> NodeIndex {
        if let Some(n) = self.node_of.get(id) {
            return *n;
        }
        let n = self.graph.add_node(id.to_string());
        self.node_of.insert(id.to_string(), n);
        n
    }

    fn edge(&mut self, a: &str, b: &str) {
        let (na, nb) = (self.node(a), self.node(b));
        self.graph.update_edge(na, nb, ());
    }

    /// Components joined by containment and by working attachments: a path
    /// between two VPCs can only exist where this graph connects them.
    fn build_graph(&mut self) {
        let net = self.net;
        for vpc in net.vpcs.keys() {
            self.node(vpc);
        }
        for s in net.subnets.values() {
            self.edge(&s.id, &s.vpc_id);
        }
        for e in net.network_interfaces.values() {
            self.edge(&e.id, &e.subnet_id);
        }
        for igw in net.internet_gateways.values() {
            for (vpc, state) in &igw.attachments {
                if state.is_attached() {
                    self.edge(&igw.id, vpc);
                }
            }
        }
        for nat in net.nat_gateways.values() {
            // A regional NAT gateway sits in no subnet, only in its VPC (RNGW.1).
            let home = if nat.regional.is_some() {
                &nat.vpc_id
            } else {
                &nat.subnet_id
            };
            self.edge(&nat.id, home);
        }
        for a in net.tgw_attachments.values() {
            if !a.state.is_available_or_unstated() {
                continue;
            }
            if let Some(v) = &a.vpc {
                self.edge(&a.id, &v.vpc_id);
                self.edge(&a.id, &a.tgw_id);
            }
            // A peering attachment joins the transit gateways at its ends (C7.8).
            if let Some(p) = &a.peering {
                self.edge(&a.id, &a.tgw_id);
                if let Some(far) = p.far_end(&a.tgw_id, a.resource_id.as_deref()) {
                    self.edge(&a.id, far);
                }
            }
        }
        for g in net.vpn_gateways.values() {
            for (vpc, state) in &g.attachments {
                if *state == GatewayAttachmentState::Attached {
                    self.edge(&g.id, vpc);
                }
            }
        }
        for p in net.peerings.values() {
            if p.status == PeeringStatus::Active {
                self.edge(&p.id, &p.requester.vpc_id);
                self.edge(&p.id, &p.accepter.vpc_id);
            }
        }
    }

    /// Are two components joined by any chain of attachments?
    pub fn connected(&self, a: &str, b: &str) -> bool {
        match (self.node_of.get(a), self.node_of.get(b)) {
            (Some(&na), Some(&nb)) => self.component[na.index()] == self.component[nb.index()],
            _ => false,
        }
    }

    /// Can traffic from VPC `a` be delivered to a private address in VPC
    /// `b`? Only within what transit gateways and VPN gateways join
    /// together, plus at most one peering connection: peering is not
    /// transitive and carries only traffic for the peer VPC's own CIDRs
    /// (C6.3). Over-approximates the engine; the internet is not counted
    /// (a private IPv4 address is not reachable across it; IPv6 is).
    pub fn privately_reachable(&self, a: &str, b: &str) -> bool {
        match (self.node_of.get(a), self.node_of.get(b)) {
            (Some(&na), Some(&nb)) => {
                let (ca, cb) = (
                    self.component_without_peering[na.index()],
                    self.component_without_peering[nb.index()],
                );
                ca == cb || self.peered_components.contains(&(ca, cb))
            }
            _ => false,
        }
    }

    pub fn graph(&self) -> &UnGraph<String, ()> {
        &self.graph
    }

    pub fn route_table_of_subnet(&self, subnet: &str) -> Option<&'n RouteTable> {
        self.subnet_route_table
            .get(subnet)
            .and_then(|id| self.net.route_tables.get(id))
    }

    pub fn acl_of_subnet(&self, subnet: &str) -> Option<&'n NetworkAcl> {
        self.subnet_acl
            .get(subnet)
            .and_then(|id| self.net.network_acls.get(id))
    }

    /// The gateway route table (edge association) of an IGW or VGW, if any.
    pub fn gateway_route_table(&self, gateway: &str) -> Option<&'n RouteTable> {
        self.gateway_route_table
            .get(gateway)
            .and_then(|id| self.net.route_tables.get(id))
    }

    /// The ids of a VPC's subnets, in id order.
    pub fn subnets_of_vpc(&self, vpc: &str) -> impl Iterator<Item = &'n String> + '_ {
        self.subnets_with_addrs(vpc).iter().map(|(s, _)| &s.id)
    }

    pub fn private_owner(&self, vpc: &str, addr: Addr) -> Option<&'n NetworkInterface> {
        self.private_owner
            .get(&(vpc.to_string(), addr))
            .and_then(|id| self.net.network_interfaces.get(id))
    }

    /// Every ENI owning a private address, in any VPC (for resolving a bare IP).
    pub fn private_owners_anywhere(&self, addr: Addr) -> Vec<&'n NetworkInterface> {
        let mut out: Vec<&NetworkInterface> = self
            .net
            .network_interfaces
            .values()
            .filter(|e| eni_owns(e, addr))
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Owner of a public address: (ENI id — or NAT gateway id when the
    /// snapshot lacks its ENI — and the private address it maps to).
    pub fn public_owner(&self, addr: Addr) -> Option<(&str, Ipv4Addr)> {
        self.public_owner
            .get(&addr)
            .map(|(id, ip)| (id.as_str(), *ip))
    }

    pub fn public_addresses(&self) -> AddrSet {
        self.public_owner.keys().map(|a| *a..=*a).collect()
    }

    /// ENIs in a subnet, in id order.
    pub fn enis_in_subnet(&self, subnet: &str) -> impl Iterator<Item = &'n NetworkInterface> + '_ {
        self.enis_in_subnet_with_addrs(subnet)
            .iter()
            .map(|(eni, _)| *eni)
    }

    /// [`Topology::enis_in_subnet`], each with its addresses ([`eni_addrs`]).
    pub fn enis_in_subnet_with_addrs(&self, subnet: &str) -> &[(&'n NetworkInterface, AddrSet)] {
        self.subnet_enis
            .get(subnet)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every address no ENI of `subnet` holds.
    pub fn unowned_in_subnet(&self, subnet: &str) -> AddrSet {
        self.subnet_unowned
            .get(subnet)
            .cloned()
            .unwrap_or_else(crate::packet::all_addrs)
    }

    /// Every address no subnet of `vpc` holds.
    pub fn unowned_in_vpc(&self, vpc: &str) -> AddrSet {
        self.vpc_unowned
            .get(vpc)
            .cloned()
            .unwrap_or_else(crate::packet::all_addrs)
    }

    /// The subnets of a VPC in id order, each with its addresses
    /// ([`subnet_addrs`]).
    pub fn subnets_with_addrs(&self, vpc: &str) -> &[(&'n Subnet, AddrSet)] {
        self.vpc_subnet_addrs
            .get(vpc)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// (private, public) address pairs an IGW of this VPC translates.
    pub fn public_mappings_of_vpc(&self, vpc: &str) -> Vec<(Addr, Addr)> {
        self.public_mappings_of_vpc_detailed(vpc)
            .into_iter()
            .filter(|m| m.2)
            .map(|(p, q, _)| (p, q))
            .collect()
    }

    /// (private, public, attached) for every public address in the VPC.
    pub fn public_mappings_of_vpc_detailed(&self, vpc: &str) -> Vec<(Addr, Addr, bool)> {
        let mut v = self.vpc_public.get(vpc).cloned().unwrap_or_default();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// ENIs carrying a security group.
    pub fn sg_members(&self, sg: &str) -> impl Iterator<Item = &'n NetworkInterface> + '_ {
        self.sg_members.get(sg).into_iter().flatten().copied()
    }

    pub fn nat_of_eni(&self, eni: &str) -> Option<&'n NatGateway> {
        self.nat_by_eni
            .get(eni)
            .and_then(|id| self.net.nat_gateways.get(id))
    }

    pub fn nat_of_private_ip(&self, vpc: &str, addr: Addr) -> Option<&'n NatGateway> {
        self.nat_by_private_ip
            .get(&(vpc.to_string(), addr))
            .and_then(|id| self.net.nat_gateways.get(id))
    }

    /// IGWs attached (available) to a VPC, in id order.
    pub fn igws_of_vpc(&self, vpc: &str) -> Vec<&'n InternetGateway> {
        attached_to(self.net.internet_gateways.values(), vpc)
    }

    /// Egress-only internet gateways attached to a VPC (C4.6).
    pub fn eigws_of_vpc(&self, vpc: &str) -> Vec<&'n InternetGateway> {
        attached_to(self.net.egress_only_gateways.values(), vpc)
    }
}

fn attached_to<'n>(
    gateways: impl Iterator<Item = &'n InternetGateway>,
    vpc: &str,
) -> Vec<&'n InternetGateway> {
    gateways
        .filter(|g| {
            g.attachments
                .iter()
                .any(|(v, s)| v == vpc && s.is_attached())
        })
        .collect()
}

impl<'n> Topology<'n> {
    /// VPCs whose SG references reach `vpc` through a transit gateway: both
    /// VPC attachments (to the same TGW) have SG referencing enabled, and
    /// the TGW does not disable it (C7.6).
    pub fn tgw_sg_referencing_peers(&self, vpc: &str) -> Vec<&'n str> {
        let tgw_allows = |a: &TgwAttachment| {
            self.net
                .transit_gateways
                .get(&a.tgw_id)
                .is_none_or(|t| t.allows_sg_referencing())
        };
        let mine: Vec<&TgwAttachment> = self
            .net
            .tgw_attachments
            .values()
            .filter(|a| {
                tgw_allows(a)
                    && a.vpc
                        .as_ref()
                        .is_some_and(|v| v.vpc_id == vpc && v.sg_referencing)
            })
            .collect();
        self.net
            .tgw_attachments
            .values()
            .filter(|a| mine.iter().any(|m| m.tgw_id == a.tgw_id))
            .filter_map(|a| {
                a.vpc
                    .as_ref()
                    .filter(|v| v.sg_referencing && v.vpc_id != vpc)
                    .map(|v| v.vpc_id.as_str())
            })
            .collect()
    }

    /// VGWs attached to a VPC, in id order.
    pub fn vgws_of_vpc(&self, vpc: &str) -> Vec<&'n VpnGateway> {
        self.net
            .vpn_gateways
            .values()
            .filter(|g| {
                g.attachments
                    .iter()
                    .any(|(v, s)| v == vpc && *s == GatewayAttachmentState::Attached)
            })
            .collect()
    }

    /// Private addresses of the members of `group_id` that a security group
    /// rule in `vpc` can reference: ENIs in `vpc`, in a VPC actively peered
    /// with it, or reached through a transit gateway with security group
    /// referencing (C1.4). Cached per (group, VPC).
    /// The engine's memo for this topology, built by `init` on first use.
    ///
    /// # Panics
    /// When asked for two different types: the slot holds one.
    pub fn engine_memo<T: std::any::Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> &T {
        self.engine_memo
            .0
            .get_or_init(|| Box::new(init()))
            .downcast_ref()
            .expect("the engine keeps one memo type per topology")
    }

    pub fn group_addrs(&self, group_id: &str, vpc: &str) -> AddrSet {
        let key = (group_id.to_string(), vpc.to_string());
        if let Some(a) = self
            .group_addrs_cache
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return a.clone();
        }
        let peers = self.active_peers(vpc);
        let via_tgw = self.tgw_sg_referencing_peers(vpc);
        let mut set = AddrSet::new();
        for eni in self.sg_members(group_id) {
            let same_vpc = eni.vpc_id == vpc;
            let peered = peers.iter().any(|(v, _)| *v == eni.vpc_id);
            let tgw = via_tgw.contains(&eni.vpc_id.as_str());
            if same_vpc || peered || tgw {
                set |= eni_addrs(eni);
            }
        }
        self.group_addrs_cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, set.clone());
        set
    }

    /// VPCs peered with `vpc` by an active peering, with the peering.
    pub fn active_peers(&self, vpc: &str) -> BTreeSet<(String, String)> {
        self.net
            .peerings
            .values()
            .filter(|p| p.status == PeeringStatus::Active)
            .filter_map(|p| {
                p.peer_of(vpc)
                    .map(|side| (side.vpc_id.clone(), p.id.clone()))
            })
            .collect()
    }
}

/// What makes source ENIs interchangeable for one walk (`audit`, `whatif`):
/// subnet, security groups (sorted), instance state, attachment status and
/// interface type. Addresses are not part of it: header sets keep them apart.
pub type SourceClass = (String, Vec<String>, String, String, String);

pub fn source_class(net: &Network, eni: &NetworkInterface) -> SourceClass {
    let mut groups = eni.group_ids.clone();
    groups.sort();
    let state = eni
        .attachment
        .as_ref()
        .and_then(|a| a.instance_id.as_ref())
        .and_then(|i| net.instances.get(i))
        .map(|i| i.state.to_string())
        .unwrap_or_default();
    let attach = eni
        .attachment
        .as_ref()
        .map(|a| a.status.to_string())
        .unwrap_or_default();
    (
        eni.subnet_id.clone(),
        groups,
        state,
        attach,
        eni.interface_type.clone(),
    )
}

/// Does the ENI have this address (a private IPv4 or an IPv6 address)?
pub fn eni_owns(eni: &NetworkInterface, addr: Addr) -> bool {
    eni.private_ips.iter().any(|p| addr_of(p.address) == addr)
        || eni.ipv6_addresses.iter().any(|a| addr_of(*a) == addr)
}

/// Every address of an ENI: its private IPv4 addresses and its IPv6 addresses.
pub fn eni_addrs(eni: &NetworkInterface) -> AddrSet {
    eni.private_ips
        .iter()
        .map(|p| addr_of(p.address))
        .chain(eni.ipv6_addresses.iter().map(|a| addr_of(*a)))
        .map(|a| a..=a)
        .collect()
}

/// Per key: every address none of its members holds.
fn unowned<M>(members: &HashMap<String, Vec<(M, AddrSet)>>) -> HashMap<String, AddrSet> {
    members
        .iter()
        .map(|(key, held)| {
            let union = held.iter().fold(AddrSet::new(), |u, (_, a)| u | a);
            (key.clone(), !union)
        })
        .collect()
}

/// The addresses of a subnet: its IPv4 CIDR and its IPv6 CIDRs.
pub fn subnet_addrs(subnet: &Subnet) -> AddrSet {
    net_set(&subnet.cidr) | nets_set(&subnet.ipv6_cidrs)
}

/// The public IPv6 internet: global unicast (2000::/3).
pub fn public_internet_v6() -> AddrSet {
    net_set(&"2000::/3".parse::<ipnet::Ipv6Net>().expect("valid"))
}

/// "The internet" as an endpoint: public IPv4, and public IPv6 too when a
/// VPC of the snapshot is dual-stack (less the VPCs' own IPv6 CIDRs, which
/// are global addresses but not the internet).
pub fn internet_addrs(net: &Network) -> AddrSet {
    let own_v6 = nets_set(net.vpcs.values().flat_map(|v| &v.ipv6_cidrs));
    if own_v6.is_empty() {
        public_internet()
    } else {
        public_internet() | (public_internet_v6() - own_v6)
    }
}

/// ELB, NLB and GWLB interfaces: requester-managed, described "ELB …".
pub fn is_load_balancer_eni(eni: &NetworkInterface) -> bool {
    matches!(
        eni.interface_type.as_str(),
        "network_load_balancer" | "gateway_load_balancer"
    ) || eni
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("ELB "))
}

/// The load balancer a node interface belongs to, by its description.
pub fn lb_of_eni<'n>(net: &'n Network, eni: &NetworkInterface) -> Option<&'n LoadBalancer> {
    let d = eni.description.as_deref()?;
    if !d.starts_with("ELB ") {
        return None;
    }
    net.load_balancers
        .values()
        .find(|lb| lb.vpc_id == eni.vpc_id && lb.eni_description() == d)
}
