//! A deliberately simple reachability evaluator: one concrete packet at a
//! time, plain loops over rules, written straight from
//! aws-vpc-semantics.md (C1–C8, C10, C11).
//!
//! It exists to check the set-based engine (`vpcreach::analysis::path`):
//! the two are independent implementations of the same rules, compared on
//! random snapshots by `tests/equivalence.rs`. It lives under `tests/`, not
//! in the shipped library, and shares only the model and the packet header
//! with the engine: it finds a subnet's route table and network ACL itself
//! (explicit association, else the VPC's main table / default ACL, C3.1,
//! C2.1) rather than asking `Topology`, so a bug in the topology's fallback
//! shows up as a disagreement. No header sets, no rule cubes, no route
//! partitioning. Keep it that way: its value is in being obviously right,
//! not fast, and in not inheriting the engine's mistakes.
//!
//! Scope: security groups (CIDR, prefix list, SG reference incl. across
//! active peering, protocol -1, ICMP type/code), network ACLs, route tables
//! (explicit association else main, longest prefix, local, blackhole,
//! prefix-list destinations), internet gateways (1:1 NAT, RFC 1918 / 6598
//! filters), NAT gateways (source NAT, replies), VPC peering, ENI and
//! instance state, source/destination check of route-target ENIs; transit
//! gateways (VPC attachments, AZ affinity, the TGW subnet's NACL, route
//! tables, SG referencing, peering attachments between two transit
//! gateways, C7.8 of docs/semantics-additions.md), VPN gateways, gateway /
//! interface / GWLB endpoints (C7, C8; see the section at the end); VPC Block
//! Public Access on the way out through (egress-only) internet gateways
//! (`bpa.rs`).
//!
//! Choices where the semantics document leaves room (kept identical to the
//! engine's documented design, so that a disagreement is a real bug):
//! * A NAT gateway picks the new source port in 1024–65535 (C5.2). The flow
//!   counts as reachable when **some** choice gets through both ways (as a
//!   set-based analysis reports it): the evaluator tries every port where a
//!   NACL port range of the snapshot starts or ends.
//! * After an appliance ENI (route target) or a NAT gateway forwarded a
//!   packet, SG rules that reference groups no longer match it (C1.5,
//!   C1.10), for the forwarding ENI's egress and the receiver's ingress.
//! * Security groups are checked on the forward path only, everywhere
//!   (stateful, C1.2); NACLs both ways (C2.2). Routing is re-done for the
//!   reply from the destination's side (C11).
//! * An ICMP request with no reply type (only 8, 13, 15 and 17 have one)
//!   needs no return path.
//! * A packet leaving through an IGW (or egress-only gateway) towards a
//!   public address of the snapshot crosses the internet and enters the
//!   owner's VPC through its IGW, also when that is its own VPC (hairpin,
//!   C4.5; INET.1–INET.7 of docs/semantics-additions.md).

// Included by several test binaries, each using a part of it.
#![allow(dead_code)]

mod bpa;

use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use vpcreach::model::*;

mod firewall;
use vpcreach::packet::{addr_of, ip_of, Addr, Header, PROTO_ICMP, PROTO_TCP, PROTO_UDP};

/// Why the packet (or its reply) stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    /// An AWS explanation code.
    pub code: &'static str,
    /// The component that decided (ACL, SG'd ENI, route table, gateway, …).
    pub component: String,
    pub on_return: bool,
    pub detail: String,
}

/// The verdict for one packet.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The packet reaches its destination.
    pub forward: bool,
    /// The packet has a reply (TCP, UDP, other protocols, ICMP requests).
    pub reply_needed: bool,
    /// The reply gets back to the source (meaningful when `forward`).
    pub reply: bool,
    /// The first thing that stopped the packet or its reply.
    pub blocker: Option<Blocker>,
    /// The packet as it arrived (after any NAT).
    pub arrived: Option<Header>,
    /// What happened, hop by hop, for people debugging a disagreement.
    pub trace: Vec<String>,
}

impl Verdict {
    /// The packet gets there, and its reply (if it has one) gets back.
    pub fn reachable(&self) -> bool {
        self.forward && (!self.reply_needed || self.reply)
    }
}

/// Evaluate one packet leaving ENI `src_eni`. `h.src` should be one of the
/// ENI's private addresses. The destination is whatever owns `h.dst`: an
/// ENI's private address (same or peered VPC), or an address on the
/// internet (reached through an internet gateway).
pub fn evaluate(net: &Network, src_eni: &str, h: Header) -> Verdict {
    let first = evaluate_with_nat_port(net, src_eni, h, 1024);
    if first.0.reachable() || !first.1 {
        return first.0;
    }
    for port in nat_port_candidates(net) {
        let (v, _) = evaluate_with_nat_port(net, src_eni, h, port);
        if v.reachable() {
            return v;
        }
    }
    first.0
}

