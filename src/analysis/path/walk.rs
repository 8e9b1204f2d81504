//! The walk itself: its state ([`Walk`], [`Trace`], [`Hops`]), how a blocker
//! is recorded, and the steps every path takes inside a VPC — network
//! interface, security groups (C1), network ACLs (C2), subnet, VPC route
//! table (C3) and local delivery (C10). Each route target is followed by its
//! component's file (`igw`, `nat`, `tgw`, `vgw`, `vpce`, `peering`,
//! `appliance`, `firewall`).
//!
//! Owns: the trace types and the ENI/SG/NACL/subnet/route steps. Must not
//! know: how a gateway behaves (its own file says), how a result is reported.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::routes::{ambiguous_prefix_list_route, partition_by_routes};
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::analysis::rules::{self, Direction};
use crate::analysis::*;
use crate::model::*;
use crate::packet::*;
use crate::topology::{is_load_balancer_eni, lb_of_eni, subnet_addrs, Topology};

/// Which half of the round trip a walk is: replies skip SGs (stateful,
/// C1.2) and instance state, and may only undo a NAT the request made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    Forward,
    Return,
}

/// What a walk is looking for: where a trace counts as arrived.
#[derive(Clone, Debug)]
pub(super) enum Goal {
    Eni(String),
    /// Any of these ENIs (audit: one walk towards many destinations).
    AnyEni(Arc<BTreeSet<String>>),
    External(AddrSet),
    Igw(String),
    Pcx(String),
    Nat(String),
    Vgw(String),
    Vpce(String),
    TgwAttachment(String),
    /// Any attachment of this transit gateway.
    Tgw(String),
}

/// How a trace reached its goal: where the return path starts.
#[derive(Clone, Debug)]
pub(super) enum Exit {
    Eni(String),
    Igw(String),
    /// Left through an egress-only internet gateway: (gateway, VPC).
    Eigw {
        eigw: String,
        vpc: String,
    },
    Pcx {
        pcx: String,
        from_vpc: String,
    },
    Vgw(String),
    Vpce {
        vpce: String,
        vpc: String,
    },
    /// Reached a component from which no reply is analysed (a NAT gateway or
    /// a transit gateway attachment named as the destination).
    NoReturn,
    /// Reached a link-local AWS service of the source ENI (C1.9, C2.9): the
    /// reply comes straight back to it.
    Service {
        eni: String,
    },
}

#[derive(Clone, Debug)]
pub(super) struct NatBinding {
    pub(super) nat: String,
    pub(super) original_src: AddrSet,
    pub(super) original_sport: PortSet,
}

#[derive(Clone, Debug)]
pub(super) enum Translation {
    /// The IGW's 1:1 NAT of this VPC's private sources (C4.2).
    Igw { vpc: String },
    /// A NAT gateway's source NAT (C5.2).
    Nat(NatBinding),
    /// An IGW of this VPC translating a public destination to the private
    /// address behind it, on a path through the internet (C4.3, INET.1).
    IgwIngress { vpc: String },
}

/// Where a request left for the internet on its way to an address of the
/// snapshot: the reply comes back in through the same gateway (INET.4).
#[derive(Clone, Debug)]
pub(super) struct InternetExit {
    pub(super) gateway: String,
    pub(super) vpc: String,
}

/// A trace's hops; `on` false (a lean walk) records none.
#[derive(Clone, Debug, Default)]
pub(super) struct Hops {
    pub(super) v: Vec<Hop>,
    pub(super) on: bool,
}

impl Hops {
    pub(super) fn push(&mut self, h: Hop) {
        if self.on {
            self.v.push(h);
        }
    }
    pub(super) fn last_mut(&mut self) -> Option<&mut Hop> {
        self.v.last_mut()
    }
    pub(super) fn iter_mut(&mut self) -> std::slice::IterMut<'_, Hop> {
        self.v.iter_mut()
    }
}

/// A TGW handing a packet to a VPC attachment through the ENI in `subnet`,
/// and the appliance ENIs the packet crossed in that VPC.
#[derive(Clone, Debug)]
pub(super) struct TgwExit {
    pub(super) attachment: String,
    pub(super) subnet: String,
    pub(super) appliance_mode: bool,
    pub(super) appliances: Vec<String>,
}

