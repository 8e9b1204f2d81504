//! Every expected verdict listed in fixtures/*/README.md, checked against
//! the engine: reachable or not, and for "not" the explanation code, the
//! blocking component and whether it is on the forward or return path.

use std::path::Path;

use vpcreach::analysis::{answer, path, PathAnalysis, PathAnswer, PathQuery, ProtocolChoice};
use vpcreach::snapshot;
use vpcreach::topology::Topology;

struct Case {
    fixture: &'static str,
    src: &'static str,
    dst: &'static str,
    proto: u8,
    port: Option<u16>,
    sport: Option<(u16, u16)>,
    /// None = reachable; Some((code, component, on_return_path)).
    blocked: Option<(&'static str, &'static str, bool)>,
}

const TCP: u8 = 6;
const VR: &str = "vpn-routing";
const VR_DOWN: &str = "i-0a81a5b7c9d1e3f56";
const VR_STATIC: &str = "i-0b82a5b7c9d1e3f56";
const VR_BGP: &str = "i-0c83a5b7c9d1e3f56";
const UDP: u8 = 17;
const ICMP: u8 = 1;
const EPHEMERAL: Option<(u16, u16)> = Some((1024, 65535));

fn ok(
    fixture: &'static str,
    src: &'static str,
    dst: &'static str,
    proto: u8,
    port: Option<u16>,
) -> Case {
    Case {
        fixture,
        src,
        dst,
        proto,
        port,
        sport: EPHEMERAL,
        blocked: None,
    }
}

#[allow(clippy::too_many_arguments)] // one row of the table
fn no(
    fixture: &'static str,
    src: &'static str,
    dst: &'static str,
    proto: u8,
    port: Option<u16>,
    code: &'static str,
    component: &'static str,
    on_return: bool,
) -> Case {
    Case {
        fixture,
        src,
        dst,
        proto,
        port,
        sport: EPHEMERAL,
        blocked: Some((code, component, on_return)),
    }
}