/// Ports where a NACL's verdict on a NAT gateway's remapped source port can
/// change (NACLs see it as the reply's destination port).
fn nat_port_candidates(net: &Network) -> Vec<u16> {
    let mut ports = vec![1024u16, 65535];
    for acl in net.network_acls.values() {
        for e in &acl.entries {
            if let Some((a, b)) = e.port_range {
                for p in [
                    a as i32,
                    b as i32,
                    a as i32 - 1,
                    b as i32 + 1,
                    a.min(b) as i32,
                    a.max(b) as i32,
                ] {
                    if (1024..=65535).contains(&p) {
                        ports.push(p as u16);
                    }
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Returns the verdict and whether a NAT gateway chose a source port.
fn evaluate_with_nat_port(
    net: &Network,
    src_eni: &str,
    h: Header,
    nat_port: u16,
) -> (Verdict, bool) {
    let mut w = Walker {
        net,
        mode: Mode::Forward,
        src_eni: src_eni.to_string(),
        nat_port,
        used_nat_port: false,
        bindings: Vec::new(),
        identity: true,
        visited: Vec::new(),
        crossed_tgw: false,
        exits: Vec::new(),
        forward_exits: Vec::new(),
        internet_exits: Vec::new(),
        forward_internet_exits: Vec::new(),
        forward_visited: Vec::new(),
        trace: Vec::new(),
    };
    let mut verdict = Verdict {
        forward: false,
        reply_needed: false,
        reply: false,
        blocker: None,
        arrived: None,
        trace: Vec::new(),
    };
    let fwd = w.start(h);
    let arrival = match fwd {
        Ok(a) => a,
        Err(b) => {
            verdict.blocker = Some(b);
            verdict.trace = w.trace;
            return (verdict, w.used_nat_port);
        }
    };
    verdict.forward = true;
    verdict.arrived = Some(arrival.h);
    let Some(reply) = reply_of(&arrival.h) else {
        verdict.trace = w.trace;
        return (verdict, w.used_nat_port);
    };
    verdict.reply_needed = true;
    w.mode = Mode::Return;
    w.identity = true;
    w.crossed_tgw = false;
    w.forward_exits = std::mem::take(&mut w.exits);
    w.forward_internet_exits = std::mem::take(&mut w.internet_exits);
    w.forward_visited = std::mem::take(&mut w.visited);
    w.trace.push(format!("-- reply {}", show(&reply)));
    let back = match &arrival.at {
        At::Eni(eni_id) => {
            let eni = &w.net.network_interfaces[eni_id];
            w.leave(&eni.subnet_id.clone(), &eni.vpc_id.clone(), reply)
        }
        At::Internet(igw) => w.enter_from_internet(&igw.clone(), reply),
        At::OnPremises(vgw) => w.enter_from_vgw(&vgw.clone(), reply),
        At::AwsService => Ok(Arrival {
            at: At::AwsService,
            h: reply,
        }),
        At::Service { vpce, vpc } => {
            // The service answers into the VPC the request came from (C8.1).
            w.trace
                .push(format!("reply from the service through {vpce}"));
            w.deliver_in_vpc(&vpc.clone(), reply, None)
        }
        // Stateful: the reply comes back in through the gateway (C4.6).
        At::Eigw { vpc } => w.deliver_in_vpc(&vpc.clone(), reply, None),
    };
    match back {
        Ok(_) => verdict.reply = true,
        Err(mut b) => {
            b.on_return = true;
            verdict.blocker = Some(b);
        }
    }
    verdict.trace = w.trace;
    (verdict, w.used_nat_port)
}

/// The reply to a packet: addresses and ports swapped; ICMP requests that
/// have a reply get that reply type with code 0, other ICMP has none.
pub fn reply_of(h: &Header) -> Option<Header> {
    if h.proto == PROTO_ICMP {
        let reply_type = match h.sport {
            8 => 0,
            13 => 14,
            15 => 16,
            17 => 18,
            _ => return None,
        };
        return Some(Header {
            src: h.dst,
            dst: h.src,
            proto: PROTO_ICMP,
            sport: reply_type,
            dport: 0,
        });
    }
    Some(Header {
        src: h.dst,
        dst: h.src,
        proto: h.proto,
        sport: h.dport,
        dport: h.sport,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Forward,
    Return,
}

enum At {
    Eni(String),
    Internet(String),
    /// Left AWS through a virtual private gateway, to on-premises.
    OnPremises(String),
    /// Reached the service behind a gateway endpoint (C8.1).
    Service {
        vpce: String,
        vpc: String,
    },
    /// Reached a link-local AWS service (C1.9, C2.9): it answers directly.
    AwsService,
    /// Left through an egress-only gateway of the VPC.
    Eigw {
        vpc: String,
    },
}

struct Arrival {
    at: At,
    h: Header,
}

type Step = Result<Arrival, Blocker>;

struct Walker<'n> {
    net: &'n Network,
    mode: Mode,
    src_eni: String,
    nat_port: u16,
    used_nat_port: bool,
    /// (NAT gateway, original source, original source port).
    bindings: Vec<(String, Addr, u16)>,
    /// False once a NAT or appliance forwarded the packet (C1.5, C1.10).
    identity: bool,
    visited: Vec<String>,
    /// The packet came through a transit gateway (C5.4: a NAT gateway
    /// accepts it although its source is outside the VPC).
    crossed_tgw: bool,
    /// (attachment, subnet of its ENI) where a TGW handed the packet to a
    /// VPC, in order; on the reply, `forward_exits` holds the request's.
    exits: Vec<(String, String)>,
    forward_exits: Vec<(String, String)>,
    /// (gateway, VPC) where the packet left for the internet towards an
    /// address of the snapshot (INET.1); on the reply, the request's.
    internet_exits: Vec<(String, String)>,
    forward_internet_exits: Vec<(String, String)>,
    /// On the reply: the request's `visited` (a firewall passes replies of
    /// what it admitted, NF.8).
    forward_visited: Vec<String>,
    trace: Vec<String>,
}

fn show(h: &Header) -> String {
    format!(
        "{} -> {} proto {} {} -> {}",
        ip_of(h.src),
        ip_of(h.dst),
        h.proto,
        h.sport,
        h.dport
    )
}

/// Is the address in the CIDR? Only within one family (C1.8, C2.6, C3.5).
fn contains<N: Copy + Into<IpNet>>(net: &N, addr: Addr) -> bool {
    match ((*net).into(), ip_of(addr)) {
        (IpNet::V4(n), IpAddr::V4(a)) => n.contains(&a),
        (IpNet::V6(n), IpAddr::V6(a)) => n.contains(&a),
        _ => false,
    }
}

/// An IPv6 CIDR as written in a rule or route.
fn contains_v6(cidr: &str, addr: Addr) -> bool {
    cidr.parse::<Ipv6Net>()
        .is_ok_and(|n| contains(&n.trunc(), addr))
}

fn in_subnet(s: &Subnet, addr: Addr) -> bool {
    contains(&s.cidr, addr) || s.ipv6_cidrs.iter().any(|n| contains(n, addr))
}

fn in_any(nets: &[&str], addr: Addr) -> bool {
    nets.iter()
        .any(|n| contains(&n.parse::<Ipv4Net>().expect("valid"), addr))
}

fn is_rfc1918(addr: Addr) -> bool {
    in_any(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], addr)
}

fn is_rfc6598(addr: Addr) -> bool {
    in_any(&["100.64.0.0/10"], addr)
}

/// Does a protocol + ports description match the packet? Shared by SG rules
/// (FromPort/ToPort, C1.6, C1.7) and NACL entries (PortRange /
/// IcmpTypeCode, C2.6): TCP/UDP ranges bound the destination port, ICMP
/// names type (and code), `-1` means everything.
fn proto_ports_match(
    protocol: Protocol,
    ports: Option<(i32, i32)>,
    icmp: Option<(i32, i32)>,
    h: &Header,
) -> bool {
    let p = match protocol {
        Protocol::All => return true,
        Protocol::Number(p) => p,
    };
    if p != h.proto {
        return false;
    }
    if p == PROTO_TCP || p == PROTO_UDP {
        if let Some((from, to)) = ports {
            if from >= 0 && to >= 0 {
                let (lo, hi) = (from.min(to), from.max(to));
                return (lo..=hi).contains(&(h.dport as i32));
            }
        }
        return true;
    }
    if p == PROTO_ICMP {
        if let Some((ty, code)) = icmp {
            if ty >= 0 {
                if h.sport as i32 != ty {
                    return false;
                }
                if code >= 0 && h.dport as i32 != code {
                    return false;
                }
            }
        }
        return true;
    }
    true
}

/// C4.1: an (egress-only) internet gateway works only for its VPC.
fn attached(gw: &InternetGateway, vpc: &str) -> Result<(), Blocker> {
    if gw
        .attachments
        .iter()
        .any(|(v, s)| v == vpc && matches!(s.as_str(), "available" | "attached"))
    {
        return Ok(());
    }
    Err(blocker(
        "BAD_STATE_ATTACHMENT",
        &gw.id,
        format!("not attached to {vpc}"),
    ))
}

fn blocker(code: &'static str, component: &str, detail: String) -> Blocker {
    Blocker {
        code,
        component: component.to_string(),
        on_return: false,
        detail,
    }
}

impl Walker<'_> {
    fn log(&mut self, s: String) {
        self.trace.push(s);
    }

    // ------------------------------------------------------------ endpoints

    fn start(&mut self, h: Header) -> Step {
        self.log(format!("packet {}", show(&h)));
        let Some(eni) = self.net.network_interfaces.get(&self.src_eni) else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                &self.src_eni,
                "source ENI not in the snapshot".into(),
            ));
        };
        if eni.interface_type == "vpc_endpoint" {
            // C8.2: an interface endpoint only answers.
            return Err(blocker(
                "VPCE_INTRA_VPC_TRAFFIC",
                &eni.id,
                "an interface endpoint cannot initiate connections".into(),
            ));
        }
        self.endpoint_state(eni)?;
        if let Some(step) = self.aws_service(&eni.vpc_id, h) {
            return step;
        }
        self.security_groups(eni, false, &h)?;
        self.leave(&eni.subnet_id.clone(), &eni.vpc_id.clone(), h)
    }

    /// C1.9, C2.9: the Route 53 Resolver (the VPC's primary CIDR base + 2,
    /// DNS on tcp/udp 53), instance metadata (169.254.169.254, tcp/80) and
    /// Amazon Time Sync (169.254.169.123, udp/123) answer an ENI with no
    /// security group, network ACL or route in between. `None`: not one of
    /// them.
    fn aws_service(&mut self, vpc: &str, h: Header) -> Option<Step> {
        let resolver = self
            .net
            .vpcs
            .get(vpc)
            .and_then(|v| v.cidrs.first())
            .map(|c| addr_of(Ipv4Addr::from(u32::from(c.network()) + 2)));
        let imds = addr_of(Ipv4Addr::new(169, 254, 169, 254));
        let time = addr_of(Ipv4Addr::new(169, 254, 169, 123));
        let served = if h.dst == imds {
            h.proto == PROTO_TCP && h.dport == 80
        } else if h.dst == time {
            h.proto == PROTO_UDP && h.dport == 123
        } else if Some(h.dst) == resolver {
            (h.proto == PROTO_TCP || h.proto == PROTO_UDP) && h.dport == 53
        } else {
            return None;
        };
        if !served {
            return Some(Err(blocker(
                "NO_PATH",
                &show(&h),
                "an AWS service address; nothing answers this".into(),
            )));
        }
        self.log(format!("AWS service {} answers", ip_of(h.dst)));
        Some(Ok(Arrival {
            at: At::AwsService,
            h,
        }))
    }

    /// C10.6, C10.1: a live endpoint needs a running instance and an attached ENI.
    fn endpoint_state(&mut self, eni: &NetworkInterface) -> Result<(), Blocker> {
        if self.mode == Mode::Return {
            return Ok(());
        }
        if let Some(inst_id) = eni.attachment.as_ref().and_then(|a| a.instance_id.clone()) {
            if let Some(inst) = self.net.instances.get(&inst_id) {
                if inst.state.as_str() != "running" {
                    return Err(blocker(
                        "BAD_STATE",
                        &inst.id,
                        format!("instance is {}", inst.state),
                    ));
                }
            }
        }
        let attached = match &eni.attachment {
            Some(a) => a.status.as_str() == "attached",
            None => false,
        };
        if eni.interface_type == "interface" && !attached {
            return Err(blocker(
                "BAD_STATE_ATTACHMENT",
                &eni.id,
                "ENI is not attached".into(),
            ));
        }
        Ok(())
    }

    /// The ENI (other than a NAT gateway's) owning `addr` in a subnet.
    fn owner_in_subnet(&self, subnet: &str, addr: Addr) -> Option<&NetworkInterface> {
        self.net
            .network_interfaces
            .values()
            .find(|e| e.subnet_id == subnet && eni_owns(e, addr))
    }

    fn nat_of_eni(&self, eni: &str) -> Option<&NatGateway> {
        self.net.nat_gateways.values().find(|n| {
            n.addresses
                .iter()
                .any(|a| a.network_interface_id.as_deref() == Some(eni))
        })
    }

    /// Is `addr` a public address anything in the snapshot owns?
    fn public_in_snapshot(&self, addr: Addr) -> bool {
        self.net
            .network_interfaces
            .values()
            .flat_map(|e| &e.private_ips)
            .any(|p| p.public_ip.map(addr_of) == Some(addr))
            || self
                .net
                .network_interfaces
                .values()
                .flat_map(|e| &e.ipv6_addresses)
                .any(|a| addr_of(*a) == addr)
            || self
                .net
                .nat_gateways
                .values()
                .flat_map(|n| &n.addresses)
                .any(|a| a.public_ip.map(addr_of) == Some(addr))
    }

    /// The public address an IGW of `vpc` maps the private `addr` to (C4.2):
    /// a public IP or EIP of an attached ENI, or a NAT gateway's EIP.
    fn public_of(&self, vpc: &str, addr: Addr) -> Option<Addr> {
        for e in self.net.network_interfaces.values() {
            if e.vpc_id != vpc {
                continue;
            }
            let attached = e.interface_type != "interface"
                || e.attachment
                    .as_ref()
                    .is_some_and(|a| a.status.as_str() == "attached");
            // IPv6 is public as it is (C4.6).
            if attached && e.ipv6_addresses.iter().any(|a| addr_of(*a) == addr) {
                return Some(addr);
            }
            for p in &e.private_ips {
                if addr_of(p.address) == addr {
                    if let (Some(public), true) = (p.public_ip, attached) {
                        return Some(addr_of(public));
                    }
                }
            }
        }
        for n in self.net.nat_gateways.values() {
            if n.vpc_id != vpc {
                continue;
            }
            for a in &n.addresses {
                if let (Some(private), Some(public)) = (a.private_ip, a.public_ip) {
                    if addr_of(private) == addr {
                        return Some(addr_of(public));
                    }
                }
            }
        }
        None
    }

    /// The reverse of [`Self::public_of`] (C4.3).
    fn private_of(&self, vpc: &str, public: Addr) -> Option<Addr> {
        for e in self.net.network_interfaces.values() {
            if e.vpc_id != vpc {
                continue;
            }
            let attached = e.interface_type != "interface"
                || e.attachment
                    .as_ref()
                    .is_some_and(|a| a.status.as_str() == "attached");
            if attached && e.ipv6_addresses.iter().any(|a| addr_of(*a) == public) {
                return Some(public);
            }
            for p in &e.private_ips {
                if p.public_ip.map(addr_of) == Some(public) && attached {
                    return Some(addr_of(p.address));
                }
            }
        }
        for n in self.net.nat_gateways.values() {
            if n.vpc_id != vpc {
                continue;
            }
            for a in &n.addresses {
                if let (Some(private), Some(p)) = (a.private_ip, a.public_ip) {
                    if addr_of(p) == public {
                        return Some(addr_of(private));
                    }
                }
            }
        }
        None
    }

    // -------------------------------------------------------------- filters

    /// C1.1–C1.7: allow-only union over the ENI's groups, forward only.
    fn security_groups(
        &mut self,
        eni: &NetworkInterface,
        ingress: bool,
        h: &Header,
    ) -> Result<(), Blocker> {
        if self.mode == Mode::Return || eni.group_ids.is_empty() {
            return Ok(());
        }
        let peer = if ingress { h.src } else { h.dst };
        let mut unknown = false;
        let mut empty = 0;
        for gid in &eni.group_ids {
            let Some(sg) = self.net.security_groups.get(gid) else {
                unknown = true;
                continue;
            };
            let rules = if ingress { &sg.ingress } else { &sg.egress };
            if rules.is_empty() {
                empty += 1;
            }
            for r in rules {
                let ports = match (r.from_port, r.to_port) {
                    (Some(f), Some(t)) => Some((f, t)),
                    _ => None,
                };
                if proto_ports_match(r.protocol, ports, ports, h)
                    && self.sg_peer_matches(&r.peer, peer, &eni.vpc_id)
                {
                    self.log(format!(
                        "{} {} allowed by {gid}",
                        eni.id,
                        if ingress { "ingress" } else { "egress" }
                    ));
                    return Ok(());
                }
            }
        }
        let code = if unknown {
            "UNKNOWN_RESOURCE"
        } else if empty == eni.group_ids.len() {
            "SG_HAS_NO_RULES"
        } else {
            "ENI_SG_RULES_MISMATCH"
        };
        Err(blocker(
            code,
            &eni.id,
            format!(
                "no {} SG rule of {} allows {}",
                if ingress { "ingress" } else { "egress" },
                eni.group_ids.join(","),
                show(h)
            ),
        ))
    }

    /// C1.4, C1.5: CIDR, prefix list, or a private address of an ENI that
    /// carries the group, in this VPC or an actively peered one.
    fn sg_peer_matches(&self, peer: &SgPeer, addr: Addr, vpc: &str) -> bool {
        match peer {
            SgPeer::Cidr(c) => contains(c, addr),
            SgPeer::Ipv6Cidr(c) => contains_v6(c, addr),
            SgPeer::PrefixList(id) => self
                .net
                .prefix_lists
                .get(id)
                .and_then(|p| p.cidrs.as_ref())
                .is_some_and(|cidrs| cidrs.iter().any(|c| contains(c, addr))),
            SgPeer::Group { group_id, .. } => {
                if !self.identity {
                    return false;
                }
                self.net.network_interfaces.values().any(|e| {
                    e.group_ids.contains(group_id)
                        && (e.vpc_id == vpc
                            || self.actively_peered(vpc, &e.vpc_id)
                            || self.sg_referencing_via_tgw(vpc, &e.vpc_id))
                        && eni_owns(e, addr)
                })
            }
        }
    }

    fn actively_peered(&self, a: &str, b: &str) -> bool {
        self.net.peerings.values().any(|p| {
            p.status.as_str() == "active"
                && ((p.requester.vpc_id == a && p.accepter.vpc_id == b)
                    || (p.requester.vpc_id == b && p.accepter.vpc_id == a))
        })
    }

    /// C2.3–C2.6: ascending rule number, first match wins, `*` denies.
    fn nacl(&mut self, subnet: &str, egress: bool, h: &Header) -> Result<(), Blocker> {
        let Some(acl) = acl_of_subnet(self.net, subnet) else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                subnet,
                "no network ACL for the subnet".into(),
            ));
        };
        let mut entries: Vec<&AclEntry> =
            acl.entries.iter().filter(|e| e.egress == egress).collect();
        entries.sort_by_key(|e| e.rule_number);
        for e in entries {
            let addr = if egress { h.dst } else { h.src };
            let hit = match (e.cidr, &e.ipv6_cidr) {
                (Some(cidr), _) => contains(&cidr, addr),
                (None, Some(v6)) => contains_v6(v6, addr),
                (None, None) => false,
            };
            if !hit {
                continue;
            }
            let ports = e.port_range.map(|(a, b)| (a as i32, b as i32));
            if !proto_ports_match(e.protocol, ports, e.icmp_type_code, h) {
                continue;
            }
            let way = if egress { "outbound" } else { "inbound" };
            return match e.action {
                RuleAction::Allow => {
                    self.log(format!("{} {way} rule {} allows", acl.id, e.rule_number));
                    Ok(())
                }
                RuleAction::Deny => Err(blocker(
                    "SUBNET_ACL_RESTRICTION",
                    &acl.id,
                    format!("{way} rule {} denies {}", e.rule_number, show(h)),
                )),
            };
        }
        Err(blocker(
            "SUBNET_ACL_RESTRICTION",
            &acl.id,
            format!(
                "{} rule * denies {}",
                if egress { "outbound" } else { "inbound" },
                show(h)
            ),
        ))
    }

    // -------------------------------------------------------------- moving

    /// A packet leaves an ENI of `subnet`: delivered inside the subnet
    /// without NACL or route (C10.3), else NACL out and the route table.
    fn leave(&mut self, subnet_id: &str, vpc: &str, h: Header) -> Step {
        let Some(subnet) = self.net.subnets.get(subnet_id) else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                subnet_id,
                "subnet not in the snapshot".into(),
            ));
        };
        if in_subnet(subnet, h.dst) {
            self.log(format!("same subnet {subnet_id}"));
            return self.enter_subnet(subnet_id, h, Some(subnet_id));
        }
        self.nacl(subnet_id, true, &h)?;
        let Some(rt) = route_table_of_subnet(self.net, subnet_id) else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                subnet_id,
                "no route table for the subnet".into(),
            ));
        };
        self.route(rt, vpc, Some(subnet_id), h)
    }

    /// C3.5–C3.7: longest prefix; same prefix: local, static CIDR, prefix
    /// list, propagated, then table order. Blackholes drop.
    fn route(&mut self, rt: &RouteTable, vpc: &str, from: Option<&str>, h: Header) -> Step {
        let rank = |r: &Route| -> u8 {
            if r.target == RouteTarget::Local {
                0
            } else if r.origin == RouteOrigin::EnableVgwRoutePropagation {
                3
            } else if matches!(r.destination, RouteDestination::PrefixList(_)) {
                2
            } else {
                1
            }
        };
        let best = self.best_route(&rt.routes, |r| &r.destination, rank, h.dst);
        let Some(idx) = best else {
            return Err(blocker(
                "NO_ROUTE_TO_DESTINATION",
                &rt.id,
                format!("no route for {}", ip_of(h.dst)),
            ));
        };
        let r = &rt.routes[idx];
        self.log(format!("{} route #{idx} -> {}", rt.id, r.target.id()));
        if r.state == RouteState::Blackhole {
            return Err(blocker(
                "BAD_STATE_ROUTE",
                &rt.id,
                format!("route to {} is a blackhole", r.target.id()),
            ));
        }
        match &r.target {
            RouteTarget::Local => self.deliver_in_vpc(vpc, h, from),
            RouteTarget::InternetGateway(igw) => self.via_igw(igw, vpc, h),
            RouteTarget::EgressOnlyInternetGateway(eigw) => self.via_eigw(eigw, vpc, h),
            RouteTarget::NatGateway(nat) => self.via_nat(nat, from, h),
            RouteTarget::VpcPeering(pcx) => self.via_pcx(pcx, vpc, h),
            RouteTarget::NetworkInterface(eni) => self.via_appliance(eni, from, h),
            RouteTarget::TransitGateway(tgw) => self.via_tgw(tgw, vpc, from, h),
            RouteTarget::VpnGateway(vgw) => self.via_vgw(vgw, vpc, h),
            RouteTarget::VpcEndpoint(vpce) if self.is_firewall_endpoint(vpce) => {
                self.via_firewall(vpce, from, h)
            }
            RouteTarget::VpcEndpoint(vpce) => self.via_vpce(vpce, vpc, h),
            RouteTarget::Instance(inst) => {
                match self
                    .net
                    .instances
                    .get(inst)
                    .and_then(|i| i.network_interface_ids.first())
                {
                    Some(eni) => self.via_appliance(&eni.clone(), from, h),
                    None => Err(blocker("UNKNOWN_RESOURCE", inst, "instance unknown".into())),
                }
            }
            other => Err(blocker(
                "UNSUPPORTED_COMPONENT",
                other.id(),
                "target not modelled".into(),
            )),
        }
    }

    /// Delivery inside a VPC to the subnet holding the destination.
    fn deliver_in_vpc(&mut self, vpc: &str, h: Header, from: Option<&str>) -> Step {
        let subnet = self
            .net
            .subnets
            .values()
            .find(|s| s.vpc_id == vpc && in_subnet(s, h.dst))
            .map(|s| s.id.clone());
        match subnet {
            Some(s) => self.enter_subnet(&s, h, from),
            None => Err(blocker(
                "UNKNOWN_DESTINATION",
                vpc,
                format!("no subnet holds {}", ip_of(h.dst)),
            )),
        }
    }

    /// NACL in (unless the packet never left the subnet, C2.7), then the
    /// ENI or NAT gateway that owns the destination address.
    fn enter_subnet(&mut self, subnet: &str, h: Header, from: Option<&str>) -> Step {
        if from != Some(subnet) {
            self.nacl(subnet, false, &h)?;
        }
        if let Some(eni) = self.owner_in_subnet(subnet, h.dst) {
            if let Some(nat) = self.nat_of_eni(&eni.id) {
                let nat = nat.clone();
                return self.at_nat(&nat, h);
            }
            let eni = eni.clone();
            return self.at_eni(&eni, h);
        }
        let nat = self
            .net
            .nat_gateways
            .values()
            .find(|n| {
                n.subnet_id == subnet
                    && n.addresses
                        .iter()
                        .any(|a| a.private_ip.map(addr_of) == Some(h.dst))
            })
            .cloned();
        if let Some(nat) = nat {
            return self.at_nat(&nat, h);
        }
        Err(blocker(
            "UNKNOWN_DESTINATION",
            subnet,
            format!("nothing in the subnet has {}", ip_of(h.dst)),
        ))
    }

    /// The packet reaches the ENI owning its destination.
    fn at_eni(&mut self, eni: &NetworkInterface, h: Header) -> Step {
        self.endpoint_state(eni)?;
        self.security_groups(eni, true, &h)?;
        match self.mode {
            Mode::Forward => {
                self.log(format!("delivered to {}", eni.id));
                Ok(Arrival {
                    at: At::Eni(eni.id.clone()),
                    h,
                })
            }
            Mode::Return if eni.id == self.src_eni => {
                self.log(format!("reply delivered to {}", eni.id));
                Ok(Arrival {
                    at: At::Eni(eni.id.clone()),
                    h,
                })
            }
            Mode::Return => Err(blocker(
                "NO_PATH",
                &eni.id,
                "reply delivered to another ENI".into(),
            )),
        }
    }

    /// A packet addressed to a NAT gateway: a reply it translates back, or
    /// an unsolicited connection it drops (C5.3).
    fn at_nat(&mut self, nat: &NatGateway, h: Header) -> Step {
        let binding = self.bindings.iter().rev().find(|b| b.0 == nat.id).cloned();
        let (Mode::Return, Some((_, src, sport))) = (self.mode, binding) else {
            return Err(blocker(
                "NO_PATH",
                &nat.id,
                "a NAT gateway accepts no inbound connections".into(),
            ));
        };
        let mut back = h;
        back.dst = src;
        if h.proto == PROTO_TCP || h.proto == PROTO_UDP {
            back.dport = sport;
        }
        self.log(format!(
            "{} translates the reply back: {}",
            nat.id,
            show(&back)
        ));
        self.leave(&nat.subnet_id, &nat.vpc_id, back)
    }

    fn via_igw(&mut self, igw_id: &str, vpc: &str, h: Header) -> Step {
        let Some(igw) = self.net.internet_gateways.get(igw_id) else {
            return Err(blocker("UNKNOWN_RESOURCE", igw_id, "IGW unknown".into()));
        };
        attached(igw, vpc)?;
        if self.mode == Mode::Forward {
            if let Some(code) = bpa::bpa_stops(self.net, vpc, h.src, true, false) {
                return Err(blocker(code, igw_id, "VPC Block Public Access".into()));
            }
        }
        if is_rfc1918(h.dst) {
            return Err(blocker(
                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
                igw_id,
                "private destination".into(),
            ));
        }
        if is_rfc6598(h.dst) {
            return Err(blocker(
                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS",
                igw_id,
                "shared-space destination".into(),
            ));
        }
        let Some(public) = self.public_of(vpc, h.src) else {
            return Err(blocker(
                "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                igw_id,
                format!("{} has no public address", ip_of(h.src)),
            ));
        };
        let out = Header { src: public, ..h };
        self.log(format!("{igw_id} egress as {}", show(&out)));
        if self.public_in_snapshot(h.dst) {
            return self.across_internet(igw_id, vpc, out);
        }
        if self.mode == Mode::Return {
            return Err(blocker(
                "NO_PATH",
                igw_id,
                "the reply leaves for the internet".into(),
            ));
        }
        Ok(Arrival {
            at: At::Internet(igw_id.to_string()),
            h: out,
        })
    }

    /// C4.6: IPv6 out through an egress-only gateway, unchanged; never a
    /// reply of a connection initiated from outside.
    fn via_eigw(&mut self, eigw_id: &str, vpc: &str, h: Header) -> Step {
        let Some(eigw) = self.net.egress_only_gateways.get(eigw_id) else {
            return Err(blocker("UNKNOWN_RESOURCE", eigw_id, "EIGW unknown".into()));
        };
        if self.mode == Mode::Return {
            return Err(blocker(
                "EGRESS_ONLY_IGW_INBOUND_INITIATED",
                eigw_id,
                "the reply of an inbound connection".into(),
            ));
        }
        attached(eigw, vpc)?;
        if let Some(code) = bpa::bpa_stops(self.net, vpc, h.src, true, true) {
            return Err(blocker(code, eigw_id, "VPC Block Public Access".into()));
        }
        let v6 = matches!(ip_of(h.src), IpAddr::V6(_));
        if !v6 || self.public_of(vpc, h.src) != Some(h.src) {
            return Err(blocker(
                "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                eigw_id,
                format!("{} is not an IPv6 address of an attached ENI", ip_of(h.src)),
            ));
        }
        self.log(format!("{eigw_id} egress as {}", show(&h)));
        if self.public_in_snapshot(h.dst) {
            return self.across_internet(eigw_id, vpc, h);
        }
        Ok(Arrival {
            at: At::Eigw {
                vpc: vpc.to_string(),
            },
            h,
        })
    }

    /// Traffic entering from the internet (here: replies).
    fn enter_from_internet(&mut self, igw_id: &str, h: Header) -> Step {
        let Some(igw) = self.net.internet_gateways.get(igw_id) else {
            return Err(blocker("UNKNOWN_RESOURCE", igw_id, "IGW unknown".into()));
        };
        let Some(vpc) = igw
            .attachments
            .iter()
            .find(|(_, s)| matches!(s.as_str(), "available" | "attached"))
            .map(|(v, _)| v.clone())
        else {
            return Err(blocker(
                "BAD_STATE_ATTACHMENT",
                igw_id,
                "not attached".into(),
            ));
        };
        if is_rfc1918(h.src) {
            return Err(blocker(
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS",
                igw_id,
                "private source".into(),
            ));
        }
        if is_rfc6598(h.src) {
            return Err(blocker(
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS",
                igw_id,
                "shared-space source".into(),
            ));
        }
        let Some(private) = self.private_of(&vpc, h.dst) else {
            return Err(blocker(
                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                igw_id,
                format!("{} maps to nothing", ip_of(h.dst)),
            ));
        };
        let inside = Header { dst: private, ..h };
        self.log(format!("{igw_id} ingress as {}", show(&inside)));
        match gateway_route_table(self.net, igw_id) {
            Some(rt) => self.route(rt, &vpc, None, inside),
            None => self.deliver_in_vpc(&vpc, inside, None),
        }
    }

    // ------------------------------------------------ through the internet

    /// INET.1–INET.7 of docs/semantics-additions.md: `h` left `vpc`
    /// through `gateway` (translated) towards an address the snapshot owns.
    /// A request enters the owner's VPC through an internet gateway attached
    /// to it (never an egress-only one, C4.6); a reply enters the VPC its
    /// request left, through the gateway it left by (INET.4). From here on
    /// the packet is known by its public source only (INET.2).
    fn across_internet(&mut self, gateway: &str, vpc: &str, h: Header) -> Step {
        self.identity = false;
        let Some(owner_vpc) = self.vpc_owning_public(h.dst) else {
            return Err(blocker("NO_PATH", gateway, "no owner".into()));
        };
        self.log(format!("across the internet from {gateway} to {owner_vpc}"));
        if self.mode == Mode::Return {
            let Some((back_by, _)) = self
                .forward_internet_exits
                .iter()
                .rev()
                .find(|(_, v)| *v == owner_vpc)
                .cloned()
            else {
                return Err(blocker(
                    "NO_PATH",
                    &owner_vpc,
                    "the request did not leave this VPC through the internet".into(),
                ));
            };
            if back_by.starts_with("eigw-") {
                return self.deliver_in_vpc(&owner_vpc, h, None);
            }
            return self.enter_from_internet(&back_by, h);
        }
        self.internet_exits
            .push((gateway.to_string(), vpc.to_string()));
        let igw = self.net.internet_gateways.values().find(|g| {
            g.attachments
                .iter()
                .any(|(v, s)| *v == owner_vpc && matches!(s.as_str(), "available" | "attached"))
        });
        match igw {
            Some(igw) => {
                let id = igw.id.clone();
                self.enter_from_internet(&id, h)
            }
            None if self
                .net
                .egress_only_gateways
                .values()
                .any(|g| g.attachments.iter().any(|(v, _)| *v == owner_vpc)) =>
            {
                Err(blocker(
                    "EGRESS_ONLY_IGW_INBOUND_INITIATED",
                    &owner_vpc,
                    "only an egress-only gateway".into(),
                ))
            }
            None => Err(blocker(
                "NO_PATH",
                &owner_vpc,
                "no internet gateway attached".into(),
            )),
        }
    }

    /// The VPC of the ENI or NAT gateway whose public IPv4 address, or of
    /// the ENI whose IPv6 address, `addr` is.
    fn vpc_owning_public(&self, addr: Addr) -> Option<String> {
        for e in self.net.network_interfaces.values() {
            let public = e
                .private_ips
                .iter()
                .any(|p| p.public_ip.map(addr_of) == Some(addr));
            if public || e.ipv6_addresses.iter().any(|a| addr_of(*a) == addr) {
                return Some(e.vpc_id.clone());
            }
        }
        self.net
            .nat_gateways
            .values()
            .find(|n| {
                n.addresses
                    .iter()
                    .any(|a| a.public_ip.map(addr_of) == Some(addr))
            })
            .map(|n| n.vpc_id.clone())
    }

    fn via_nat(&mut self, nat_id: &str, from: Option<&str>, h: Header) -> Step {
        let Some(nat) = self.net.nat_gateways.get(nat_id) else {
            return Err(blocker("UNKNOWN_RESOURCE", nat_id, "NAT unknown".into()));
        };
        if self.mode == Mode::Return {
            // The reply would leave with the NAT gateway's address: it is
            // no longer a reply to the connection.
            return Err(blocker(
                "NO_PATH",
                nat_id,
                "the reply is routed into a NAT gateway".into(),
            ));
        }
        if self.visited.iter().any(|v| v == nat_id) {
            return Err(blocker("NO_PATH", nat_id, "routing loop".into()));
        }
        self.visited.push(nat_id.to_string());
        if from != Some(nat.subnet_id.as_str()) {
            self.nacl(&nat.subnet_id.clone(), false, &h)?;
        }
        if nat.state.as_str() != "available" {
            return Err(blocker("BAD_STATE", nat_id, nat.state.to_string()));
        }
        // C5.4: sources in the NAT's VPC, or anything a transit gateway brought.
        let in_vpc = self.crossed_tgw
            || self
                .net
                .vpcs
                .get(&nat.vpc_id)
                .is_none_or(|v| v.cidrs.iter().any(|c| contains(c, h.src)));
        if !in_vpc {
            return Err(blocker(
                "NGW_REQUIRES_SOURCE_IN_VPC",
                nat_id,
                "source outside the NAT's VPC".into(),
            ));
        }
        if ![PROTO_TCP, PROTO_UDP, PROTO_ICMP].contains(&h.proto) {
            return Err(blocker(
                "PROTOCOL_RESTRICTION",
                nat_id,
                format!("protocol {}", h.proto),
            ));
        }
        let Some(ip) = nat.addresses.iter().find_map(|a| a.private_ip) else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                nat_id,
                "NAT has no private IP".into(),
            ));
        };
        self.bindings.push((nat_id.to_string(), h.src, h.sport));
        let mut out = h;
        out.src = addr_of(ip);
        if h.proto == PROTO_TCP || h.proto == PROTO_UDP {
            out.sport = self.nat_port;
            self.used_nat_port = true;
        }
        self.identity = false;
        self.log(format!("{nat_id} SNAT: {}", show(&out)));
        let (subnet, vpc) = (nat.subnet_id.clone(), nat.vpc_id.clone());
        self.leave(&subnet, &vpc, out)
    }

    fn via_pcx(&mut self, pcx_id: &str, from_vpc: &str, h: Header) -> Step {
        let Some(pcx) = self.net.peerings.get(pcx_id) else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                pcx_id,
                "peering unknown".into(),
            ));
        };
        if pcx.status.as_str() != "active" {
            return Err(blocker("BAD_STATE", pcx_id, pcx.status.to_string()));
        }
        let peer = if pcx.requester.vpc_id == from_vpc {
            &pcx.accepter
        } else if pcx.accepter.vpc_id == from_vpc {
            &pcx.requester
        } else {
            return Err(blocker("NO_PATH", pcx_id, "does not join the VPC".into()));
        };
        let cidrs: Vec<Ipv4Net> = if peer.cidrs.is_empty() {
            self.net
                .vpcs
                .get(&peer.vpc_id)
                .map(|v| v.cidrs.clone())
                .unwrap_or_default()
        } else {
            peer.cidrs.clone()
        };
        if !cidrs.iter().any(|c| contains(c, h.dst)) {
            return Err(blocker(
                "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
                pcx_id,
                "destination outside the peer VPC".into(),
            ));
        }
        self.log(format!("{pcx_id} to {}", peer.vpc_id));
        let vpc = peer.vpc_id.clone();
        self.deliver_in_vpc(&vpc, h, None)
    }

    /// A route whose target is an ENI (middlebox routing, C3.4, C10.2).
    fn via_appliance(&mut self, eni_id: &str, from: Option<&str>, h: Header) -> Step {
        let Some(eni) = self.net.network_interfaces.get(eni_id).cloned() else {
            return Err(blocker("UNKNOWN_RESOURCE", eni_id, "ENI unknown".into()));
        };
        if self.visited.iter().any(|v| v == eni_id) || self.visited.len() >= 8 {
            return Err(blocker("NO_PATH", eni_id, "routing loop".into()));
        }
        self.visited.push(eni_id.to_string());
        if from != Some(eni.subnet_id.as_str()) {
            self.nacl(&eni.subnet_id, false, &h)?;
        }
        if eni.private_ips.iter().any(|p| addr_of(p.address) == h.dst) {
            // Addressed to the appliance itself: it is the destination.
            return self.at_eni(&eni, h);
        }
        self.security_groups(&eni, true, &h)?;
        self.endpoint_state(&eni)?;
        if eni.source_dest_check {
            return Err(blocker(
                "ENI_SOURCE_DEST_CHECK_RESTRICTION",
                &eni.id,
                format!("{} is not its address", ip_of(h.dst)),
            ));
        }
        self.identity = false;
        self.log(format!("{} forwards", eni.id));
        self.security_groups(&eni, false, &h)?;
        self.leave(&eni.subnet_id, &eni.vpc_id, h)
    }
}

