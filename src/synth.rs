//! Seeded generator of large, realistic estates as describe-* JSON, for
//! benchmarks, scale tests and demos (`vpcreach generate`).
//!
//! Owns: the shape of a synthetic estate (VPCs joined by peering in a chain,
//! public / app / db tiers, NAT egress, SGs that reference each other, NACLs
//! with dozens of rules, a few deliberate exposures). Must not know: the
//! model or any analysis — it only writes what the AWS CLI would print.
//! Also owns the crate's one seeded RNG ([`Rng`]).

use std::fmt::Write as _;

use serde_json::{json, Value};

/// Size of the estate. Defaults match issue 4's "large estate".
#[derive(Clone, Debug)]
pub struct EstateSpec {
    pub seed: u64,
    pub vpcs: usize,
    pub subnets: usize,
    pub enis: usize,
    pub security_groups: usize,
    pub rules_per_sg: usize,
    pub nacls: usize,
    pub nacl_rules: usize,
}

impl EstateSpec {
    /// Four VPCs peered in a chain, 24 ENIs: small enough to compare a
    /// class analysis with every pair's own `path` in a test.
    pub fn peered_chain(seed: u64) -> Self {
        EstateSpec {
            seed,
            vpcs: 4,
            subnets: 8,
            enis: 24,
            security_groups: 8,
            rules_per_sg: 6,
            nacls: 4,
            nacl_rules: 12,
        }
    }

    /// 10,000 ENIs, 1,000 SGs, 200 subnets (issue 2's benchmark).
    pub fn medium() -> Self {
        EstateSpec {
            seed: 1,
            vpcs: 20,
            subnets: 200,
            enis: 10_000,
            security_groups: 1_000,
            rules_per_sg: 10,
            nacls: 40,
            nacl_rules: 24,
        }
    }
    /// 200 VPCs, 4,000 subnets, 50,000 ENIs, 5,000 SGs with 50,000 rules, 400 NACLs.
    pub fn large() -> Self {
        EstateSpec {
            seed: 1,
            vpcs: 200,
            subnets: 4_000,
            enis: 50_000,
            security_groups: 5_000,
            rules_per_sg: 10,
            nacls: 400,
            nacl_rules: 24,
        }
    }
    pub fn scaled(enis: usize) -> Self {
        let f = enis as f64 / 50_000.0;
        let at_least = |n: f64, min: usize| (n.round() as usize).max(min);
        EstateSpec {
            seed: 1,
            vpcs: at_least(200.0 * f, 2),
            subnets: at_least(4_000.0 * f, 6),
            enis,
            security_groups: at_least(5_000.0 * f, 6),
            rules_per_sg: 10,
            nacls: at_least(400.0 * f, 2),
            nacl_rules: 24,
        }
    }
}

/// splitmix64: tiny, fast and stable across versions, so a seed names the
/// same estate (or flow log, `flows::gen`) forever (a property `rand`'s
/// StdRng does not promise). The one seeded RNG of the crate.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn id(prefix: &str, kind: u64, n: usize) -> String {
    format!("{prefix}-{:017x}", (kind << 40) | n as u64)
}

fn tags(name: &str, extra: &[(&str, &str)]) -> Value {
    let mut v = vec![json!({"Key": "Name", "Value": name})];
    for (k, val) in extra {
        v.push(json!({"Key": k, "Value": val}));
    }
    Value::Array(v)
}

const ACCOUNT: &str = "123456789012";
const TIERS: [&str; 3] = ["public", "app", "db"];

