//! The ends of an audit: scope statements resolved against the snapshot
//! (ENIs, gateways, attachments, endpoints), and whether an end or a
//! path's hops match a statement. Knows the scope and the model; nothing
//! of walks, classes or findings.

use std::collections::BTreeSet;

use super::*;
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Eni,
    Igw,
    Pcx,
    /// A virtual private gateway: on-premises behind it.
    Vgw,
    /// A transit gateway attachment: traffic entering or leaving the TGW through it.
    TgwAttachment,
    /// A gateway endpoint: the service behind it (interface endpoints are ENIs).
    Vpce,
}

impl Kind {
    /// The path endpoint a non-ENI end stands for.
    pub(super) fn endpoint(&self, id: &str) -> Endpoint {
        match self {
            Kind::Igw => Endpoint::InternetGateway(id.to_string()),
            Kind::Pcx => Endpoint::Peering(id.to_string()),
            Kind::Vgw => Endpoint::VpnGateway(id.to_string()),
            Kind::TgwAttachment => Endpoint::TgwAttachment(id.to_string()),
            Kind::Vpce => Endpoint::GatewayEndpoint(id.to_string()),
            Kind::Eni => unreachable!("ENI ends carry their addresses"),
        }
    }
}

pub(super) struct End<'n> {
    pub(super) id: String,
    pub(super) kind: Kind,
    pub(super) eni: Option<&'n NetworkInterface>,
    /// An ENI end's addresses, as `path` reads an ENI end
    /// ([`endpoint::default_eni_addrs`]): its primary private IPv4 address
    /// and its first IPv6 address (at most one per family); empty for
    /// gateway-like ends.
    pub(super) addrs: AddrSet,
    /// Tag pairs for the `Tags` extension.
    pub(super) tags: BTreeSet<(String, String)>,
}

/// A scope path resolved against the snapshot.
pub(super) struct Resolved {
    pub(super) src: Option<ResourceStatement>,
    pub(super) dst: Option<ResourceStatement>,
    pub(super) through: Vec<ResourceStatement>,
    pub(super) src_addrs: Option<AddrSet>,
    pub(super) dst_addrs: Option<AddrSet>,
    /// Protocol and ports (addresses everything).
    pub(super) cube: Cube,
}

pub(super) fn resolve_path(net: &Network, p: &ScopePath) -> Result<Resolved, AuditError> {
    let mut cube = Cube::everything();
    let mut src_addrs: Option<AddrSet> = None;
    let mut dst_addrs: Option<AddrSet> = None;
    let and = |a: &mut Option<AddrSet>, b: AddrSet| {
        *a = Some(match a.take() {
            Some(x) => &x & &b,
            None => b,
        })
    };
    for (which, st) in [("Source", &p.source), ("Destination", &p.destination)] {
        let Some(h) = st.as_ref().and_then(|s| s.headers.as_ref()) else {
            continue;
        };
        let pl = |ids: &[String], field: &str| -> Result<Option<AddrSet>, AuditError> {
            if ids.is_empty() {
                return Ok(None);
            }
            let mut set = AddrSet::new();
            for id in ids {
                match net.prefix_lists.get(id).and_then(|p| p.cidrs.as_ref()) {
                    Some(c) => set |= nets_set(c),
                    None => {
                        return Err(AuditError::PrefixList {
                            id: id.clone(),
                            json_path: format!(
                                "{}.{which}.PacketHeaderStatement.{field}",
                                p.json_path
                            ),
                        })
                    }
                }
            }
            Ok(Some(set))
        };
        if let Some(a) = &h.source_addresses {
            and(&mut src_addrs, a.clone());
        }
        if let Some(a) = pl(&h.source_prefix_lists, "SourcePrefixLists")? {
            and(&mut src_addrs, a);
        }
        if let Some(a) = &h.destination_addresses {
            and(&mut dst_addrs, a.clone());
        }
        if let Some(a) = pl(&h.destination_prefix_lists, "DestinationPrefixLists")? {
            and(&mut dst_addrs, a);
        }
        let has_ports = h.source_ports.is_some() || h.destination_ports.is_some();
        if let Some(p) = &h.source_ports {
            cube.sport = &cube.sport & p;
        }
        if let Some(p) = &h.destination_ports {
            cube.dport = &cube.dport & p;
        }
        match &h.protocols {
            Some(p) => cube.proto = &cube.proto & p,
            // Ports only mean something for TCP and UDP.
            None if has_ports => {
                cube.proto = &cube.proto
                    & &ProtoSet::from_iter([PROTO_TCP..=PROTO_TCP, PROTO_UDP..=PROTO_UDP])
            }
            None => {}
        }
    }
    Ok(Resolved {
        src: p.source.as_ref().and_then(|s| s.resources.clone()),
        dst: p.destination.as_ref().and_then(|s| s.resources.clone()),
        through: p.through.clone(),
        src_addrs,
        dst_addrs,
        cube,
    })
}