// ------------------------------------------------ transit gateway, VPN, endpoints
//
// Written from C7 (transit gateway), C8 (endpoints), C2.10 (the TGW subnet's
// NACL) and C3.6 / C11 (VPN gateway routes), with the engine's documented
// choices where the document leaves room (docs/model.md):
// * the source's Availability Zone is the AZ of the subnet whose route table
//   sent the packet to the TGW; the exit ENI is the destination attachment's
//   subnet in that AZ, else its first subnet;
// * the destination VPC routes the packet by the exit subnet's own table;
// * with appliance mode a reply leaves the TGW through the ENI its request
//   left through (C7.5); appliance state is not modelled;
// * a VPN gateway leads on-premises: the verdict covers the AWS side, and
//   the reply enters through the VGW (its gateway route table, if any).

impl Walker<'_> {
    /// C1.5, C7.6: both VPCs attach to one transit gateway with SG
    /// referencing enabled on both attachments.
    fn sg_referencing_via_tgw(&self, a: &str, b: &str) -> bool {
        let atts = &self.net.tgw_attachments;
        atts.values().any(|x| {
            x.vpc
                .as_ref()
                .is_some_and(|v| v.vpc_id == a && v.sg_referencing)
                && atts.values().any(|y| {
                    y.tgw_id == x.tgw_id
                        && y.vpc
                            .as_ref()
                            .is_some_and(|v| v.vpc_id == b && v.sg_referencing)
                })
        })
    }

    fn az_of(&self, subnet: &str) -> Option<String> {
        self.net
            .subnets
            .get(subnet)
            .and_then(|s| s.availability_zone.clone())
    }

    /// The attachment's subnet in `az`.
    fn subnet_in_az(&self, att: &TgwVpcAttachment, az: &str) -> Option<String> {
        att.subnet_ids
            .iter()
            .find(|s| self.az_of(s).as_deref() == Some(az))
            .cloned()
    }

    /// C7: a packet routed from `vpc` (leaving `from`) to transit gateway `tgw`.
    fn via_tgw(&mut self, tgw: &str, vpc: &str, from: Option<&str>, h: Header) -> Step {
        let known = self.net.transit_gateways.contains_key(tgw)
            || self.net.tgw_attachments.values().any(|a| a.tgw_id == tgw);
        if !known {
            return Err(blocker("UNKNOWN_RESOURCE", tgw, "TGW unknown".into()));
        }
        let Some(att) = self
            .net
            .tgw_attachments
            .values()
            .find(|a| a.tgw_id == tgw && a.vpc.as_ref().is_some_and(|v| v.vpc_id == vpc))
            .cloned()
        else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                tgw,
                format!("no attachment of {vpc}"),
            ));
        };
        let entry = att.vpc.clone().expect("a VPC attachment");
        if self.visited.contains(&att.id) || self.visited.len() >= 8 {
            return Err(blocker("NO_PATH", &att.id, "routing loop".into()));
        }
        self.visited.push(att.id.clone());
        if !att.state.as_str().is_empty() && att.state.as_str() != "available" {
            return Err(blocker(
                "BAD_STATE_ATTACHMENT",
                &att.id,
                att.state.to_string(),
            ));
        }
        // C7.5: the attachment needs a subnet in the source's AZ.
        let source_az = from.and_then(|f| self.az_of(f));
        let entry_subnet = match &source_az {
            None => entry.subnet_ids.first().cloned(),
            Some(az) => match self.subnet_in_az(&entry, az) {
                Some(s) => Some(s),
                None => {
                    return Err(blocker(
                        "TGW_ROUTE_AZ_RESTRICTION",
                        &att.id,
                        format!("no subnet in {az}"),
                    ))
                }
            },
        };
        // C2.10: the TGW subnet's inbound rules, unless the packet is already in it.
        if let Some(sn) = &entry_subnet {
            if from != Some(sn.as_str()) {
                self.nacl(sn, false, &h)?;
            }
        }
        self.tgw_lookup(
            tgw,
            &att.id,
            att.route_table_id.clone(),
            entry.sg_referencing,
            source_az,
            h,
        )
    }

    /// C7.1–C7.3: the packet, entered through attachment `att_id` of `tgw`,
    /// looked up in that attachment's associated table `rtb_id`, and sent
    /// out through the winning route's attachment. `sg_referencing`: the
    /// entry attachment carries SG identity (C7.6).
    fn tgw_lookup(
        &mut self,
        tgw: &str,
        att_id: &str,
        rtb_id: Option<String>,
        sg_referencing: bool,
        source_az: Option<String>,
        h: Header,
    ) -> Step {
        let Some(rtb_id) = rtb_id else {
            return Err(blocker(
                "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION",
                att_id,
                "no associated route table".into(),
            ));
        };
        let Some(rtb) = self.net.tgw_route_tables.get(&rtb_id) else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                &rtb_id,
                "TGW table unknown".into(),
            ));
        };
        let Some(routes) = &rtb.routes else {
            return Err(blocker(
                "TGW_RTB_ROUTES_ARE_UNKNOWN",
                &rtb_id,
                "routes not in the snapshot".into(),
            ));
        };
        // C7.3: longest prefix; same prefix: static CIDR, static prefix
        // list, then propagated from VPC, Direct Connect, Connect, VPN.
        let rank = |r: &TgwRoute| -> u8 {
            let propagated_rank = match r.resource_type.as_deref() {
                Some("vpc") => 2,
                Some("direct-connect-gateway") => 3,
                Some("connect") => 4,
                Some("vpn") => 5,
                _ => 6,
            };
            match (&r.kind, &r.destination) {
                (TgwRouteKind::Static, RouteDestination::Cidr(_)) => 0,
                (TgwRouteKind::Static, _) => 1,
                _ => propagated_rank,
            }
        };
        let best = self.best_route(routes, |r| &r.destination, rank, h.dst);
        let Some(idx) = best else {
            return Err(blocker(
                "NO_ROUTE_TO_DESTINATION",
                &rtb_id,
                format!("no TGW route for {}", ip_of(h.dst)),
            ));
        };
        let r = routes[idx].clone();
        if r.state == RouteState::Blackhole {
            return Err(blocker(
                "TGW_RTB_BAD_STATE_ROUTE",
                &rtb_id,
                "blackhole route".into(),
            ));
        }
        let exit_id = r.attachment_ids.first().cloned().unwrap_or_default();
        let Some(exit) = self.net.tgw_attachments.get(&exit_id).cloned() else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                &exit_id,
                "TGW attachment unknown".into(),
            ));
        };
        self.log(format!("{tgw} {} route #{idx} -> {exit_id}", rtb_id));
        if exit.resource_type == "peering" {
            return self.across_tgw_peering(tgw, &exit, h);
        }
        let Some(out) = exit.vpc.clone() else {
            return Err(blocker(
                "UNSUPPORTED_COMPONENT",
                &exit_id,
                format!("{} attachment", exit.resource_type),
            ));
        };
        if !exit.state.as_str().is_empty() && exit.state.as_str() != "available" {
            return Err(blocker(
                "BAD_STATE_ATTACHMENT",
                &exit.id,
                exit.state.to_string(),
            ));
        }
        // C7.6: SG references survive only with SG referencing on both sides.
        if !(sg_referencing && out.sg_referencing) {
            self.identity = false;
        }
        self.crossed_tgw = true;
        // C7.5: with appliance mode a reply leaves through the ENI its
        // request left through.
        let pinned = out
            .appliance_mode
            .then(|| self.forward_exits.iter().find(|(a, _)| *a == exit.id))
            .flatten()
            .map(|(_, sn)| sn.clone());
        let exit_subnet = pinned.or_else(|| {
            source_az
                .as_deref()
                .and_then(|az| self.subnet_in_az(&out, az))
                .or_else(|| out.subnet_ids.first().cloned())
        });
        let Some(exit_subnet) = exit_subnet else {
            return Err(blocker("UNKNOWN_RESOURCE", &exit.id, "no subnet".into()));
        };
        self.exits.push((exit.id.clone(), exit_subnet.clone()));
        self.log(format!("{} exits in {exit_subnet}", exit.id));
        // The exit ENI sends the packet: the TGW subnet's outbound rules and
        // its route table (C2.10, C7.6), or straight delivery in that subnet.
        self.leave(&exit_subnet, &out.vpc_id, h)
    }

    /// C7.8 of docs/semantics-additions.md: a peering attachment hands the
    /// packet to the transit gateway at its other end, which looks it up in
    /// the table its own end of the attachment is associated with. The far
    /// end, or its view of the attachment, missing from the snapshot:
    /// unknown. No SG identity and no Availability Zone cross (C7.8 f).
    fn across_tgw_peering(&mut self, tgw: &str, att: &TgwAttachment, h: Header) -> Step {
        if att.state.as_str() != "available" {
            return Err(blocker(
                "BAD_STATE_ATTACHMENT",
                &att.id,
                att.state.to_string(),
            ));
        }
        let peering = att.peering.clone().unwrap_or_default();
        // The other transit gateway: every TGW the snapshot names for the
        // attachment, except this one, must be the same one.
        let mut named: Vec<String> = peering.ends.keys().cloned().collect();
        for p in peering.requester.iter().chain(&peering.accepter) {
            named.push(p.tgw_id.clone());
        }
        named.extend(att.resource_id.clone());
        named.retain(|t| t != tgw);
        named.sort();
        named.dedup();
        let [far] = named.as_slice() else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                &att.id,
                "the other transit gateway is not known".into(),
            ));
        };
        let far = far.clone();
        let Some(far_rtb) = peering.ends.get(&far).cloned() else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                &att.id,
                format!("{far}'s view of the attachment is not in the snapshot"),
            ));
        };
        let hop = format!("{}@{far}", att.id);
        if self.visited.contains(&hop) || self.visited.len() >= 8 {
            return Err(blocker("NO_PATH", &att.id, "routing loop".into()));
        }
        self.visited.push(hop);
        self.identity = false;
        self.crossed_tgw = true;
        self.log(format!("{} peering to {far}", att.id));
        self.tgw_lookup(&far, &att.id, far_rtb, false, None, h)
    }

    /// The index of the route that wins for `dst` (C3.5, C7.3): longest
    /// prefix, then the lowest `rank`, then the first in the table.
    fn best_route<R>(
        &self,
        routes: &[R],
        destination: impl Fn(&R) -> &RouteDestination,
        rank: impl Fn(&R) -> u8,
        dst: Addr,
    ) -> Option<usize> {
        let mut best: Option<(u8, u8, usize)> = None;
        for (i, r) in routes.iter().enumerate() {
            for n in self.destination_nets(destination(r)) {
                if !contains(&n, dst) {
                    continue;
                }
                let cand = (n.prefix_len(), rank(r), i);
                let better = match best {
                    None => true,
                    Some((len, rk, idx)) => {
                        cand.0 > len || (cand.0 == len && (cand.1, cand.2) < (rk, idx))
                    }
                };
                if better {
                    best = Some(cand);
                }
            }
        }
        best.map(|(_, _, i)| i)
    }

    /// The CIDRs a route destination stands for (prefix lists expanded).
    fn destination_nets(&self, d: &RouteDestination) -> Vec<IpNet> {
        match d {
            RouteDestination::Cidr(c) => vec![(*c).into()],
            RouteDestination::PrefixList(id) => self
                .net
                .prefix_lists
                .get(id)
                .and_then(|p| p.cidrs.clone())
                .unwrap_or_default()
                .into_iter()
                .map(IpNet::from)
                .collect(),
            RouteDestination::Ipv6(c) => c
                .parse::<Ipv6Net>()
                .map(|n| vec![n.trunc().into()])
                .unwrap_or_default(),
        }
    }

    /// Is `addr` an address of the snapshot (a private address of an ENI,
    /// or a public one, which stands for its ENI)? Then a route that leads
    /// out of AWS leads away from it.
    fn in_snapshot(&self, addr: Addr) -> bool {
        self.public_in_snapshot(addr)
            || self
                .net
                .network_interfaces
                .values()
                .flat_map(|e| &e.private_ips)
                .any(|p| addr_of(p.address) == addr)
    }

    /// A route to a virtual private gateway: on-premises (C3.6, C3.8).
    fn via_vgw(&mut self, vgw_id: &str, vpc: &str, h: Header) -> Step {
        let Some(vgw) = self.net.vpn_gateways.get(vgw_id) else {
            return Err(blocker("UNKNOWN_RESOURCE", vgw_id, "VGW unknown".into()));
        };
        if !vgw
            .attachments
            .iter()
            .any(|(v, s)| v == vpc && s.as_str() == "attached")
        {
            return Err(blocker(
                "BAD_STATE_ATTACHMENT",
                vgw_id,
                format!("not attached to {vpc}"),
            ));
        }
        let connections: Vec<&VpnConnection> = self
            .net
            .vpn_connections
            .values()
            .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw_id))
            .collect();
        // C3.10c: with no connection at all, nothing leaves either.
        if connections.is_empty() {
            return Err(blocker(
                "BAD_STATE_VPN",
                vgw_id,
                "the VGW has no VPN connection".into(),
            ));
        }
        if connections.iter().all(|c| c.state.as_str() != "available") {
            return Err(blocker(
                "BAD_STATE_VPN",
                vgw_id,
                "no VPN connection is available".into(),
            ));
        }
        self.vpn_carries(vgw_id, &connections, h.dst)?;
        if self.mode == Mode::Return {
            return Err(blocker(
                "NO_PATH",
                vgw_id,
                "the reply leaves for on-premises".into(),
            ));
        }
        if self.in_snapshot(h.dst) {
            return Err(blocker(
                "NO_PATH",
                vgw_id,
                "the destination is inside AWS, the route leads on-premises".into(),
            ));
        }
        self.log(format!("{vgw_id} to on-premises"));
        Ok(Arrival {
            at: At::OnPremises(vgw_id.to_string()),
            h,
        })
    }

    /// C3.10 (docs/semantics-additions.md), for one packet: some
    /// connection must be up (`available`, a tunnel not `DOWN`); then a
    /// static route of an up connection covering `dst` carries it; for a
    /// BGP connection (or one that does not say) a route propagated from
    /// the VGW into any route table does; otherwise BGP leaves it unknown
    /// and static-only drops it.
    fn vpn_carries(
        &self,
        vgw_id: &str,
        connections: &[&VpnConnection],
        dst: Addr,
    ) -> Result<(), Blocker> {
        let up: Vec<&&VpnConnection> = connections
            .iter()
            .filter(|c| c.state.as_str() == "available")
            .filter(|c| c.tunnels.is_empty() || c.tunnels.iter().any(|t| t.status != "DOWN"))
            .collect();
        let Some(first) = up.first() else {
            return Err(blocker(
                "BAD_STATE_VPN",
                vgw_id,
                "no connection is up".into(),
            ));
        };
        if up
            .iter()
            .any(|c| c.static_routes.iter().any(|r| contains(r, dst)))
        {
            return Ok(());
        }
        if !up.iter().any(|c| c.static_routes_only != Some(true)) {
            return Err(blocker(
                "NO_ROUTE_TO_DESTINATION",
                &first.id,
                "no static route of the VPN covers the destination".into(),
            ));
        }
        let learned = self
            .net
            .route_tables
            .values()
            .flat_map(|t| &t.routes)
            .any(|r| {
                r.origin == RouteOrigin::EnableVgwRoutePropagation
                    && r.target == RouteTarget::VpnGateway(vgw_id.to_string())
                    && matches!(&r.destination, RouteDestination::Cidr(c) if contains(c, dst))
            });
        if learned {
            return Ok(());
        }
        Err(blocker(
            "UNKNOWN_DESTINATION",
            vgw_id,
            "BGP routes of the customer gateway are not in the snapshot".into(),
        ))
    }

    /// On-premises traffic (here: replies) entering through a VGW: its
    /// gateway route table if it has one (C3.2), else the VPC's subnets.
    fn enter_from_vgw(&mut self, vgw_id: &str, h: Header) -> Step {
        let Some(vgw) = self.net.vpn_gateways.get(vgw_id) else {
            return Err(blocker("UNKNOWN_RESOURCE", vgw_id, "VGW unknown".into()));
        };
        let Some(vpc) = vgw
            .attachments
            .iter()
            .find(|(_, s)| s.as_str() == "attached")
            .map(|(v, _)| v.clone())
        else {
            return Err(blocker(
                "BAD_STATE_ATTACHMENT",
                vgw_id,
                "not attached".into(),
            ));
        };
        match gateway_route_table(self.net, vgw_id) {
            Some(rt) => self.route(rt, &vpc, None, h),
            None => self.deliver_in_vpc(&vpc, h, None),
        }
    }

    /// A route to a VPC endpoint (C8.1, C8.3).
    fn via_vpce(&mut self, vpce_id: &str, vpc: &str, h: Header) -> Step {
        let Some(vpce) = self.net.vpc_endpoints.get(vpce_id).cloned() else {
            return Err(blocker(
                "UNKNOWN_RESOURCE",
                vpce_id,
                "endpoint unknown".into(),
            ));
        };
        match vpce.kind {
            EndpointKind::Gateway => {
                let tcp = h.proto == PROTO_TCP;
                let echo = h.proto == PROTO_ICMP && h.sport == 8;
                if !(tcp || echo) {
                    return Err(blocker(
                        "VPCE_GATEWAY_PROTOCOL_RESTRICTION",
                        vpce_id,
                        format!("protocol {}", h.proto),
                    ));
                }
                if !vpce.state.as_str().is_empty() && vpce.state.as_str() != "available" {
                    return Err(blocker("BAD_STATE", vpce_id, vpce.state.to_string()));
                }
                // C8.1: not usable from outside the VPC (peering, VPN, TGW).
                let inside = self
                    .net
                    .vpcs
                    .get(vpc)
                    .is_none_or(|v| v.cidrs.iter().any(|c| contains(c, h.src)));
                if !inside {
                    return Err(blocker(
                        "NO_PATH",
                        vpce_id,
                        "a gateway endpoint serves only sources in its VPC".into(),
                    ));
                }
                if self.mode == Mode::Return {
                    return Err(blocker(
                        "NO_PATH",
                        vpce_id,
                        "the reply is routed to the service".into(),
                    ));
                }
                if self.in_snapshot(h.dst) {
                    return Err(blocker(
                        "NO_PATH",
                        vpce_id,
                        "the destination is not the service".into(),
                    ));
                }
                self.log(format!("{vpce_id} to {}", vpce.service_name));
                Ok(Arrival {
                    at: At::Service {
                        vpce: vpce_id.to_string(),
                        vpc: vpc.to_string(),
                    },
                    h,
                })
            }
            EndpointKind::GatewayLoadBalancer => {
                // C8.3: inspection is not followed; the packet comes back
                // unchanged and follows the endpoint subnet's routes.
                if self.visited.iter().any(|v| v == vpce_id) || self.visited.len() >= 8 {
                    return Err(blocker("NO_PATH", vpce_id, "routing loop".into()));
                }
                self.visited.push(vpce_id.to_string());
                self.identity = false;
                self.log(format!("{vpce_id} GWLB endpoint: inspection not followed"));
                let Some(sn) = vpce.subnet_ids.first() else {
                    return Err(blocker("UNKNOWN_RESOURCE", vpce_id, "no subnet".into()));
                };
                let Some(rt) = route_table_of_subnet(self.net, sn) else {
                    return Err(blocker("UNKNOWN_RESOURCE", sn, "no route table".into()));
                };
                self.route(rt, vpc, Some(sn), h)
            }
            _ => Err(blocker(
                "UNSUPPORTED_COMPONENT",
                vpce_id,
                "not a route target".into(),
            )),
        }
    }
}