/// One branch of a walk: the traffic in it took one route at every split.
#[derive(Clone, Debug, Default)]
pub(super) struct Trace {
    pub(super) hops: Hops,
    pub(super) explanations: Vec<Explanation>,
    /// Some hop stopped all of this branch's traffic (the walk went on to
    /// find later blockers, but nothing is delivered).
    pub(super) blocked: bool,
    /// Sources are known by address only from here on (NAT, appliance, TGW
    /// without SG referencing): SG references no longer match (C1.10).
    pub(super) lost_sg_identity: bool,
    /// The TGW attachment where SG identity was lost for want of SG
    /// referencing support (`SG_REFERENCING_SUPPORT`, C7.6).
    pub(super) sg_identity_lost_at_tgw: Option<String>,
    /// The traffic came through a transit gateway (a NAT gateway accepts
    /// sources outside its VPC then, C5.4).
    pub(super) crossed_tgw: bool,
    /// Where the TGW handed the packet to a VPC attachment, in order.
    pub(super) tgw_exits: Vec<TgwExit>,
    /// Index in `tgw_exits` of the VPC the packet is in, if it came from a TGW.
    pub(super) current_exit: Option<usize>,
    /// On a reply: the forward direction's `tgw_exits` (appliance mode, C7.5).
    pub(super) forward_exits: Vec<TgwExit>,
    pub(super) nat_bindings: Vec<NatBinding>,
    /// Source translations on the way, in order (to state `admitted` in
    /// the source's own addresses).
    pub(super) translations: Vec<Translation>,
    /// Where this branch left for the internet towards the snapshot (INET.1).
    pub(super) internet_exits: Vec<InternetExit>,
    /// On a reply: the forward direction's `internet_exits`.
    pub(super) forward_internet_exits: Vec<InternetExit>,
    /// Appliance ENIs, endpoints and NAT gateways already traversed (loop guard).
    pub(super) visited_appliances: Vec<String>,
    /// On a reply: the forward direction's `visited_appliances` (a stateful
    /// firewall endpoint passes replies of what it admitted, NF.8).
    pub(super) forward_middleboxes: Vec<String>,
    /// Where the branch arrived and what arrived there.
    pub(super) reached: Option<(Exit, HeaderSet)>,
}

/// One direction of a round trip: its topology, mode, goal and the notes it
/// made. Every step is a method; each AWS component adds its own in its file.
pub(super) struct Walk<'t, 'n> {
    pub(super) topo: &'t Topology<'n>,
    pub(super) mode: Mode,
    pub(super) goal: Goal,
    pub(super) notes: RefCell<Vec<String>>,
    /// Record hops and explanations. A lean walk (`false`) only computes
    /// what arrives: traces carry no hops and blockers build no text.
    pub(super) record: bool,
}

/// A component by id, with its `Name` tag when it has one.
pub(super) fn comp(net: &Network, id: &str) -> ComponentRef {
    ComponentRef {
        id: id.to_string(),
        name: net.name_of(id).map(str::to_string),
    }
}