/// Does an end match a resource statement? `None` matches every end.
pub(super) fn end_matches(net: &Network, st: Option<&ResourceStatement>, e: &End) -> bool {
    let Some(st) = st else {
        return true;
    };
    if let Some(types) = &st.types {
        let ok = types.iter().any(|t| match (t, &e.kind) {
            (ResourceType::NetworkInterface, Kind::Eni) => true,
            (ResourceType::Instance, Kind::Eni) => e
                .eni
                .and_then(|x| x.attachment.as_ref())
                .is_some_and(|a| a.instance_id.is_some()),
            (ResourceType::InternetGateway, Kind::Igw) => true,
            (ResourceType::VpcPeeringConnection, Kind::Pcx) => true,
            (ResourceType::VpnGateway, Kind::Vgw) => true,
            (ResourceType::TransitGatewayAttachment, Kind::TgwAttachment) => true,
            (ResourceType::VpcEndpoint, Kind::Vpce) => true,
            // An interface endpoint is its network interfaces (C8.2).
            (ResourceType::VpcEndpoint, Kind::Eni) => {
                e.eni.is_some_and(|x| x.interface_type == "vpc_endpoint")
            }
            _ => false,
        });
        if !ok {
            return false;
        }
    }
    if let Some(ids) = &st.resources {
        let ok = match e.eni {
            Some(eni) => ids.iter().any(|id| {
                *id == eni.id
                    || *id == eni.subnet_id
                    || *id == eni.vpc_id
                    || eni.group_ids.contains(id)
                    || eni
                        .attachment
                        .as_ref()
                        .and_then(|a| a.instance_id.as_ref())
                        .is_some_and(|i| i == id)
                    || net
                        .vpc_endpoints
                        .get(id)
                        .is_some_and(|v| v.network_interface_ids.contains(&eni.id))
            }),
            None => ids.contains(&e.id),
        };
        if !ok {
            return false;
        }
    }
    if let Some(tags) = &st.tags {
        if !tags
            .iter()
            .all(|(k, v)| e.tags.contains(&(k.clone(), v.clone())))
        {
            return false;
        }
    }
    true
}

/// Tag pairs an ENI answers to: its own, its instance's, its subnet's and
/// its VPC's (and each one's Name).
pub(super) fn effective_tags(net: &Network, eni: &NetworkInterface) -> BTreeSet<(String, String)> {
    let mut t = BTreeSet::new();
    let mut layer = |tags: &BTreeMap<String, String>, name: Option<&String>| {
        t.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Some(n) = name {
            t.insert(("Name".to_string(), n.clone()));
        }
    };
    if let Some(v) = net.vpcs.get(&eni.vpc_id) {
        layer(&v.tags, v.name.as_ref());
    }
    if let Some(s) = net.subnets.get(&eni.subnet_id) {
        layer(&s.tags, s.name.as_ref());
    }
    if let Some(i) = eni
        .attachment
        .as_ref()
        .and_then(|a| a.instance_id.as_ref())
        .and_then(|i| net.instances.get(i))
    {
        layer(&i.tags, i.name.as_ref());
    }
    layer(&eni.tags, eni.name.as_ref());
    t
}

pub(super) fn through_matches(st: &ResourceStatement, hops: &[Hop]) -> bool {
    hops.iter().any(|h| {
        let id = &h.component.id;
        let by_type = st.types.as_ref().is_none_or(|types| {
            types.iter().any(|t| match t {
                ResourceType::NatGateway => id.starts_with("nat-"),
                ResourceType::VpcPeeringConnection => id.starts_with("pcx-"),
                ResourceType::TransitGatewayAttachment => id.starts_with("tgw-attach-"),
                ResourceType::VpcEndpoint => id.starts_with("vpce-"),
                _ => false,
            })
        });
        let by_id = st.resources.as_ref().is_none_or(|ids| ids.contains(id));
        let by_tag = st.tags.as_ref().is_none_or(|tags| {
            tags.iter()
                .all(|(k, v)| k == "Name" && h.component.name.as_deref() == Some(v.as_str()))
        });
        by_type
            && by_id
            && by_tag
            && (st.types.is_some() || st.resources.is_some() || st.tags.is_some())
    })
}