// ------------------------------------------------------------ associations
// Written here, not borrowed from `Topology`, so that the property test
// checks the engine's association look-ups too.

/// C3.1: a subnet uses the route table explicitly associated with it, else
/// the main route table of its VPC.
fn route_table_of_subnet<'n>(net: &'n Network, subnet: &str) -> Option<&'n RouteTable> {
    let explicit = net
        .route_tables
        .values()
        .find(|t| t.subnet_ids.iter().any(|s| s == subnet));
    explicit.or_else(|| {
        let vpc = &net.subnets.get(subnet)?.vpc_id;
        net.route_tables
            .values()
            .find(|t| t.is_main && t.vpc_id == *vpc)
    })
}

/// C2.1: a subnet uses the network ACL associated with it, else the default
/// ACL of its VPC.
fn acl_of_subnet<'n>(net: &'n Network, subnet: &str) -> Option<&'n NetworkAcl> {
    let explicit = net
        .network_acls
        .values()
        .find(|a| a.subnet_ids.iter().any(|s| s == subnet));
    explicit.or_else(|| {
        let vpc = &net.subnets.get(subnet)?.vpc_id;
        net.network_acls
            .values()
            .find(|a| a.is_default && a.vpc_id == *vpc)
    })
}

/// C3.2: the gateway route table (edge association) of an IGW or VGW.
fn gateway_route_table<'n>(net: &'n Network, gateway: &str) -> Option<&'n RouteTable> {
    net.route_tables
        .values()
        .find(|t| t.gateway_ids.iter().any(|g| g == gateway))
}

/// The ENI holds `addr` as a private IPv4 or an IPv6 address.
fn eni_owns(eni: &NetworkInterface, addr: Addr) -> bool {
    eni.private_ips.iter().any(|p| addr_of(p.address) == addr)
        || eni.ipv6_addresses.iter().any(|a| addr_of(*a) == addr)
}