/// The estate as (file name, JSON text) pairs, in the layout `load` reads.
/// Issue 13's isolation audit as a Network Access Scope over a generated
/// estate: paths from the first `dev` VPCs tagged `env=dev` to the first
/// `prod` tagged `env=prod`, in id order (fewer when the estate has fewer).
pub fn isolation_scope(estate: &[(String, String)], dev: usize, prod: usize) -> String {
    let vpcs: Vec<(String, String)> = estate
        .iter()
        .filter(|(name, _)| name == "vpcs.json")
        .filter_map(|(_, text)| serde_json::from_str::<Value>(text).ok())
        .flat_map(|doc| doc["Vpcs"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| {
            let id = v["VpcId"].as_str()?.to_string();
            let env = v["Tags"].as_array()?.iter().find(|t| t["Key"] == "env")?["Value"]
                .as_str()?
                .to_string();
            Some((id, env))
        })
        .collect();
    let pick = |env: &str, n: usize| -> Vec<&str> {
        let mut ids: Vec<&str> = vpcs
            .iter()
            .filter(|(_, e)| e == env)
            .map(|(id, _)| id.as_str())
            .collect();
        ids.sort_unstable();
        ids.truncate(n);
        ids
    };
    let scope = json!({"MatchPaths": [{
        "Source": {"ResourceStatement": {"Resources": pick("dev", dev)}},
        "Destination": {"ResourceStatement": {"Resources": pick("prod", prod)}},
    }]});
    serde_json::to_string_pretty(&scope).expect("a JSON value prints")
}

pub fn generate(spec: &EstateSpec) -> Vec<(String, String)> {
    assert!(
        spec.vpcs <= 256,
        "the generator numbers VPCs inside 10.0.0.0/8 (at most 256)"
    );
    let mut rng = Rng(spec.seed);
    let subnets_per_vpc = (spec.subnets / spec.vpcs).clamp(3, 255);
    let sgs_per_vpc = (spec.security_groups / spec.vpcs).max(3);
    let nacls_per_vpc = (spec.nacls / spec.vpcs).max(1);
    let enis_per_vpc = spec.enis / spec.vpcs;

    let (
        mut vpcs,
        mut subnets,
        mut rts,
        mut acls,
        mut sgs,
        mut igws,
        mut nats,
        mut enis,
        mut reservations,
        mut pcxs,
    ) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    let mut eni_n = 0usize;
    for v in 0..spec.vpcs {
        let vpc_id = id("vpc", 1, v);
        let env = if v % 2 == 0 { "prod" } else { "dev" };
        let cidr = format!("10.{v}.0.0/16");
        vpcs.push(json!({
            "CidrBlock": cidr, "DhcpOptionsId": "dopt-0123456789abcdef0", "State": "available", "VpcId": vpc_id,
            "OwnerId": ACCOUNT, "InstanceTenancy": "default", "IsDefault": false,
            "CidrBlockAssociationSet": [{"AssociationId": id("vpc-cidr-assoc", 1, v), "CidrBlock": cidr, "CidrBlockState": {"State": "associated"}}],
            "Tags": tags(&format!("vpc-{v}-{env}"), &[("env", env)]),
        }));
        let igw_id = id("igw", 2, v);
        igws.push(json!({"Attachments": [{"State": "available", "VpcId": vpc_id}], "InternetGatewayId": igw_id, "OwnerId": ACCOUNT, "Tags": tags(&format!("igw-{v}"), &[])}));

        // Subnets by tier: s % 3 → public, app, db.
        let subnet_ids: Vec<String> = (0..subnets_per_vpc)
            .map(|s| id("subnet", 3, v * 256 + s))
            .collect();
        for (s, sid) in subnet_ids.iter().enumerate() {
            let tier = TIERS[s % 3];
            subnets.push(json!({
                "AvailabilityZone": format!("us-east-1{}", ["a", "b", "c"][s % 3]), "AvailableIpAddressCount": 250,
                "CidrBlock": format!("10.{v}.{s}.0/24"), "DefaultForAz": false, "MapPublicIpOnLaunch": tier == "public",
                "State": "available", "SubnetId": sid, "VpcId": vpc_id, "OwnerId": ACCOUNT,
                "AssignIpv6AddressOnCreation": false, "Ipv6CidrBlockAssociationSet": [],
                "Tags": tags(&format!("vpc-{v}-{tier}-{s}"), &[("tier", tier), ("env", env)]),
                "SubnetArn": format!("arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/{sid}"),
            }));
        }
        // NAT gateway in the first public subnet.
        let nat_id = id("nat", 4, v);
        let nat_eni = id("eni", 5, 1_000_000 + v);
        let nat_ip = format!("10.{v}.0.5");
        let nat_public = format!("52.{}.{}.1", 10 + v / 250, v % 250);
        nats.push(json!({
            "CreateTime": "2026-01-01T00:00:00.000Z", "NatGatewayAddresses": [{"AllocationId": id("eipalloc", 6, v), "NetworkInterfaceId": nat_eni, "PrivateIp": nat_ip, "PublicIp": nat_public, "AssociationId": id("eipassoc", 6, v), "IsPrimary": true, "Status": "succeeded"}],
            "NatGatewayId": nat_id, "State": "available", "SubnetId": subnet_ids[0], "VpcId": vpc_id, "ConnectivityType": "public", "Tags": tags(&format!("nat-{v}"), &[]),
        }));
        enis.push(json!({
            "Association": {"IpOwnerId": "amazon", "PublicDnsName": "", "PublicIp": nat_public}, "AvailabilityZone": "us-east-1a",
            "Description": format!("Interface for NAT Gateway {nat_id}"), "Groups": [], "InterfaceType": "nat_gateway", "Ipv6Addresses": [],
            "MacAddress": "02:00:00:00:00:01", "NetworkInterfaceId": nat_eni, "OwnerId": ACCOUNT, "PrivateIpAddress": nat_ip,
            "PrivateIpAddresses": [{"Association": {"IpOwnerId": "amazon", "PublicIp": nat_public}, "Primary": true, "PrivateIpAddress": nat_ip}],
            "RequesterId": "441029581183", "RequesterManaged": true, "SourceDestCheck": false, "Status": "in-use", "SubnetId": subnet_ids[0], "TagSet": [], "VpcId": vpc_id,
        }));

        // Route tables: main (local only), public, private (NAT + peerings).
        let local = json!({"DestinationCidrBlock": cidr, "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"});
        let mut peer_routes = Vec::new();
        for peer in [v.wrapping_sub(1), v + 1] {
            if peer < spec.vpcs && peer != v {
                let (a, b) = (v.min(peer), v.max(peer));
                peer_routes.push(json!({"DestinationCidrBlock": format!("10.{peer}.0.0/16"), "VpcPeeringConnectionId": id("pcx", 7, a), "Origin": "CreateRoute", "State": "active"}));
                let _ = b;
            }
        }
        let assoc = |rt: &str, s: &str, n: usize| json!({"Main": false, "RouteTableAssociationId": id("rtbassoc", 8, n), "RouteTableId": rt, "SubnetId": s, "AssociationState": {"State": "associated"}});
        let (main_rt, public_rt, private_rt) = (
            id("rtb", 9, v * 3),
            id("rtb", 9, v * 3 + 1),
            id("rtb", 9, v * 3 + 2),
        );
        rts.push(json!({"Associations": [{"Main": true, "RouteTableAssociationId": id("rtbassoc", 8, v * 1000), "RouteTableId": main_rt, "AssociationState": {"State": "associated"}}], "PropagatingVgws": [], "RouteTableId": main_rt, "Routes": [local.clone()], "Tags": tags(&format!("vpc-{v}-main"), &[]), "VpcId": vpc_id, "OwnerId": ACCOUNT}));
        let public_assocs: Vec<Value> = subnet_ids
            .iter()
            .enumerate()
            .filter(|(s, _)| s % 3 == 0)
            .map(|(s, sid)| assoc(&public_rt, sid, v * 1000 + s + 1))
            .collect();
        let private_assocs: Vec<Value> = subnet_ids
            .iter()
            .enumerate()
            .filter(|(s, _)| s % 3 != 0)
            .map(|(s, sid)| assoc(&private_rt, sid, v * 1000 + s + 1))
            .collect();
        let mut public_routes = vec![
            local.clone(),
            json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw_id, "Origin": "CreateRoute", "State": "active"}),
        ];
        public_routes.extend(peer_routes.iter().cloned());
        let mut private_routes = vec![
            local,
            json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat_id, "Origin": "CreateRoute", "State": "active"}),
        ];
        private_routes.extend(peer_routes);
        rts.push(json!({"Associations": public_assocs, "PropagatingVgws": [], "RouteTableId": public_rt, "Routes": public_routes, "Tags": tags(&format!("vpc-{v}-public"), &[]), "VpcId": vpc_id, "OwnerId": ACCOUNT}));
        rts.push(json!({"Associations": private_assocs, "PropagatingVgws": [], "RouteTableId": private_rt, "Routes": private_routes, "Tags": tags(&format!("vpc-{v}-private"), &[]), "VpcId": vpc_id, "OwnerId": ACCOUNT}));
        if v + 1 < spec.vpcs {
            pcxs.push(json!({
                "AccepterVpcInfo": {"CidrBlock": format!("10.{}.0.0/16", v + 1), "CidrBlockSet": [{"CidrBlock": format!("10.{}.0.0/16", v + 1)}], "OwnerId": ACCOUNT, "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": false}, "VpcId": id("vpc", 1, v + 1), "Region": "us-east-1"},
                "RequesterVpcInfo": {"CidrBlock": cidr, "CidrBlockSet": [{"CidrBlock": cidr}], "OwnerId": ACCOUNT, "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": false}, "VpcId": vpc_id, "Region": "us-east-1"},
                "Status": {"Code": "active", "Message": "Active"}, "Tags": tags(&format!("pcx-{v}-{}", v + 1), &[]), "VpcPeeringConnectionId": id("pcx", 7, v),
            }));
        }

        // NACLs: the default (allow all) plus custom ones for db subnets.
        let entry = |n: usize,
                     egress: bool,
                     proto: &str,
                     action: &str,
                     cidr: String,
                     ports: Option<(u16, u16)>| {
            let mut e = json!({"CidrBlock": cidr, "Egress": egress, "Protocol": proto, "RuleAction": action, "RuleNumber": n});
            if let Some((f, t)) = ports {
                e["PortRange"] = json!({"From": f, "To": t});
            }
            e
        };
        let db_subnets: Vec<&String> = subnet_ids
            .iter()
            .enumerate()
            .filter(|(s, _)| s % 3 == 2)
            .map(|(_, s)| s)
            .collect();
        let custom = nacls_per_vpc
            .saturating_sub(1)
            .max(usize::from(!db_subnets.is_empty()));
        let mut assigned_custom: Vec<&String> = Vec::new();
        for c in 0..custom {
            let acl_id = id("acl", 10, v * 100 + c + 1);
            let mine: Vec<&String> = db_subnets
                .iter()
                .enumerate()
                .filter(|(i, _)| i % custom == c)
                .map(|(_, s)| *s)
                .collect();
            assigned_custom.extend(mine.iter().copied());
            let mut entries = Vec::new();
            for r in 0..spec.nacl_rules {
                let n = 10 + r * 10;
                let deny = rng.chance(30);
                let port = [22u16, 80, 443, 3306, 5432, 6379, 8080, 9200][rng.below(8)];
                let src = format!(
                    "10.{}.{}.0/24",
                    rng.below(spec.vpcs),
                    rng.below(subnets_per_vpc)
                );
                entries.push(entry(
                    n,
                    false,
                    "6",
                    if deny { "deny" } else { "allow" },
                    src,
                    Some((port, port)),
                ));
            }
            entries.push(entry(
                30000,
                false,
                "-1",
                "allow",
                "10.0.0.0/8".into(),
                None,
            ));
            entries.push(entry(
                30010,
                false,
                "6",
                "allow",
                "0.0.0.0/0".into(),
                Some((1024, 65535)),
            ));
            entries.push(entry(32767, false, "-1", "deny", "0.0.0.0/0".into(), None));
            entries.push(entry(100, true, "-1", "allow", "0.0.0.0/0".into(), None));
            entries.push(entry(32767, true, "-1", "deny", "0.0.0.0/0".into(), None));
            let assocs: Vec<Value> = mine.iter().enumerate().map(|(i, s)| json!({"NetworkAclAssociationId": id("aclassoc", 11, v * 1000 + c * 100 + i), "NetworkAclId": acl_id, "SubnetId": s})).collect();
            acls.push(json!({"Associations": assocs, "Entries": entries, "IsDefault": false, "NetworkAclId": acl_id, "Tags": tags(&format!("vpc-{v}-db-nacl-{c}"), &[]), "VpcId": vpc_id, "OwnerId": ACCOUNT}));
        }
        let default_assocs: Vec<Value> = subnet_ids
            .iter()
            .filter(|s| !assigned_custom.contains(s))
            .enumerate()
            .map(|(i, s)| json!({"NetworkAclAssociationId": id("aclassoc", 11, v * 1000 + 900 + i), "NetworkAclId": id("acl", 10, v * 100), "SubnetId": s}))
            .collect();
        acls.push(json!({
            "Associations": default_assocs,
            "Entries": [entry(100, true, "-1", "allow", "0.0.0.0/0".into(), None), entry(32767, true, "-1", "deny", "0.0.0.0/0".into(), None), entry(100, false, "-1", "allow", "0.0.0.0/0".into(), None), entry(32767, false, "-1", "deny", "0.0.0.0/0".into(), None)],
            "IsDefault": true, "NetworkAclId": id("acl", 10, v * 100), "Tags": tags(&format!("vpc-{v}-default-nacl"), &[]), "VpcId": vpc_id, "OwnerId": ACCOUNT,
        }));

        // Security groups: per VPC a web, app and db group referencing each
        // other, plus more groups with CIDR and reference rules.
        let sg_ids: Vec<String> = (0..sgs_per_vpc)
            .map(|g| id("sg", 12, v * 10_000 + g))
            .collect();
        for (g, gid) in sg_ids.iter().enumerate() {
            let role = ["web", "app", "db"][g % 3];
            let mut ingress = Vec::new();
            match role {
                "web" => {
                    ingress.push(json!({"FromPort": 443, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": 443, "UserIdGroupPairs": []}));
                    ingress.push(json!({"FromPort": 80, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": 80, "UserIdGroupPairs": []}));
                }
                "app" => ingress.push(json!({"FromPort": 8080, "IpProtocol": "tcp", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": sg_ids[g - 1], "UserId": ACCOUNT}]})),
                _ => {
                    ingress.push(json!({"FromPort": 5432, "IpProtocol": "tcp", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": sg_ids[g - 1], "UserId": ACCOUNT}]}));
                    // A deliberate exposure now and then: a database open to the world.
                    if rng.chance(3) {
                        ingress.push(json!({"FromPort": 3306, "IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "temporary"}], "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": 3306, "UserIdGroupPairs": []}));
                    }
                }
            }
            while ingress.len() < spec.rules_per_sg.saturating_sub(1) {
                let port = 1000 + rng.below(9000) as u16;
                if rng.chance(50) {
                    let other = &sg_ids[rng.below(sg_ids.len())];
                    ingress.push(json!({"FromPort": port, "IpProtocol": "tcp", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": port + rng.below(10) as u16, "UserIdGroupPairs": [{"GroupId": other, "UserId": ACCOUNT}]}));
                } else {
                    let src = format!(
                        "10.{}.{}.0/24",
                        rng.below(spec.vpcs),
                        rng.below(subnets_per_vpc)
                    );
                    ingress.push(json!({"FromPort": port, "IpProtocol": if rng.chance(80) { "tcp" } else { "udp" }, "IpRanges": [{"CidrIp": src}], "Ipv6Ranges": [], "PrefixListIds": [], "ToPort": port, "UserIdGroupPairs": []}));
                }
            }
            sgs.push(json!({
                "Description": format!("{role} tier"), "GroupName": format!("vpc-{v}-{role}-{g}"), "IpPermissions": ingress, "OwnerId": ACCOUNT, "GroupId": gid,
                "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}],
                "Tags": tags(&format!("vpc-{v}-{role}-{g}"), &[("env", env)]), "VpcId": vpc_id,
                "SecurityGroupArn": format!("arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{gid}"),
            }));
        }

        // ENIs (one instance each), spread over the subnets; public-tier
        // ENIs get a public IP, the right SG for their tier.
        for k in 0..enis_per_vpc {
            let s = k % subnets_per_vpc;
            let tier = s % 3;
            let host = 10 + k / subnets_per_vpc;
            if host > 250 {
                break;
            }
            let ip = format!("10.{v}.{s}.{host}");
            let eni_id = id("eni", 5, eni_n);
            let inst_id = id("i", 13, eni_n);
            eni_n += 1;
            let mut groups = vec![&sg_ids[tier + 3 * rng.below(sgs_per_vpc / 3)]];
            if rng.chance(20) {
                groups.push(&sg_ids[rng.below(sgs_per_vpc)]);
            }
            groups.dedup();
            let groups_json: Vec<Value> = groups
                .iter()
                .map(|g| json!({"GroupName": "g", "GroupId": g}))
                .collect();
            let public = (tier == 0 && rng.chance(60)) || (tier == 2 && rng.chance(1));
            let public_ip = format!(
                "54.{}.{}.{}",
                eni_n / 65536 % 256,
                eni_n / 256 % 256,
                eni_n % 256
            );
            let mut eni = json!({
                "Attachment": {"AttachTime": "2026-01-01T00:00:00.000Z", "AttachmentId": id("eni-attach", 14, eni_n), "DeleteOnTermination": true, "DeviceIndex": 0, "NetworkCardIndex": 0, "InstanceId": inst_id, "InstanceOwnerId": ACCOUNT, "Status": "attached"},
                "AvailabilityZone": format!("us-east-1{}", ["a", "b", "c"][s % 3]), "Description": "", "Groups": groups_json, "InterfaceType": "interface", "Ipv6Addresses": [],
                "MacAddress": "02:00:00:00:00:02", "NetworkInterfaceId": eni_id, "OwnerId": ACCOUNT, "PrivateDnsName": format!("ip-{}.ec2.internal", ip.replace('.', "-")),
                "PrivateIpAddress": ip, "PrivateIpAddresses": [{"Primary": true, "PrivateDnsName": "", "PrivateIpAddress": ip}],
                "RequesterManaged": false, "SourceDestCheck": true, "Status": "in-use", "SubnetId": subnet_ids[s], "TagSet": [], "VpcId": vpc_id,
            });
            if public {
                eni["Association"] =
                    json!({"IpOwnerId": "amazon", "PublicDnsName": "", "PublicIp": public_ip});
                eni["PrivateIpAddresses"][0]["Association"] =
                    json!({"IpOwnerId": "amazon", "PublicIp": public_ip});
            }
            reservations.push(json!({
                "Groups": [], "OwnerId": ACCOUNT, "ReservationId": id("r", 15, eni_n),
                "Instances": [{"AmiLaunchIndex": 0, "ImageId": "ami-0abcdef1234567890", "InstanceId": inst_id, "InstanceType": "t3.micro", "LaunchTime": "2026-01-01T00:00:00.000Z",
                    "Placement": {"AvailabilityZone": format!("us-east-1{}", ["a", "b", "c"][s % 3]), "Tenancy": "default"}, "PrivateIpAddress": ip,
                    "State": {"Code": 16, "Name": "running"}, "SubnetId": subnet_ids[s], "VpcId": vpc_id, "SourceDestCheck": true,
                    "NetworkInterfaces": [{"NetworkInterfaceId": eni_id, "SubnetId": subnet_ids[s], "VpcId": vpc_id, "PrivateIpAddress": ip, "Attachment": {"DeviceIndex": 0, "Status": "attached"}}],
                    "Tags": tags(&format!("vpc-{v}-{}-{k}", TIERS[tier]), &[("env", env), ("tier", TIERS[tier])])}],
            }));
            enis.push(eni);
        }
    }
    let file = |key: &str, items: Vec<Value>| -> String {
        let mut s = String::new();
        let _ = write!(s, "{}", json!({ key: items }));
        s
    };
    vec![
        ("vpcs.json".into(), file("Vpcs", vpcs)),
        ("subnets.json".into(), file("Subnets", subnets)),
        ("route-tables.json".into(), file("RouteTables", rts)),
        ("network-acls.json".into(), file("NetworkAcls", acls)),
        ("security-groups.json".into(), file("SecurityGroups", sgs)),
        (
            "internet-gateways.json".into(),
            file("InternetGateways", igws),
        ),
        ("nat-gateways.json".into(), file("NatGateways", nats)),
        (
            "network-interfaces.json".into(),
            file("NetworkInterfaces", enis),
        ),
        ("instances.json".into(), file("Reservations", reservations)),
        (
            "vpc-peering-connections.json".into(),
            file("VpcPeeringConnections", pcxs),
        ),
    ]
}