fn cases() -> Vec<Case> {
    let t = "three-tier";
    let (web, app, db) = (
        "i-07f28259358129954",
        "i-0016847fb97bb2cfa",
        "i-0ebd276bfd4c4ec83",
    );
    let i = "icmp-deny";
    let (ha, hb) = ("i-0682ea85b81532068", "i-024ef9fef9890d142");
    let p = "public-web";
    let (auto, eip, internal, stopped) = (
        "i-0240a6db4473a831e",
        "i-090f1000a292d7e12",
        "i-07bbbfbae37a1b2ec",
        "i-0cbe59b05babcf263",
    );
    let n = "nat-egress";
    let (private, isolated) = ("i-0bdae68b50fd0c743", "i-06eec90b7de354e42");
    let pe = "peering";
    let (app1, db2, shared3) = (
        "i-0b2e98d083e8564dd",
        "i-078409c2fe89b2ebb",
        "i-0e693fdccf6c68d7f",
    );
    let r = "return-blocked";
    let (rweb, health, mgmt) = (
        "i-05c5537e6e3b6125f",
        "i-0836f06913c43f3b1",
        "i-098b981d8f9eae16b",
    );
    let d = "broken/dangling-igw";
    let (h1, h2) = ("i-0e6b999cc294a028f", "i-051dfe07744f57682");
    let tg = "tgw-hub-spoke";
    let (web1a, api2a, dev3a, batch1c) = (
        "i-0efdb9ebeec523f4e",
        "i-06582f37cef7204d5",
        "i-0d59a5baf44f2a91e",
        "i-0ab4bbd09e5b5ee5f",
    );
    let ve = "vpc-endpoints";
    let (appa, buildc) = ("i-0f8d0b6f306614a33", "i-060f8ea457b65bb02");
    let vg = "vgw-onprem";
    let (app1v, iso1) = ("i-0905533bf779a55c7", "i-008d6dd228aeb6000");
    vec![
        // three-tier (C1.5 SG references, C2.3 first match, C5 NAT egress)
        ok(t, "internet", web, TCP, Some(443)),
        ok(t, "internet", web, TCP, Some(80)),
        no(
            t,
            "internet",
            web,
            TCP,
            Some(22),
            "ENI_SG_RULES_MISMATCH",
            "sg-0b02f59c9aa9b504b",
            false,
        ),
        ok(t, web, app, TCP, Some(8080)),
        no(
            t,
            app,
            db,
            TCP,
            Some(3306),
            "SUBNET_ACL_RESTRICTION",
            "acl-0aae7e3f6fe63d5ac",
            false,
        ),
        no(
            t,
            web,
            db,
            TCP,
            Some(3306),
            "ENI_SG_RULES_MISMATCH",
            "sg-04ba902bbfc828f5d",
            false,
        ),
        no(
            t,
            web,
            app,
            TCP,
            Some(22),
            "ENI_SG_RULES_MISMATCH",
            "sg-01e5133018c4f52da",
            false,
        ),
        no(
            t,
            "internet",
            app,
            TCP,
            Some(8080),
            "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            "igw-0f2bb638e65827a20",
            false,
        ),
        ok(t, app, "93.184.215.14", TCP, Some(443)),
        ok(t, db, "93.184.215.14", TCP, Some(443)),
        // icmp-deny (C2.3, C2.2: the same outbound rule blocks a reply)
        no(
            i,
            ha,
            hb,
            ICMP,
            None,
            "SUBNET_ACL_RESTRICTION",
            "acl-0706ae59d811bec0d",
            false,
        ),
        ok(i, ha, hb, TCP, Some(22)),
        no(
            i,
            hb,
            ha,
            ICMP,
            Some(8),
            "SUBNET_ACL_RESTRICTION",
            "acl-0706ae59d811bec0d",
            true,
        ),
        ok(i, hb, ha, TCP, Some(22)),
        no(
            i,
            ha,
            hb,
            UDP,
            Some(53),
            "ENI_SG_RULES_MISMATCH",
            "sg-09bd0797e0dc6036f",
            false,
        ),
        // public-web (C4.2, C4.3, C10.6)
        ok(p, "internet", auto, TCP, Some(443)),
        ok(p, "internet", eip, TCP, Some(443)),
        ok(p, "internet", "52.6.77.140", TCP, Some(443)),
        ok(p, "203.0.113.10", auto, TCP, Some(22)),
        no(
            p,
            "198.51.100.10",
            auto,
            TCP,
            Some(22),
            "ENI_SG_RULES_MISMATCH",
            "sg-054b333993d1edd96",
            false,
        ),
        no(
            p,
            "internet",
            internal,
            TCP,
            Some(443),
            "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            "igw-0b10d54ba0365ba81",
            false,
        ),
        no(
            p,
            "internet",
            stopped,
            TCP,
            Some(443),
            "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            "igw-0b10d54ba0365ba81",
            false,
        ),
        ok(p, auto, internal, TCP, Some(443)),
        no(
            p,
            auto,
            internal,
            TCP,
            Some(22),
            "ENI_SG_RULES_MISMATCH",
            "sg-054b333993d1edd96",
            false,
        ),
        no(
            p,
            auto,
            stopped,
            TCP,
            Some(443),
            "BAD_STATE",
            stopped,
            false,
        ),
        ok(p, auto, "93.184.215.14", TCP, Some(443)),
        no(
            p,
            internal,
            "93.184.215.14",
            TCP,
            Some(443),
            "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
            "igw-0b10d54ba0365ba81",
            false,
        ),
        // nat-egress (C5, C3.5 no route)
        ok(n, private, "93.184.215.14", TCP, Some(443)),
        ok(n, private, "93.184.215.14", UDP, Some(123)),
        no(
            n,
            isolated,
            "93.184.215.14",
            TCP,
            Some(443),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-0a3e1cc27b167da50",
            false,
        ),
        no(
            n,
            "internet",
            private,
            TCP,
            Some(22),
            "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
            "igw-045ecf9293dc541e9",
            false,
        ),
        ok(n, private, isolated, TCP, Some(22)),
        ok(n, isolated, private, TCP, Some(22)),
        no(
            n,
            private,
            isolated,
            TCP,
            Some(80),
            "ENI_SG_RULES_MISMATCH",
            "sg-0b1e2ab758b9e0a00",
            false,
        ),
        // peering (C6.2, C6.3, C1.5 across peering)
        ok(pe, app1, db2, TCP, Some(5432)),
        ok(pe, app1, db2, TCP, Some(22)),
        no(
            pe,
            app1,
            db2,
            TCP,
            Some(3306),
            "ENI_SG_RULES_MISMATCH",
            "sg-04bbf4c6a6468252b",
            false,
        ),
        no(
            pe,
            app1,
            shared3,
            TCP,
            Some(22),
            "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
            "pcx-0e745b8938d73689f",
            false,
        ),
        ok(pe, db2, shared3, TCP, Some(22)),
        ok(pe, db2, app1, TCP, Some(22)),
        no(
            pe,
            shared3,
            app1,
            TCP,
            Some(22),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-0cbcc951b77288eaf",
            false,
        ),
        no(
            pe,
            shared3,
            db2,
            TCP,
            Some(443),
            "ENI_SG_RULES_MISMATCH",
            "sg-04bbf4c6a6468252b",
            false,
        ),
        // return-blocked (C2.2 stateless return traffic)
        no(
            r,
            "internet",
            rweb,
            TCP,
            Some(443),
            "SUBNET_ACL_RESTRICTION",
            "acl-096f67cb7d68978a9",
            true,
        ),
        ok(r, health, rweb, TCP, Some(443)),
        ok(r, "internet", mgmt, TCP, Some(443)),
        no(
            r,
            rweb,
            "93.184.215.14",
            TCP,
            Some(443),
            "SUBNET_ACL_RESTRICTION",
            "acl-096f67cb7d68978a9",
            true,
        ),
        no(
            r,
            "internet",
            rweb,
            TCP,
            Some(22),
            "SUBNET_ACL_RESTRICTION",
            "acl-096f67cb7d68978a9",
            false,
        ),
        // dangling reference: UNKNOWN_RESOURCE, never a guess
        no(
            d,
            h1,
            "93.184.215.14",
            TCP,
            Some(443),
            "UNKNOWN_RESOURCE",
            "igw-04a8e516636ffc72e",
            false,
        ),
        no(
            d,
            "internet",
            h1,
            TCP,
            Some(443),
            "UNKNOWN_RESOURCE",
            "igw-04a8e516636ffc72e",
            false,
        ),
        ok(d, h1, h2, TCP, Some(22)),
        // transit gateway hub and spoke (C7.2–C7.6, C2.10, C5.4 centralised egress)
        ok(tg, web1a, api2a, TCP, Some(443)),
        no(
            tg,
            web1a,
            api2a,
            TCP,
            Some(8443),
            "ENI_SG_RULES_MISMATCH",
            "sg-0773d061625c06da7",
            false,
        ),
        ok(tg, api2a, web1a, TCP, Some(443)),
        ok(tg, web1a, "93.184.215.14", TCP, Some(443)),
        ok(tg, api2a, "93.184.215.14", TCP, Some(443)),
        no(
            tg,
            web1a,
            dev3a,
            TCP,
            Some(22),
            "TGW_RTB_BAD_STATE_ROUTE",
            "tgw-rtb-05a44fc885691ba45",
            false,
        ),
        no(
            tg,
            dev3a,
            web1a,
            TCP,
            Some(443),
            "TGW_RTB_BAD_STATE_ROUTE",
            "tgw-rtb-05a44fc885691ba45",
            true,
        ),
        ok(tg, dev3a, "93.184.215.14", TCP, Some(443)),
        no(
            tg,
            batch1c,
            api2a,
            TCP,
            Some(443),
            "TGW_ROUTE_AZ_RESTRICTION",
            "tgw-attach-0c5b68da78675a1bb",
            false,
        ),
        no(
            tg,
            batch1c,
            "93.184.215.14",
            TCP,
            Some(443),
            "TGW_ROUTE_AZ_RESTRICTION",
            "tgw-attach-0c5b68da78675a1bb",
            false,
        ),
        no(
            tg,
            api2a,
            batch1c,
            TCP,
            Some(443),
            "TGW_ROUTE_AZ_RESTRICTION",
            "tgw-attach-0c5b68da78675a1bb",
            true,
        ),
        ok(tg, web1a, batch1c, TCP, Some(22)),
        // VPC endpoints (C8.1, C8.2)
        ok(ve, appa, "52.216.152.70", TCP, Some(443)),
        no(
            ve,
            appa,
            "52.216.152.70",
            UDP,
            Some(443),
            "VPCE_GATEWAY_PROTOCOL_RESTRICTION",
            "vpce-099564ff046c38e1a",
            false,
        ),
        no(
            ve,
            appa,
            "93.184.215.14",
            TCP,
            Some(443),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-01da9bb2307c7781f",
            false,
        ),
        no(
            ve,
            buildc,
            "52.216.152.70",
            TCP,
            Some(443),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-02c66809ae4ff4836",
            false,
        ),
        ok(ve, appa, "eni-0acc4818f3f7697f1", TCP, Some(443)),
        ok(ve, appa, "eni-049fd7302630aa61e", TCP, Some(443)),
        ok(ve, buildc, "eni-0acc4818f3f7697f1", TCP, Some(443)),
        ok(ve, appa, "vpce-09c88a738a010e171", TCP, Some(443)),
        no(
            ve,
            appa,
            "eni-0acc4818f3f7697f1",
            TCP,
            Some(80),
            "ENI_SG_RULES_MISMATCH",
            "sg-0fe05f1f07ffbd5ca",
            false,
        ),
        no(
            ve,
            "vpce-09c88a738a010e171",
            appa,
            TCP,
            Some(22),
            "VPCE_INTRA_VPC_TRAFFIC",
            "vpce-09c88a738a010e171",
            false,
        ),
        // on-premises through a virtual private gateway
        ok(vg, "192.168.1.10", app1v, TCP, Some(22)),
        ok(vg, app1v, "192.168.1.10", TCP, Some(443)),
        ok(vg, app1v, "172.20.5.20", TCP, Some(443)),
        no(
            vg,
            app1v,
            "10.99.0.5",
            TCP,
            Some(443),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-07d98e89448819f48",
            false,
        ),
        no(
            vg,
            "172.20.5.20",
            app1v,
            TCP,
            Some(22),
            "ENI_SG_RULES_MISMATCH",
            "sg-082495c6cc3802454",
            false,
        ),
        no(
            vg,
            iso1,
            "192.168.1.10",
            TCP,
            Some(443),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-0cd1d1dac70aa9b07",
            false,
        ),
        no(
            vg,
            "192.168.1.10",
            iso1,
            TCP,
            Some(22),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-0cd1d1dac70aa9b07",
            true,
        ),
        no(
            vg,
            app1v,
            "93.184.215.14",
            TCP,
            Some(443),
            "NO_ROUTE_TO_DESTINATION",
            "rtb-07d98e89448819f48",
            false,
        ),
        // vpn-routing (C3.10: a VGW carries only what its VPN connections route, over live tunnels)
        no(
            VR,
            VR_DOWN,
            "8.8.8.8",
            TCP,
            Some(443),
            "BAD_STATE_VPN",
            "vpn-0a81f0a2b4c6d8e01",
            false,
        ),
        no(
            VR,
            VR_DOWN,
            "19.168.1.10",
            TCP,
            Some(443),
            "BAD_STATE_VPN",
            "vpn-0a81f0a2b4c6d8e01",
            false,
        ),
        no(
            VR,
            "vgw-0a81e9f1a3b5c7d90",
            VR_DOWN,
            TCP,
            Some(22),
            "BAD_STATE_VPN",
            "vpn-0a81f0a2b4c6d8e01",
            false,
        ),
        ok(VR, VR_STATIC, "19.168.1.10", TCP, Some(443)),
        no(
            VR,
            VR_STATIC,
            "8.8.8.8",
            TCP,
            Some(443),
            "NO_ROUTE_TO_DESTINATION",
            "vpn-0b82f0a2b4c6d8e01",
            false,
        ),
        ok(VR, "vgw-0b82e9f1a3b5c7d90", VR_STATIC, TCP, Some(22)),
        no(
            VR,
            "10.200.0.5",
            VR_STATIC,
            TCP,
            Some(22),
            "NO_ROUTE_TO_DESTINATION",
            "vpn-0b82f0a2b4c6d8e01",
            true,
        ),
        ok(VR, VR_BGP, "172.16.5.5", TCP, Some(443)),
        no(
            VR,
            VR_BGP,
            "8.8.8.8",
            TCP,
            Some(443),
            "UNKNOWN_DESTINATION",
            "vgw-0c83e9f1a3b5c7d90",
            false,
        ),
        ok(VR, "172.16.5.5", VR_BGP, TCP, Some(22)),
        no(
            VR,
            "10.200.0.5",
            VR_BGP,
            TCP,
            Some(22),
            "UNKNOWN_DESTINATION",
            "vgw-0c83e9f1a3b5c7d90",
            true,
        ),
        // dual-stack (IPv6, C4.6, C2.6)
        ok(DS, DS_WEB, "internet", TCP, Some(443)),
        ok(DS, DS_APP, "internet", TCP, Some(443)),
        ok(DS, "internet", DS_WEB, TCP, Some(443)),
        no(
            DS,
            "internet",
            DS_APP6,
            TCP,
            Some(443),
            "EGRESS_ONLY_IGW_INBOUND_INITIATED",
            "eigw-0ccd28b38927a8b0e",
            true,
        ),
        ok(DS, DS_WEB, DS_APP, TCP, Some(8080)),
        no(
            DS,
            DS_WEB6,
            DS_APP6,
            TCP,
            Some(22),
            "SUBNET_ACL_RESTRICTION",
            "acl-0c81cdb8605a97f56",
            false,
        ),
        ok(DS, "10.60.0.10", "10.60.1.20", TCP, Some(22)),
        ok(DS, DS_APP6, DS_WEB6, TCP, Some(443)),
        ok(DS, DS_WEB6, "2606:4700::6810:85e5", TCP, Some(443)),
        no(
            DS,
            "2606:4700::6810:85e5",
            DS_APP6,
            TCP,
            Some(22),
            "ENI_SG_RULES_MISMATCH",
            "sg-03a8c44e61e92c85f",
            false,
        ),
        // bpa-bidirectional, bpa-ingress (VPC Block Public Access, BPA.2-BPA.4)
        ok(BPA_BI, DS_WEB, "internet", TCP, Some(443)),
        no(
            BPA_BI,
            "internet",
            DS_WEB,
            TCP,
            Some(443),
            BPA,
            DS_IGW,
            false,
        ),
        ok(BPA_BI, "10.60.1.20", "8.8.8.8", TCP, Some(443)),
        no(
            BPA_BI,
            DS_APP6,
            "2606:4700::6810:85e5",
            TCP,
            Some(443),
            BPA,
            DS_EIGW,
            false,
        ),
        no(
            BPA_IN,
            "10.60.0.10",
            "8.8.8.8",
            TCP,
            Some(443),
            BPA,
            DS_IGW,
            false,
        ),
        no(
            BPA_IN,
            "internet",
            DS_WEB,
            TCP,
            Some(443),
            BPA,
            DS_IGW,
            false,
        ),
        ok(BPA_IN, DS_APP, "internet", TCP, Some(443)),
    ]
}

