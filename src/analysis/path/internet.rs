//! Paths through the internet (INET.1–INET.7 of docs/semantics-additions.md):
//! traffic that left a VPC through an internet gateway (or an egress-only
//! one) towards an address that the snapshot maps to a network interface —
//! an Elastic IP, an auto-assigned public IPv4 address, a NAT gateway's
//! Elastic IP or an IPv6 address — crosses the internet and enters that
//! address's VPC through its internet gateway, which translates it to the
//! private address (C4.3). Replies come back the same way and enter the
//! requester's VPC through the gateway the request left by.
//!
//! This is also the hairpin of C4.5: the destination's VPC may be the
//! source's own (INET.5).
//!
//! Owns: the "internet" hop between two gateways and the choice of the
//! gateway to enter by. Must not know: what a gateway does to a header set
//! (`igw`), what happens inside the VPC afterwards (`walk`).

use std::collections::BTreeMap;

use super::walk::*;
use crate::analysis::codes::ExplanationCode;
use crate::analysis::describe::*;
use crate::packet::*;

/// The component id of the hop between the two gateways; `report` splits a
/// path's hops there into its two halves.
pub const INTERNET_HOP_ID: &str = "internet";

/// Above this many destination addresses, look the snapshot's own public
/// addresses up instead of each destination address.
const ENUMERATE_LIMIT: u128 = 4096;

impl<'t, 'n> Walk<'t, 'n> {
    /// `set` left `from_vpc` through `gateway` (already translated, C4.2)
    /// towards addresses of the snapshot: cross the internet into each
    /// destination's VPC. `Err` gives the trace and set back when no
    /// destination address belongs to the snapshot.
    pub(super) fn across_internet(
        &self,
        mut trace: Trace,
        gateway: &str,
        from_vpc: &str,
        set: HeaderSet,
    ) -> Result<Vec<Trace>, (Trace, HeaderSet)> {
        let parts = self.destination_vpcs(&set);
        if parts.is_empty() {
            return Err((trace, set));
        }
        let mut hop = self.hop(
            INTERNET_HOP_ID,
            "internet (between the two internet gateways)",
            &set,
        );
        hop.inbound = self.keep(&set);
        trace.hops.push(hop);
        // Known by its public address only from here on: security group
        // references and private CIDRs of the source no longer match (INET.2).
        trace.lost_sg_identity = true;
        if self.mode == Mode::Forward {
            trace.internet_exits.push(InternetExit {
                gateway: gateway.to_string(),
                vpc: from_vpc.to_string(),
            });
        }
        let mut out = Vec::new();
        for (vpc, part) in parts {
            let t = trace.clone();
            out.extend(match self.mode {
                Mode::Forward => self.enter_vpc_from_internet(t, &vpc, part),
                Mode::Return => self.reply_from_internet(t, &vpc, part),
            });
        }
        Ok(out)
    }

    /// A request from the internet enters `vpc` only through an internet
    /// gateway attached to it (C4.3); an egress-only one never lets IPv6 in
    /// (C4.6, INET.6).
    fn enter_vpc_from_internet(&self, mut trace: Trace, vpc: &str, set: HeaderSet) -> Vec<Trace> {
        if let Some(igw) = self.topo.igws_of_vpc(vpc).first() {
            trace.translations.push(Translation::IgwIngress {
                vpc: vpc.to_string(),
            });
            return self.enter_from_internet(trace, &igw.id, set);
        }
        if let Some(missing) = self.missing_igw_of_vpc(vpc) {
            return self.unknown(trace, &missing, "internet gateway", &set);
        }
        let addrs = describe_addrs(&set.dst_union());
        let mut e = match self.topo.eigws_of_vpc(vpc).first() {
            Some(eigw) => {
                let mut e = self.explanation(ExplanationCode::EgressOnlyIgwInboundInitiated, format!("{addrs} can be reached from the internet only through an internet gateway of {vpc}; {} is egress-only: it never carries connections initiated from the internet (C4.6, INET.6)", eigw.id), &set);
                e.components
                    .push(("EgressOnlyInternetGateway", comp(self.net(), &eigw.id)));
                e
            }
            None => self.explanation(
                ExplanationCode::NoPath,
                format!("{addrs} is an address of {vpc}, which has no internet gateway attached: the internet cannot reach it (C4.3, INET.1)"),
                &set,
            ),
        };
        e.components.push(("Vpc", comp(self.net(), vpc)));
        e.fix = Some(format!("attach an internet gateway to {vpc}"));
        self.stop(trace, e)
    }