impl<'t, 'n> Walk<'t, 'n> {
    pub(super) fn net(&self) -> &'n Network {
        self.topo.net
    }

    pub(super) fn note(&self, s: String) {
        self.notes.borrow_mut().push(s);
    }

    /// `Some(set)` when recording, for a hop's optional header set.
    pub(super) fn keep(&self, set: &HeaderSet) -> Option<HeaderSet> {
        self.record.then(|| set.clone())
    }

    pub(super) fn hop(&self, id: &str, role: &str, outbound: &HeaderSet) -> Hop {
        if !self.record {
            let none = ComponentRef {
                id: String::new(),
                name: None,
            };
            return Hop::new(none, String::new(), HeaderSet::empty());
        }
        Hop::new(comp(self.net(), id), role.to_string(), outbound.clone())
    }

    pub(super) fn explanation(
        &self,
        code: ExplanationCode,
        message: String,
        blocked: &HeaderSet,
    ) -> Explanation {
        Explanation {
            on_return_path: self.mode == Mode::Return,
            ..Explanation::new(code, message, blocked)
        }
    }

    /// Record a blocker. If it stopped everything, go on with `before` so
    /// that later blockers are found too.
    pub(super) fn gate(
        &self,
        trace: &mut Trace,
        before: &HeaderSet,
        after: HeaderSet,
        explanation: impl FnOnce() -> Explanation,
    ) -> HeaderSet {
        if self.gate_unmarked(trace, before, &after, explanation) {
            if let Some(h) = trace.hops.last_mut() {
                h.blocked = true;
            }
            before.clone()
        } else {
            after
        }
    }

    /// [`Self::gate`] without marking a hop, for a blocker whose hop is
    /// not recorded yet: true when it stopped everything.
    fn gate_unmarked(
        &self,
        trace: &mut Trace,
        before: &HeaderSet,
        after: &HeaderSet,
        explanation: impl FnOnce() -> Explanation,
    ) -> bool {
        let stopped = after.is_empty() && !before.is_empty();
        if stopped {
            if self.record {
                trace.explanations.push(explanation());
            }
            trace.blocked = true;
        }
        stopped
    }

    /// [`Self::stop`] for a stop a lean walk reaches often (every class
    /// walk whose destinations include unroutable ones): the explanation
    /// and its message, which formats whole address sets, are built only
    /// when a recorded walk keeps it or a lean walk must note it.
    pub(super) fn stop_with(
        &self,
        trace: Trace,
        code: ExplanationCode,
        explanation: impl FnOnce() -> Explanation,
    ) -> Vec<Trace> {
        if self.record || code == ExplanationCode::UnknownResource {
            return self.stop(trace, explanation());
        }
        self.stop_unexplained(trace)
    }

    fn stop_unexplained(&self, mut trace: Trace) -> Vec<Trace> {
        trace.blocked = true;
        if let Some(h) = trace.hops.last_mut() {
            h.blocked = true;
        }
        vec![trace]
    }

    /// Record a blocker after which nothing can be followed.
    pub(super) fn stop(&self, trace: Trace, e: Explanation) -> Vec<Trace> {
        let mut trace = trace;
        if self.record {
            trace.explanations.push(e);
        } else if e.code == ExplanationCode::UnknownResource {
            // A lean walk keeps no explanations, but an analysis built on
            // it (audit) must know that some traffic's fate is unknown, or
            // it would call the scope clean.
            self.note(format!("UNKNOWN_RESOURCE: {}", e.message));
        }
        self.stop_unexplained(trace)
    }

    pub(super) fn unknown(
        &self,
        trace: Trace,
        id: &str,
        what: &str,
        set: &HeaderSet,
    ) -> Vec<Trace> {
        let mut e = self.explanation(
            ExplanationCode::UnknownResource,
            format!("{what} {id} is not in the snapshot; the path cannot be followed past it"),
            set,
        );
        e.components.push(("Component", comp(self.net(), id)));
        self.stop(trace, e)
    }

    /// The state of `eni` (and its instance) as a blocker, marked on the
    /// last hop recorded: the ENI's own (see [`Self::own_state_blocks`]).
    pub(super) fn state_checks(
        &self,
        trace: &mut Trace,
        eni: &NetworkInterface,
        set: HeaderSet,
    ) -> HeaderSet {
        if self.own_state_blocks(trace, eni, &set) {
            if let Some(h) = trace.hops.last_mut() {
                h.blocked = true;
            }
        }
        set
    }

    /// Record the explanations of what in `eni`'s own state (a stopped
    /// instance C10.6, a detached ENI C10.1) stops `set`, without marking
    /// any hop: the caller marks the ENI's hop, so that the ✗ lands on
    /// the component the explanation names and not on an earlier hop
    /// that allowed the traffic. True when it stops everything.
    pub(super) fn own_state_blocks(
        &self,
        trace: &mut Trace,
        eni: &NetworkInterface,
        set: &HeaderSet,
    ) -> bool {
        if self.mode == Mode::Return {
            return false;
        }
        let mut blocks = false;
        if let Some(missing) = self.owner_missing(eni) {
            let before = set.clone();
            let message = format!("{} belongs to {missing}, which is not in the snapshot: whether and how it accepts the traffic is unknown (R-partial.4)", eni.id);
            if !self.record && !before.is_empty() {
                // As `stop` does: an audit built on lean walks must not
                // read this as blocked.
                self.note(format!("UNKNOWN_RESOURCE: {message}"));
            }
            return self.gate_unmarked(trace, &before, &HeaderSet::empty(), || {
                let mut e = self.explanation(ExplanationCode::UnknownResource, message, &before);
                e.components
                    .push(("NetworkInterface", comp(self.net(), &eni.id)));
                e
            });
        }
        if let Some(inst_id) = eni.attachment.as_ref().and_then(|a| a.instance_id.as_ref()) {
            if let Some(inst) = self.net().instances.get(inst_id) {
                if inst.state != InstanceState::Running {
                    let before = set.clone();
                    blocks |= self.gate_unmarked(trace, &before, &HeaderSet::empty(), || {
                        let mut e = self.explanation(
                            ExplanationCode::BadState,
                            format!(
                                "instance {} is {}, not running (C10.6)",
                                inst.id, inst.state
                            ),
                            &before,
                        );
                        e.components.push(("Component", comp(self.net(), &inst.id)));
                        e.fix = Some(format!("start {}", inst.id));
                        e
                    });
                }
            }
        }
        let requester_managed = eni.interface_type != "interface";
        let attached = eni
            .attachment
            .as_ref()
            .is_some_and(|a| a.status == EniAttachmentStatus::Attached);
        if !requester_managed && !attached {
            let before = set.clone();
            blocks |= self.gate_unmarked(trace, &before, &HeaderSet::empty(), || {
                let mut e = self.explanation(
                    ExplanationCode::BadStateAttachment,
                    format!(
                        "{} is not attached to an instance (status {})",
                        eni.id, eni.status
                    ),
                    &before,
                );
                e.components
                    .push(("NetworkInterface", comp(self.net(), &eni.id)));
                e
            });
        }
        blocks
    }

    /// A route table (VPC or TGW) routes by prefix lists whose entries the
    /// snapshot lacks: any of them may hold the longest prefix for the
    /// traffic, so which route wins is unknown (R-partial.4).
    pub(super) fn prefix_list_routes_unknown(
        &self,
        kind: &'static str,
        table: &str,
        pls: &[String],
        set: &HeaderSet,
    ) -> Explanation {
        let mut e = self.explanation(
            ExplanationCode::UnknownResource,
            format!(
                "{table} routes to prefix list{} {} whose entries are not in the snapshot (describe-managed-prefix-lists, get-managed-prefix-list-entries): which of its routes wins for {} is unknown (R-partial.4)",
                if pls.len() == 1 { "" } else { "s" },
                pls.join(", "),
                describe_addrs(&set.dst_union())
            ),
            set,
        );
        e.components.push((kind, comp(self.net(), table)));
        e
    }

    /// What owns `eni` and decides what it accepts, when the snapshot
    /// lacks it (R-partial.4): the instance it is attached to, or the NAT
    /// gateway or VPC endpoint whose interface it is (`InterfaceType`).
    fn owner_missing(&self, eni: &NetworkInterface) -> Option<String> {
        let net = self.net();
        if let Some(inst) = eni.attachment.as_ref().and_then(|a| a.instance_id.as_ref()) {
            if !net.instances.contains_key(inst) {
                return Some(format!("instance {inst} (describe-instances)"));
            }
        }
        match eni.interface_type.as_str() {
            "nat_gateway" if self.topo.nat_of_eni(&eni.id).is_none() => {
                Some("a NAT gateway (InterfaceType nat_gateway; describe-nat-gateways)".into())
            }
            "vpc_endpoint" | "gateway_load_balancer_endpoint"
                if !net
                    .vpc_endpoints
                    .values()
                    .any(|v| v.network_interface_ids.contains(&eni.id)) =>
            {
                Some(format!(
                    "a VPC endpoint (InterfaceType {}; describe-vpc-endpoints)",
                    eni.interface_type
                ))
            }
            _ => None,
        }
    }

    pub(super) fn sg_check(
        &self,
        trace: &mut Trace,
        eni: &NetworkInterface,
        dir: Direction,
        set: HeaderSet,
    ) -> HeaderSet {
        if self.mode == Mode::Return || eni.group_ids.is_empty() {
            return set;
        }
        let mut notes = Vec::new();
        let verdict = rules::evaluate_sgs(
            self.topo,
            eni,
            dir,
            &set,
            !trace.lost_sg_identity,
            &mut notes,
        );
        notes.into_iter().for_each(|n| self.note(n));
        if !self.record && verdict.denied {
            // A lean walk keeps no explanations, but what a group or prefix
            // list the snapshot lacks might allow is unknown, not denied
            // (R-partial.4): an audit through it must not read clean. Named
            // by group and list only, so one note stands for every member.
            for g in &verdict.unknown_groups {
                self.note(format!("UNKNOWN_RESOURCE: security group {g} is not in the snapshot; what its members' other groups do not allow {} might be allowed by it (R-partial.4)", dir.as_str()));
            }
            for pl in &verdict.unknown_prefix_lists {
                self.note(format!("UNKNOWN_RESOURCE: prefix list {pl} has no entries in the snapshot; security group rules naming it might allow {} traffic the other rules do not (R-partial.4)", dir.as_str()));
            }
        }
        let role = match dir {
            Direction::Ingress => "security groups, ingress",
            Direction::Egress => "security groups, egress",
        };
        let sg_id = verdict
            .first_match
            .as_ref()
            .map(|m| m.group_id.clone())
            .unwrap_or_else(|| eni.group_ids[0].clone());
        let mut hop = self.hop(&sg_id, role, &verdict.admitted);
        hop.sg_rule = verdict.first_match.clone();
        trace.hops.push(hop);
        let before = set.clone();
        let lost_identity = trace.lost_sg_identity;
        let lost_at_tgw = trace.sg_identity_lost_at_tgw.clone();
        self.gate(trace, &before, verdict.admitted, || {
            let unknown = !verdict.unknown_groups.is_empty()
                || !verdict.unknown_prefix_lists.is_empty();
            // A group reference would have admitted it had the TGW kept the
            // source's identity (C7.6).
            let tgw_dropped_identity = lost_at_tgw
                .as_ref()
                .filter(|_| self.group_reference_would_admit(eni, dir, &before));
            let code = if unknown {
                ExplanationCode::UnknownResource
            } else if verdict.empty_groups.len() == eni.group_ids.len() {
                ExplanationCode::SgHasNoRules
            } else {
                ExplanationCode::EniSgRulesMismatch
            };
            let groups = eni.group_ids.join(", ");
            let traffic = describe_traffic(&before, dir);
            let message = if !verdict.unknown_groups.is_empty() {
                format!("{} ({groups}) {}: security groups {} are not in the snapshot and the others allow none of {traffic}", eni.id, dir.as_str(), verdict.unknown_groups.join(", "))
            } else if unknown {
                format!("{} ({groups}) {}: rules naming prefix list{} {} might allow {traffic}, but the entries are not in the snapshot (describe-managed-prefix-lists, get-managed-prefix-list-entries) (R-partial.4)", eni.id, dir.as_str(), if verdict.unknown_prefix_lists.len() == 1 { "" } else { "s" }, verdict.unknown_prefix_lists.join(", "))
            } else if let Some(att) = tgw_dropped_identity {
                format!("no {} rule of {groups} on {} allows {traffic} by address; a security group reference would, but the traffic came through transit gateway attachment {att} without security group referencing support on the transit gateway and both VPC attachments (SG_REFERENCING_SUPPORT, C7.6)", dir.as_str(), eni.id)
            } else {
                format!("no {} rule of {groups} on {} allows {traffic}", dir.as_str(), eni.id)
            };
            let mut e = self.explanation(code, message, &before);
            e.direction = Some(dir);
            e.components.push(("NetworkInterface", comp(self.net(), &eni.id)));
            for g in &eni.group_ids {
                e.components.push(("SecurityGroups", comp(self.net(), g)));
            }
            e.components.push(("Subnet", comp(self.net(), &eni.subnet_id)));
            e.components.push(("Vpc", comp(self.net(), &eni.vpc_id)));
            if let Some(att) = tgw_dropped_identity {
                e.components
                    .push(("TransitGatewayAttachment", comp(self.net(), att)));
            }
            let peer = match dir {
                Direction::Ingress => describe_addrs(&before.src_union()),
                Direction::Egress => describe_addrs(&before.dst_union()),
            };
            let sg_hint = if lost_identity { " (by address: SG references do not survive NAT or appliances, C1.10)" } else { "" };
            e.fix = Some(format!(
                "add an {} rule to {} allowing {} {} {peer}{sg_hint}",
                dir.as_str(),
                eni.group_ids[0],
                describe_protocols(&before),
                if dir == Direction::Ingress { "from" } else { "to" }
            ));
            e
        })
    }

    /// A packet leaves `eni_id`: the source, or an appliance forwarding it.
    pub(super) fn eni_out(
        &self,
        mut trace: Trace,
        eni_id: &str,
        set: HeaderSet,
        forwarding: bool,
    ) -> Vec<Trace> {
        let Some(eni) = self.net().network_interfaces.get(eni_id) else {
            return self.unknown(trace, eni_id, "network interface", &set);
        };
        if !forwarding {
            let role = if self.mode == Mode::Return {
                "network interface (reply leaves)"
            } else {
                "network interface (source)"
            };
            let mut hop = self.hop(&eni.id, role, &set);
            hop.inbound = self.keep(&set);
            hop.attached_to = eni
                .attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_ref())
                .map(|i| comp(self.net(), i));
            hop.subnet = Some(eni.subnet_id.clone());
            hop.vpc = Some(eni.vpc_id.clone());
            trace.hops.push(hop);
        }
        let set = if forwarding {
            set
        } else {
            self.state_checks(&mut trace, eni, set)
        };
        let set = self.sg_check(&mut trace, eni, Direction::Egress, set);
        self.leave_subnet(trace, &eni.subnet_id, &eni.vpc_id, set)
    }

    /// Same-subnet traffic skips NACLs and routes (C2.7, C3.3, C10.3); the
    /// rest crosses the NACL outbound and is routed.
    pub(super) fn leave_subnet(
        &self,
        trace: Trace,
        subnet_id: &str,
        vpc_id: &str,
        set: HeaderSet,
    ) -> Vec<Trace> {
        let Some(subnet) = self.net().subnets.get(subnet_id) else {
            return self.unknown(trace, subnet_id, "subnet", &set);
        };
        let local = subnet_addrs(subnet);
        let within = set.restrict_dst(&local);
        let beyond = set.restrict_dst(&(all_addrs() - &local));
        let mut out = Vec::new();
        if !within.is_empty() {
            out.extend(self.enter_subnet(trace.clone(), subnet_id, within, Some(subnet_id)));
        }
        if !beyond.is_empty() {
            let mut t = trace;
            let set = self.acl_check(&mut t, subnet_id, true, beyond);
            let Some(rt) = self.topo.route_table_of_subnet(subnet_id) else {
                let mut e = self.explanation(ExplanationCode::UnknownResource, format!("the route table of {subnet_id} is not in the snapshot (no explicit association and no main table)"), &set);
                e.components.push(("Subnet", comp(self.net(), subnet_id)));
                return self.stop(t, e).into_iter().chain(out).collect();
            };
            out.extend(self.route(t, rt, vpc_id, Some(subnet_id), set));
        }
        out
    }

    pub(super) fn acl_check(
        &self,
        trace: &mut Trace,
        subnet_id: &str,
        egress: bool,
        set: HeaderSet,
    ) -> HeaderSet {
        let Some(acl) = self.topo.acl_of_subnet(subnet_id) else {
            let before = set.clone();
            return self.gate(trace, &before, HeaderSet::empty(), || {
                let mut e = self.explanation(
                    ExplanationCode::UnknownResource,
                    format!("the network ACL of {subnet_id} is not in the snapshot"),
                    &before,
                );
                e.components.push(("Subnet", comp(self.net(), subnet_id)));
                e
            });
        };
        let verdict = rules::evaluate_acl_in(self.topo, acl, egress, &set);
        let role = if egress {
            "network ACL, outbound"
        } else {
            "network ACL, inbound"
        };
        let mut hop = self.hop(&acl.id, role, &verdict.admitted);
        hop.acl_rule = verdict
            .allowed_by
            .first()
            .cloned()
            .or_else(|| verdict.denied_by.first().map(|(e, _)| e.clone()));
        hop.subnet = Some(subnet_id.to_string());
        hop.vpc = Some(acl.vpc_id.clone());
        trace.hops.push(hop);
        let dir = if egress {
            Direction::Egress
        } else {
            Direction::Ingress
        };
        if !verdict.admitted.is_empty() || set.is_empty() {
            return verdict.admitted;
        }
        // All of it stopped: one explanation per deny rule that stopped some,
        // then go on with the traffic as it was (see `gate`).
        for (rule, stopped) in verdict.denied_by.iter().filter(|_| self.record) {
            let mut e = self.explanation(
                ExplanationCode::SubnetAclRestriction,
                format!(
                    "{} {} {}",
                    acl.id,
                    if egress { "outbound" } else { "inbound" },
                    describe_acl_denial(rule, stopped, dir)
                ),
                stopped,
            );
            e.direction = Some(dir);
            e.components.push(("Acl", comp(self.net(), &acl.id)));
            e.components.push(("Subnet", comp(self.net(), subnet_id)));
            e.components.push(("Vpc", comp(self.net(), &acl.vpc_id)));
            e.acl_rule = Some(rule.clone());
            e.fix = Some(acl_fix(&acl.id, rule, stopped, dir));
            trace.explanations.push(e);
        }
        trace.blocked = true;
        if let Some(h) = trace.hops.last_mut() {
            h.blocked = true;
        }
        set
    }

    pub(super) fn route(
        &self,
        trace: Trace,
        rt: &RouteTable,
        vpc_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        if set.is_empty() {
            return vec![trace];
        }
        let (parts, unknown_pls) = partition_by_routes(self.net(), rt, &set);
        if !unknown_pls.is_empty() {
            let e = self.prefix_list_routes_unknown("RouteTable", &rt.id, &unknown_pls, &set);
            return self.stop(trace, e);
        }
        let mut out = Vec::new();
        let mut routed = HeaderSet::empty();
        for (route, part) in parts {
            if let Some(n) = ambiguous_prefix_list_route(self.net(), rt, &route, &part) {
                self.note(n);
            }
            routed.extend(part.clone());
            let mut t = trace.clone();
            let mut hop = self.hop(&rt.id, "route table", &part);
            hop.route = Some(route.clone());
            hop.route_table_id = Some(rt.id.clone());
            hop.vpc = Some(vpc_id.to_string());
            hop.subnet = from_subnet.map(str::to_string);
            t.hops.push(hop);
            if route.state == RouteState::Blackhole {
                let mut e = self.explanation(ExplanationCode::BadStateRoute, format!("{} routes {} to {}, which is a blackhole (its target no longer exists or is detached)", rt.id, describe_route_dest(&route.destination), route.target.id()), &part);
                e.components.push(("RouteTable", comp(self.net(), &rt.id)));
                e.route = Some(route.clone());
                e.route_table_id = Some(rt.id.clone());
                e.fix = Some(format!(
                    "replace the route {} in {} with one to a live target",
                    describe_route_dest(&route.destination),
                    rt.id
                ));
                out.extend(self.stop(t, e));
                continue;
            }
            out.extend(self.follow_route(t, &route, rt, vpc_id, from_subnet, part));
        }
        let unrouted = set.subtract(&routed);
        if !unrouted.is_empty() {
            let mut t = trace;
            let mut hop = self.hop(&rt.id, "route table", &HeaderSet::empty());
            hop.route_table_id = Some(rt.id.clone());
            hop.vpc = Some(vpc_id.to_string());
            t.hops.push(hop);
            if !self.record {
                t.blocked = true;
                out.push(t);
                return out;
            }
            let mut e = self.explanation(
                ExplanationCode::NoRouteToDestination,
                format!(
                    "{} has no route for {}",
                    rt.id,
                    describe_addrs(&unrouted.dst_union())
                ),
                &unrouted,
            );
            e.components.push(("RouteTable", comp(self.net(), &rt.id)));
            if let Some(s) = from_subnet {
                e.components.push(("Subnet", comp(self.net(), s)));
            }
            e.components.push(("Vpc", comp(self.net(), vpc_id)));
            e.fix = Some(format!(
                "add a route in {} for {}",
                rt.id,
                describe_addrs(&unrouted.dst_union())
            ));
            out.extend(self.stop(t, e));
        }
        out
    }

    pub(super) fn follow_route(
        &self,
        trace: Trace,
        route: &Route,
        rt: &RouteTable,
        vpc_id: &str,
        from_subnet: Option<&str>,
        set: HeaderSet,
    ) -> Vec<Trace> {
        match &route.target {
            RouteTarget::Local => self.deliver_local(trace, vpc_id, set, from_subnet),
            RouteTarget::InternetGateway(igw) => self.to_igw(trace, igw, vpc_id, set),
            RouteTarget::EgressOnlyInternetGateway(eigw) => self.to_eigw(trace, eigw, vpc_id, set),
            RouteTarget::NatGateway(nat) => self.to_nat(trace, nat, from_subnet, set),
            RouteTarget::VpcPeering(pcx) => self.to_pcx(trace, pcx, vpc_id, set),
            RouteTarget::NetworkInterface(eni) => self.to_appliance(trace, eni, from_subnet, set),
            RouteTarget::TransitGateway(tgw) => self.to_tgw(trace, tgw, vpc_id, from_subnet, set),
            RouteTarget::VpnGateway(vgw) => self.to_vgw(trace, vgw, vpc_id, set),
            RouteTarget::VpcEndpoint(vpce) if self.net().firewall_of_endpoint(vpce).is_some() => {
                self.to_firewall(trace, vpce, from_subnet, set)
            }
            RouteTarget::VpcEndpoint(vpce) => self.to_vpce(trace, vpce, vpc_id, set),
            RouteTarget::Instance(inst) => match self
                .net()
                .instances
                .get(inst)
                .and_then(|i| i.network_interface_ids.first())
            {
                Some(eni) => {
                    let eni = eni.clone();
                    self.to_appliance(trace, &eni, from_subnet, set)
                }
                None => self.unknown(trace, inst, "instance", &set),
            },
            other => {
                let kind = match other {
                    RouteTarget::TransitGateway(_) => "transit gateway",
                    RouteTarget::VpnGateway(_) => "virtual private gateway",
                    RouteTarget::VpcEndpoint(_) => "VPC endpoint",
                    RouteTarget::EgressOnlyInternetGateway(_) => "egress-only internet gateway",
                    RouteTarget::Other { kind, .. } => kind.as_str(),
                    _ => "component",
                };
                let mut e = self.explanation(
                    ExplanationCode::UnsupportedComponent,
                    format!("{} sends {} to {kind} {}, which this version does not model; the path is not followed further (not a verdict)", rt.id, describe_addrs(&set.dst_union()), other.id()),
                    &set,
                );
                e.components
                    .push(("Component", comp(self.net(), other.id())));
                e.components.push(("RouteTable", comp(self.net(), &rt.id)));
                e.route = Some(route.clone());
                self.note(format!("{kind} {} is not modelled: paths through it are reported as not found, never guessed", other.id()));
                self.stop(trace, e)
            }
        }
    }

    pub(super) fn deliver_local(
        &self,
        trace: Trace,
        vpc_id: &str,
        set: HeaderSet,
        from_subnet: Option<&str>,
    ) -> Vec<Trace> {
        let mut out = Vec::new();
        for (subnet, addrs) in self.topo.subnets_with_addrs(vpc_id) {
            let part = set.restrict_dst(addrs);
            if part.is_empty() {
                continue;
            }
            out.extend(self.enter_subnet(trace.clone(), &subnet.id, part, from_subnet));
        }
        // What no subnet took: the same set as `set` minus every part above,
        // without subtracting (which fragments the set into many cubes).
        let rest = set.restrict_dst(&self.topo.unowned_in_vpc(vpc_id));
        if !rest.is_empty() {
            let mut e = self.explanation(
                ExplanationCode::UnknownDestination,
                format!(
                    "no subnet of {vpc_id} in the snapshot holds {}",
                    describe_addrs(&rest.dst_union())
                ),
                &rest,
            );
            e.components.push(("Vpc", comp(self.net(), vpc_id)));
            out.extend(self.stop(trace, e));
        }
        out
    }

    pub(super) fn enter_subnet(
        &self,
        mut trace: Trace,
        subnet_id: &str,
        set: HeaderSet,
        from_subnet: Option<&str>,
    ) -> Vec<Trace> {
        let set = if from_subnet == Some(subnet_id) {
            set
        } else {
            self.acl_check(&mut trace, subnet_id, false, set)
        };
        let Some(subnet) = self.net().subnets.get(subnet_id) else {
            return self.unknown(trace, subnet_id, "subnet", &set);
        };
        let mut out = Vec::new();
        let dsts = set.dst_union();
        for (eni, mine) in self.topo.enis_in_subnet_with_addrs(subnet_id) {
            let eni = *eni;
            if disjoint(&dsts, mine) {
                continue;
            }
            let part = set.restrict_dst(mine);
            let t = trace.clone();
            if let Some(nat) = self.topo.nat_of_eni(&eni.id) {
                out.extend(self.arrive_at_nat(t, nat, part));
            } else {
                out.extend(self.eni_in(t, eni, part));
            }
        }
        // What no ENI took (as in `deliver_local`).
        let rest = set.restrict_dst(&self.topo.unowned_in_subnet(subnet_id));
        if !rest.is_empty() {
            // A NAT gateway known only from describe-nat-gateways (no ENI file).
            let nat_ips: Vec<&NatGateway> = self
                .net()
                .nat_gateways
                .values()
                .filter(|n| n.subnet_id == subnet.id)
                .collect();
            for nat in nat_ips {
                let ips: AddrSet = nat
                    .addresses
                    .iter()
                    .filter_map(|a| a.private_ip)
                    .map(addr_of)
                    .map(|a| a..=a)
                    .collect();
                let part = rest.restrict_dst(&ips);
                if !part.is_empty()
                    && nat.addresses.iter().all(|a| {
                        a.network_interface_id
                            .as_ref()
                            .is_none_or(|e| !self.net().network_interfaces.contains_key(e))
                    })
                {
                    out.extend(self.arrive_at_nat(trace.clone(), nat, part));
                    return out;
                }
            }
            let mut e = self.explanation(
                ExplanationCode::UnknownDestination,
                format!(
                    "no network interface in {subnet_id} has address {}",
                    describe_addrs(&rest.dst_union())
                ),
                &rest,
            );
            e.components.push(("Subnet", comp(self.net(), subnet_id)));
            out.extend(self.stop(trace, e));
        }
        out
    }

    pub(super) fn eni_in(
        &self,
        mut trace: Trace,
        eni: &NetworkInterface,
        set: HeaderSet,
    ) -> Vec<Trace> {
        if is_load_balancer_eni(eni) && lb_of_eni(self.net(), eni).is_none() {
            self.note(format!(
                "{} belongs to a load balancer ({}) that is not in the snapshot (aws elbv2/elb describe-load-balancers): its listeners and targets are unknown; the verdict covers reaching the load balancer's interface only",
                eni.id,
                eni.description.as_deref().unwrap_or(&eni.interface_type)
            ));
        }
        let own_state_blocks = self.own_state_blocks(&mut trace, eni, &set);
        let set = self.sg_check(&mut trace, eni, Direction::Ingress, set);
        let role = if self.mode == Mode::Return {
            "network interface (reply arrives)"
        } else {
            "network interface (destination)"
        };
        let mut hop = self.hop(&eni.id, role, &set);
        hop.blocked = own_state_blocks;
        hop.attached_to = eni
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_ref())
            .map(|i| comp(self.net(), i));
        hop.subnet = Some(eni.subnet_id.clone());
        hop.vpc = Some(eni.vpc_id.clone());
        trace.hops.push(hop);
        match &self.goal {
            Goal::Eni(goal) if *goal == eni.id => {
                trace.reached = Some((Exit::Eni(eni.id.clone()), set));
                vec![trace]
            }
            Goal::AnyEni(goals) if goals.contains(&eni.id) => {
                trace.reached = Some((Exit::Eni(eni.id.clone()), set));
                vec![trace]
            }
            _ => {
                let e = self.explanation(
                    ExplanationCode::NoPath,
                    format!(
                        "the traffic is delivered to {}, not to the destination",
                        eni.id
                    ),
                    &set,
                );
                self.stop(trace, e)
            }
        }
    }
}