const BPA_BI: &str = "bpa-bidirectional";
const BPA_IN: &str = "bpa-ingress";
const BPA: &str = "VPC_BLOCK_PUBLIC_ACCESS_ENABLED";
const DS_IGW: &str = "igw-0331d9f7e3e482d3d";
const DS_EIGW: &str = "eigw-0ccd28b38927a8b0e";

/// fixtures/tgw-inspection (appliance mode on the inspection attachment)
/// and its twin without appliance mode: ids of the README's tables.
struct Insp {
    fixture: &'static str,
    fw: [&'static str; 3],
    fw_eni: [&'static str; 3],
    fw_sg: &'static str,
    web: &'static str,
    job: &'static str,
    batch: &'static str,
    api: &'static str,
    db: &'static str,
    appliance_mode: bool,
}

const INSP: [Insp; 2] = [
    Insp {
        fixture: "tgw-inspection",
        fw: [
            "i-01244df9538abaeab",
            "i-02485046148871239",
            "i-0b29b88f970c5f278",
        ],
        fw_eni: [
            "eni-0879bf3a79c184ef4",
            "eni-0660c0b6e633e2765",
            "eni-0986cecc6152f5c2f",
        ],
        fw_sg: "sg-0f6c904d1740b540d",
        web: "i-09322a92b83288a30",
        job: "i-062601f3f62ec0517",
        batch: "i-05162ffa7d2a82c1f",
        api: "i-036c4cbaf7b72596d",
        db: "i-034ecab282d2967a3",
        appliance_mode: true,
    },
    Insp {
        fixture: "tgw-inspection-no-appliance-mode",
        fw: [
            "i-0139b96b22283160d",
            "i-0942b63ea990230be",
            "i-0a226ea7fd645585e",
        ],
        fw_eni: [
            "eni-0c870153602a67702",
            "eni-092541adda7bccf8d",
            "eni-0cac7f0d722573c07",
        ],
        fw_sg: "sg-047dde899f3f0acf6",
        web: "i-015ee19706290912d",
        job: "i-0cce12d96f9b65a4d",
        batch: "i-0e7d5f1ccbd461aa0",
        api: "i-0ba54274dd1e45a0d",
        db: "i-07a56555389af4ade",
        appliance_mode: false,
    },
];

/// fixtures/tgw-peering (C7.8 of docs/semantics-additions.md): two TGWs
/// in two regions and accounts, peered.
fn tgw_peering_cases() -> Vec<Case> {
    let f = "tgw-peering";
    let (app, batch, db) = (
        "i-0a40de79813edefdd",
        "i-0f2d8311ce77b4d98",
        "i-066cd7b541a078ed4",
    );
    vec![
        ok(f, app, db, TCP, Some(5432)),
        ok(f, db, app, TCP, Some(443)),
        no(
            f,
            batch,
            db,
            TCP,
            Some(5432),
            "NO_ROUTE_TO_DESTINATION",
            "tgw-rtb-0fa598e1aec6388ae",
            true,
        ),
        no(
            f,
            app,
            "10.3.0.5",
            TCP,
            Some(443),
            "BAD_STATE_ATTACHMENT",
            "tgw-attach-0b5d7e9f1a3c5e792",
            false,
        ),
        no(
            f,
            app,
            "10.4.0.5",
            TCP,
            Some(443),
            "UNKNOWN_RESOURCE",
            "tgw-attach-0c6e8a0b2d4f6a813",
            false,
        ),
    ]
}

fn insp_cases() -> Vec<Case> {
    let mut out = Vec::new();
    for f in &INSP {
        let x = f.fixture;
        out.push(ok(x, f.web, f.db, TCP, Some(443)));
        out.push(no(
            x,
            f.web,
            f.db,
            TCP,
            Some(5432),
            "ENI_SG_RULES_MISMATCH",
            f.fw_sg,
            false,
        ));
        out.push(no(
            x,
            f.job,
            f.db,
            TCP,
            Some(443),
            "ENI_SOURCE_DEST_CHECK_RESTRICTION",
            f.fw_eni[2],
            false,
        ));
        out.push(ok(x, f.batch, f.db, TCP, Some(443)));
        out.push(ok(x, f.db, f.web, TCP, Some(443)));
        out.push(ok(x, f.web, f.api, TCP, Some(443)));
    }
    out
}

/// The reachable rows of fixtures/tgw-inspection*/README.md: which
/// appliance each direction crosses (C7.5: appliance mode keeps a reply on
/// the request's attachment ENI; without it each direction takes the ENI in
/// its own AZ) and the notes the answer must carry.
#[test]
fn tgw_inspection_appliances_and_notes() {
    let appliances = |hops: &[vpcreach::analysis::Hop]| -> Vec<String> {
        hops.iter()
            .filter(|h| h.role.contains("appliance"))
            .filter_map(|h| h.attached_to.as_ref().map(|c| c.id.clone()))
            .collect()
    };
    for f in &INSP {
        let snap = snapshot::load(&Path::new("fixtures").join(f.fixture)).expect("fixture loads");
        let topo = Topology::new(&snap.network);
        let [fa, fb, _] = f.fw;
        let am = f.appliance_mode;
        // (src, dst, forward appliance, return appliance, appliance note, AZ note)
        let rows = [
            (f.web, f.db, fa, if am { fa } else { fb }, !am, false),
            (f.batch, f.db, fa, if am { fa } else { fb }, !am, true),
            (f.db, f.web, fb, if am { fb } else { fa }, !am, false),
            (f.web, f.api, fa, fa, false, false),
        ];
        for (src, dst, fwd, ret, appliance_note, az_note) in rows {
            let query = PathQuery {
                source: src.into(),
                destination: dst.into(),
                protocol: ProtocolChoice::Number(TCP),
                dport: Some((443, 443)),
                sport: EPHEMERAL,
                source_ip: None,
                destination_ip: None,
            };
            let a = path::analyze(&topo, &query).expect("endpoints resolve");
            let label = format!("{}: {src} -> {dst}", f.fixture);
            assert!(a.path_found(), "{label}: {:?}", a.explanations);
            assert_eq!(
                appliances(&a.forward),
                vec![fwd.to_string()],
                "{label} forward"
            );
            assert_eq!(appliances(&a.ret), vec![ret.to_string()], "{label} return");
            let has = |s: &str| a.notes.iter().any(|n| n.contains(s));
            assert_eq!(
                has("APPLIANCE_MODE"),
                appliance_note,
                "{label}: {:?}",
                a.notes
            );
            assert_eq!(
                has("has no subnet in us-east-1d"),
                az_note,
                "{label}: {:?}",
                a.notes
            );
        }
    }
}

const DS: &str = "dual-stack";
const DS_WEB: &str = "i-06c4d8279659aabc4";
const DS_APP: &str = "i-0a032a652bb20302e";
const DS_WEB6: &str = "2600:1f18:6a3c:b400::10";
const DS_APP6: &str = "2600:1f18:6a3c:b401::20";

/// Rows 1, 2, 3 and 5 of fixtures/dual-stack: without an address, a
/// question between dual-stack ends gets both families through, IPv6
/// without translation (C4.6).
#[test]
fn dual_stack_questions_get_both_families_through() {
    use vpcreach::packet::{all_v4, all_v6, ip_set};
    let snap = snapshot::load(&Path::new("fixtures").join(DS)).expect("fixture loads");
    let topo = Topology::new(&snap.network);
    for (src, dst, port) in [
        (DS_WEB, "internet", 443),
        (DS_APP, "internet", 443),
        ("internet", DS_WEB, 443),
        (DS_WEB, DS_APP, 8080),
    ] {
        let query = PathQuery {
            source: src.into(),
            destination: dst.into(),
            protocol: ProtocolChoice::Number(TCP),
            dport: Some((port, port)),
            sport: EPHEMERAL,
            source_ip: None,
            destination_ip: None,
        };
        let a = path::analyze(&topo, &query).expect("endpoints resolve");
        assert!(a.path_found(), "{src} -> {dst}");
        let v4 = a.admitted.restrict_src(&all_v4());
        let v6 = a.admitted.restrict_src(&all_v6());
        assert!(!v4.is_empty(), "{src} -> {dst}: no IPv4 got through");
        assert!(!v6.is_empty(), "{src} -> {dst}: no IPv6 got through");
        // Families never mix within a header.
        assert!(v4.restrict_dst(&all_v6()).is_empty() && v6.restrict_dst(&all_v4()).is_empty());
        if src != "internet" {
            let mine: std::net::IpAddr = if src == DS_WEB { DS_WEB6 } else { DS_APP6 }
                .parse()
                .unwrap();
            assert_eq!(v6.src_union(), ip_set(mine), "IPv6 is not translated");
        }
    }
}

/// `path`'s answer, as the CLI computes it, for a destination that is not
/// a load balancer.
fn plain_path(topo: &Topology, query: &PathQuery) -> PathAnalysis {
    match answer(topo, query, false).expect("endpoints resolve") {
        PathAnswer::Path(a) => a,
        PathAnswer::LoadBalancer(_) => panic!("{} is a load balancer", query.destination),
    }
}

#[test]
fn every_fixture_verdict_holds() {
    let mut failures = Vec::new();
    let mut loaded = std::collections::BTreeMap::new();
    for case in cases()
        .into_iter()
        .chain(insp_cases())
        .chain(tgw_peering_cases())
    {
        let snap = loaded.entry(case.fixture).or_insert_with(|| {
            snapshot::load(&Path::new("fixtures").join(case.fixture)).expect("fixture loads")
        });
        let topo = Topology::new(&snap.network);
        let query = PathQuery {
            source: case.src.into(),
            destination: case.dst.into(),
            protocol: ProtocolChoice::Number(case.proto),
            dport: case.port.map(|p| (p, p)),
            sport: if case.proto == ICMP { None } else { case.sport },
            source_ip: None,
            destination_ip: None,
        };
        let a = plain_path(&topo, &query);
        let label = format!(
            "{}: {} -> {} proto {} port {:?}",
            case.fixture, case.src, case.dst, case.proto, case.port
        );
        match case.blocked {
            None => {
                if !a.path_found() {
                    failures.push(format!(
                        "{label}: expected reachable, got blockers {:?}",
                        a.explanations
                            .iter()
                            .map(|e| &e.message)
                            .collect::<Vec<_>>()
                    ));
                }
            }
            Some((code, component, on_return)) => {
                if a.path_found() {
                    failures.push(format!(
                        "{label}: expected blocked by {code}, got reachable"
                    ));
                    continue;
                }
                let hit = a.explanations.iter().any(|e| {
                    e.code.as_str() == code
                        && e.on_return_path == on_return
                        && e.components.iter().any(|(_, c)| c.id == component)
                });
                if !hit {
                    let got: Vec<String> = a
                        .explanations
                        .iter()
                        .map(|e| {
                            format!(
                                "{} {:?} return={} {}",
                                e.code,
                                e.components
                                    .iter()
                                    .map(|(_, c)| c.id.as_str())
                                    .collect::<Vec<_>>(),
                                e.on_return_path,
                                e.message
                            )
                        })
                        .collect();
                    failures.push(format!("{label}: expected {code} on {component} (return={on_return}), got {got:#?}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} verdicts wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// fixtures/elb/README.md: a load balancer as the destination. `reached`
/// lists the targets some node reaches; `blocked` the (target, code,
/// component) of legs that must be stopped, or ("", code, component) for
/// the load balancer or the client → node leg.
struct LbCase<'a> {
    src: &'a str,
    dst: &'a str,
    port: u16,
    reached: &'a [&'a str],
    blocked: &'a [(&'a str, &'a str, &'a str)],
}

#[test]
fn every_elb_fixture_verdict_holds() {
    const ALB: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188";
    const NLB: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/internal-nlb/3e2a1c9f0b7d4e55";
    let (app1, app2, app3, legacy) = (
        "i-07298806da1125ac2",
        "i-05b8467532b35ee9e",
        "i-01e369b22ebeeee84",
        "i-0c9f446a08c8eff85",
    );
    let (svca, svcb, client) = (
        "i-073d7d8cdcb1301a6",
        "i-08123c50eb7cf8ec9",
        "i-0dbdf1d9c9d3489f0",
    );
    let (b1, b2) = ("i-018c21a2087779017", "i-01f7d13264b2a9eb7");
    let legacy_sg = "sg-0ae33a2e113f5a525";
    let svc_sg = "sg-0ea22cd0d2de413ba";
    let public_acl = "acl-0fc1bfa6b0a5a1b51";
    let alb_blocked: &[(&str, &str, &str)] = &[
        (legacy, "ENI_SG_RULES_MISMATCH", legacy_sg),
        (app3, "ELB_INSTALLED_AZ_RESTRICTION", ALB),
    ];
    let cases = [
        LbCase {
            src: "internet",
            dst: "web-alb",
            port: 80,
            reached: &[app1, app2],
            blocked: alb_blocked,
        },
        LbCase {
            src: "internet",
            dst: ALB,
            port: 443,
            reached: &[app1, app2],
            blocked: alb_blocked,
        },
        LbCase {
            src: "internet",
            dst: "web-alb",
            port: 22,
            reached: &[],
            blocked: &[("", "ELBV2_LISTENERS_MISMATCH", ALB)],
        },
        LbCase {
            src: "internet",
            dst: "3.91.10.2",
            port: 80,
            reached: &[app1, app2],
            blocked: alb_blocked,
        },
        LbCase {
            src: client,
            dst: "internal-nlb",
            port: 9000,
            reached: &[svca, svcb],
            blocked: &[
                (svcb, "ELB_NOT_CROSSZONE", NLB),
                (svca, "ELB_NOT_CROSSZONE", NLB),
            ],
        },
        LbCase {
            src: client,
            dst: "10.20.10.200",
            port: 9000,
            reached: &[svca],
            blocked: &[(svcb, "ELB_NOT_CROSSZONE", NLB)],
        },
        LbCase {
            src: client,
            dst: NLB,
            port: 9100,
            reached: &["10.20.11.50"],
            blocked: &[("10.20.11.50", "ELB_NOT_CROSSZONE", NLB)],
        },
        LbCase {
            src: app1,
            dst: "internal-nlb",
            port: 9000,
            reached: &[],
            blocked: &[
                (svca, "ELBV2_SOURCE_ADDRESS_PRESERVATION", NLB),
                (svca, "ENI_SG_RULES_MISMATCH", svc_sg),
                (svcb, "ENI_SG_RULES_MISMATCH", svc_sg),
            ],
        },
        LbCase {
            src: "internet",
            dst: "internal-nlb",
            port: 9000,
            reached: &[],
            blocked: &[(
                "",
                "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                "igw-06b6c07b01c307e25",
            )],
        },
        LbCase {
            src: "internet",
            dst: "batch-clb",
            port: 80,
            reached: &[b2],
            blocked: &[(b1, "ELB_ACL_RESTRICTION", public_acl)],
        },
    ];
    let snap = snapshot::load(Path::new("fixtures/elb")).expect("fixture loads");
    let topo = Topology::new(&snap.network);
    let mut failures = Vec::new();
    for c in &cases {
        let label = format!("elb: {} -> {} tcp/{}", c.src, c.dst, c.port);
        let query = PathQuery {
            source: c.src.into(),
            destination: c.dst.into(),
            protocol: ProtocolChoice::Number(TCP),
            dport: Some((c.port, c.port)),
            sport: EPHEMERAL,
            source_ip: None,
            destination_ip: None,
        };
        let PathAnswer::LoadBalancer(a) = answer(&topo, &query, false).expect("analyzes") else {
            panic!("{label}: {} is not a load balancer", c.dst);
        };
        let mut got: Vec<&str> = a
            .to_targets
            .iter()
            .filter(|t| t.reached())
            .map(|t| t.target.id.as_str())
            .collect();
        got.sort();
        got.dedup();
        let mut want = c.reached.to_vec();
        want.sort();
        if got != want {
            failures.push(format!("{label}: reached {got:?}, expected {want:?}"));
        }
        if a.path_found() == c.reached.is_empty() {
            failures.push(format!("{label}: verdict {}", a.path_found()));
        }
        for (target, code, component) in c.blocked {
            let names = |e: &vpcreach::analysis::Explanation| {
                e.code.as_str() == *code && e.components.iter().any(|(_, x)| x.id == *component)
            };
            let hit = if target.is_empty() {
                a.explanations.iter().any(names)
                    || a.to_lb
                        .iter()
                        .any(|n| n.analysis.explanations.iter().any(names))
            } else {
                a.to_targets.iter().any(|t| {
                    t.target.id == *target
                        && !t.reached()
                        && (t.explanations.iter().any(names)
                            || t.analysis
                                .as_ref()
                                .is_some_and(|w| w.explanations.iter().any(names)))
                })
            };
            if !hit {
                failures.push(format!(
                    "{label}: expected {code} on {component} for {target:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} ELB verdicts wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