    /// A reply from the internet enters the requester's VPC through the
    /// gateway its request left by (INET.4): an internet gateway translates
    /// it back, an egress-only one lets the reply of its own connection in.
    fn reply_from_internet(&self, mut trace: Trace, vpc: &str, set: HeaderSet) -> Vec<Trace> {
        let Some(exit) = trace
            .forward_internet_exits
            .iter()
            .rev()
            .find(|x| x.vpc == vpc)
            .cloned()
        else {
            let mut e = self.explanation(
                ExplanationCode::NoPath,
                format!("the reply goes to {} in {vpc} through the internet, but the request did not leave {vpc} through the internet: it would not be taken as a reply (INET.4)", describe_addrs(&set.dst_union())),
                &set,
            );
            e.components.push(("Vpc", comp(self.net(), vpc)));
            return self.stop(trace, e);
        };
        if self.net().internet_gateways.contains_key(&exit.gateway) {
            return self.enter_from_internet(trace, &exit.gateway, set);
        }
        let mut hop = self.hop(&exit.gateway, "egress-only internet gateway (reply)", &set);
        hop.vpc = Some(vpc.to_string());
        trace.hops.push(hop);
        self.deliver_local(trace, vpc, set, None)
    }

    /// `set` split by the VPC owning each destination address: a public
    /// IPv4 address of an ENI or NAT gateway, or an IPv6 address of an ENI.
    fn destination_vpcs(&self, set: &HeaderSet) -> Vec<(String, HeaderSet)> {
        let dsts = set.dst_union();
        let count = dsts
            .ranges()
            .fold(0u128, |n, r| n.saturating_add(r.end() - r.start() + 1));
        let candidates: Vec<Addr> = if count <= ENUMERATE_LIMIT {
            dsts.iter().collect()
        } else {
            let mut known = self.topo.public_addresses();
            for eni in self.net().network_interfaces.values() {
                for a in &eni.ipv6_addresses {
                    known |= ip_set(*a);
                }
            }
            (&known & &dsts).iter().collect()
        };
        let mut by_vpc: BTreeMap<String, AddrSet> = BTreeMap::new();
        for a in candidates {
            if let Some(vpc) = self.vpc_of_internet_address(a) {
                by_vpc.entry(vpc).or_default().ranges_insert(a..=a);
            }
        }
        by_vpc
            .into_iter()
            .map(|(vpc, addrs)| (vpc, set.restrict_dst(&addrs)))
            .filter(|(_, s)| !s.is_empty())
            .collect()
    }

    fn vpc_of_internet_address(&self, a: Addr) -> Option<String> {
        if let Some((owner, _)) = self.topo.public_owner(a) {
            let net = self.net();
            // A NAT gateway's address names its ENI, which the snapshot may
            // not describe: then the gateway holding the address says.
            return net
                .network_interfaces
                .get(owner)
                .map(|e| e.vpc_id.clone())
                .or_else(|| {
                    net.nat_gateways
                        .values()
                        .find(|n| {
                            n.id == owner
                                || n.addresses
                                    .iter()
                                    .any(|x| x.public_ip.map(addr_of) == Some(a))
                        })
                        .map(|n| n.vpc_id.clone())
                });
        }
        if is_v4(a) {
            return None;
        }
        // IPv6 addresses are global: the VPC of the ENI that holds it.
        self.topo
            .private_owners_anywhere(a)
            .first()
            .map(|e| e.vpc_id.clone())
    }
}
