//! aws-sdk-ec2 types → the JSON the AWS CLI prints for the same call.
//!
//! The SDK's types do not implement `Serialize`, so each resource is written
//! out here by hand, field by field, with the EC2 API's member names
//! (PascalCase, e.g. `TagSet` on ENIs but `Tags` elsewhere) and the CLI's
//! nesting. A field the API did not return is omitted, as the CLI omits it; a
//! list the API returned empty is written empty. Every field that
//! [`crate::snapshot::shapes`] reads is here, plus tags, states, owners and
//! the other descriptive fields a person diffing two snapshots wants to see.
//! Credentials never pass through this module: only describe-* outputs do.

use aws_sdk_ec2::primitives::DateTime;
use aws_sdk_ec2::types as t;
use serde_json::{Map, Value};

mod compute;
mod gateways;
mod network;
mod prefix_lists;
mod tgw;
mod vpn;

pub use compute::*;
pub use gateways::*;
pub use network::*;
pub use prefix_lists::*;
pub use tgw::*;
pub use vpn::*;

/// A JSON object under construction; `None` values are skipped.
#[derive(Default)]
pub(super) struct Obj(Map<String, Value>);

impl Obj {
    pub(super) fn new() -> Self {
        Self::default()
    }
    pub(super) fn s(mut self, key: &str, v: Option<&str>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::String(v.into()));
        }
        self
    }
    /// An SDK enum, written as its wire value.
    pub(super) fn e<E: AsRef<str>>(self, key: &str, v: Option<&E>) -> Self {
        self.s(key, v.map(|e| e.as_ref()))
    }
    pub(super) fn b(mut self, key: &str, v: Option<bool>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::Bool(v));
        }
        self
    }
    pub(super) fn i(mut self, key: &str, v: Option<impl Into<i64>>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::from(v.into()));
        }
        self
    }
    /// A timestamp, in the ISO 8601 form the CLI prints.
    pub(super) fn t(self, key: &str, v: Option<&DateTime>) -> Self {
        self.s(key, v.map(cli_time).as_deref())
    }
    pub(super) fn o(mut self, key: &str, v: Option<Value>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), v);
        }
        self
    }
    /// A list: written when the API returned it (even empty), else omitted.
    pub(super) fn l<T>(mut self, key: &str, v: Option<&Vec<T>>, f: impl Fn(&T) -> Value) -> Self {
        if let Some(v) = v {
            self.0
                .insert(key.into(), Value::Array(v.iter().map(f).collect()));
        }
        self
    }
    /// A map the API returns unordered, written with its keys sorted.
    pub(super) fn m<T>(
        mut self,
        key: &str,
        v: Option<&std::collections::HashMap<String, T>>,
        f: impl Fn(&T) -> Value,
    ) -> Self {
        if let Some(v) = v {
            let sorted: std::collections::BTreeMap<&String, &T> = v.iter().collect();
            let obj: Map<String, Value> =
                sorted.into_iter().map(|(k, v)| (k.clone(), f(v))).collect();
            self.0.insert(key.into(), Value::Object(obj));
        }
        self
    }
    pub(super) fn strings(self, key: &str, v: Option<&Vec<String>>) -> Self {
        self.l(key, v, |s| Value::String(s.clone()))
    }
    pub(super) fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// A timestamp as AWS CLI v2 prints it (Python's `isoformat`):
/// `2023-11-14T22:13:20+00:00`, microseconds only when there are some.
pub fn cli_time(d: &DateTime) -> String {
    let whole = DateTime::from_secs(d.secs())
        .fmt(aws_sdk_ec2::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default();
    let micros = d.subsec_nanos() / 1000;
    let base = whole.trim_end_matches('Z');
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

fn tag(x: &t::Tag) -> Value {
    Obj::new()
        .s("Key", x.key.as_deref())
        .s("Value", x.value.as_deref())
        .done()
}

fn group_identifier(x: &t::GroupIdentifier) -> Value {
    Obj::new()
        .s("GroupId", x.group_id.as_deref())
        .s("GroupName", x.group_name.as_deref())
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::shapes;

    /// Every converter's output deserializes into the loader's shapes, with
    /// the fields the loader reads carried across.
    #[test]
    fn converted_resources_load_as_shapes() {
        let tags = t::Tag::builder().key("Name").value("web").build();
        let v = vpc(&t::Vpc::builder()
            .vpc_id("vpc-1")
            .cidr_block("10.0.0.0/16")
            .state(t::VpcState::Available)
            .owner_id("111122223333")
            .is_default(false)
            .cidr_block_association_set(
                t::VpcCidrBlockAssociation::builder()
                    .cidr_block("10.1.0.0/16")
                    .cidr_block_state(
                        t::VpcCidrBlockState::builder()
                            .state(t::VpcCidrBlockStateCode::Associated)
                            .build(),
                    )
                    .build(),
            )
            .tags(tags.clone())
            .build());
        let s: shapes::Vpc = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(s.vpc_id, "vpc-1");
        assert_eq!(s.cidr_block_association_set.len(), 1);
        assert_eq!(s.tags[0].value, "web");
        assert_eq!(v["State"], "available");

        let acl = network_acl(
            &t::NetworkAcl::builder()
                .network_acl_id("acl-1")
                .vpc_id("vpc-1")
                .is_default(false)
                .entries(
                    t::NetworkAclEntry::builder()
                        .rule_number(100)
                        .egress(false)
                        .protocol("6")
                        .rule_action(t::RuleAction::Deny)
                        .cidr_block("0.0.0.0/0")
                        .port_range(t::PortRange::builder().from(22).to(22).build())
                        .build(),
                )
                .entries(
                    t::NetworkAclEntry::builder()
                        .rule_number(110)
                        .egress(false)
                        .protocol("1")
                        .rule_action(t::RuleAction::Allow)
                        .cidr_block("0.0.0.0/0")
                        .icmp_type_code(t::IcmpTypeCode::builder().code(-1).r#type(8).build())
                        .build(),
                )
                .associations(
                    t::NetworkAclAssociation::builder()
                        .subnet_id("subnet-1")
                        .network_acl_id("acl-1")
                        .build(),
                )
                .build(),
        );
        let s: shapes::NetworkAcl = serde_json::from_value(acl.clone()).unwrap();
        assert_eq!(s.entries[0].rule_action, "deny");
        assert_eq!(s.entries[0].port_range.as_ref().unwrap().to, 22);
        assert_eq!(s.entries[1].icmp_type_code.as_ref().unwrap().type_, 8);
        assert_eq!(acl["Entries"][1]["IcmpTypeCode"]["Type"], 8);

        let sg = security_group(
            &t::SecurityGroup::builder()
                .group_id("sg-1")
                .group_name("web")
                .vpc_id("vpc-1")
                .ip_permissions(
                    t::IpPermission::builder()
                        .ip_protocol("tcp")
                        .from_port(443)
                        .to_port(443)
                        .user_id_group_pairs(
                            t::UserIdGroupPair::builder()
                                .group_id("sg-2")
                                .user_id("111122223333")
                                .build(),
                        )
                        .ip_ranges(t::IpRange::builder().cidr_ip("10.0.0.0/8").build())
                        .build(),
                )
                .ip_permissions_egress(
                    t::IpPermission::builder()
                        .ip_protocol("-1")
                        .ip_ranges(t::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                        .build(),
                )
                .build(),
        );
        let s: shapes::SecurityGroup = serde_json::from_value(sg).unwrap();
        assert_eq!(s.ip_permissions[0].user_id_group_pairs[0].group_id, "sg-2");
        assert_eq!(s.ip_permissions[0].from_port, Some(443));
        assert_eq!(s.ip_permissions_egress[0].ip_protocol, "-1");

        let eni = network_interface(
            &t::NetworkInterface::builder()
                .network_interface_id("eni-1")
                .subnet_id("subnet-1")
                .vpc_id("vpc-1")
                .private_ip_address("10.0.0.5")
                .private_ip_addresses(
                    t::NetworkInterfacePrivateIpAddress::builder()
                        .private_ip_address("10.0.0.5")
                        .primary(true)
                        .association(
                            t::NetworkInterfaceAssociation::builder()
                                .public_ip("203.0.113.5")
                                .build(),
                        )
                        .build(),
                )
                .groups(t::GroupIdentifier::builder().group_id("sg-1").build())
                .source_dest_check(false)
                .interface_type(t::NetworkInterfaceType::Interface)
                .tag_set(tags.clone())
                .build(),
        );
        let s: shapes::NetworkInterface = serde_json::from_value(eni.clone()).unwrap();
        assert!(!s.source_dest_check);
        assert_eq!(s.tag_set.len(), 1);
        assert_eq!(
            s.private_ip_addresses[0]
                .association
                .as_ref()
                .unwrap()
                .public_ip
                .unwrap()
                .to_string(),
            "203.0.113.5"
        );
        assert!(eni.get("Tags").is_none(), "ENIs print TagSet, not Tags");

        let r = reservation(
            &t::Reservation::builder()
                .reservation_id("r-1")
                .instances(
                    t::Instance::builder()
                        .instance_id("i-1")
                        .state(
                            t::InstanceState::builder()
                                .code(16)
                                .name(t::InstanceStateName::Running)
                                .build(),
                        )
                        .launch_time(DateTime::from_secs(1_700_000_000))
                        .public_ip_address("203.0.113.5")
                        .build(),
                )
                .build(),
        );
        let s: shapes::Reservation = serde_json::from_value(r.clone()).unwrap();
        assert_eq!(s.instances[0].state.as_ref().unwrap().name, "running");
        assert_eq!(
            r["Instances"][0]["LaunchTime"], "2023-11-14T22:13:20+00:00",
            "timestamps as AWS CLI v2 prints them"
        );
        assert_eq!(
            cli_time(&DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000)),
            "2023-11-14T22:13:20.250000+00:00"
        );

        let pl = t::ManagedPrefixList::builder()
            .prefix_list_id("pl-1")
            .prefix_list_name("office")
            .address_family("IPv4")
            .max_entries(10)
            .owner_id("111122223333")
            .build();
        let entries = [
            t::PrefixListEntry::builder().cidr("192.0.2.0/24").build(),
            t::PrefixListEntry::builder()
                .cidr("198.51.100.0/24")
                .build(),
        ];
        let e: shapes::PrefixList =
            serde_json::from_value(prefix_list_entries(&pl, &entries)).unwrap();
        assert_eq!(e.cidrs.unwrap().len(), 2);
        let m: shapes::PrefixList = serde_json::from_value(managed_prefix_list(&pl)).unwrap();
        assert_eq!(m.max_entries, Some(10));
        assert!(m.cidrs.is_none());
    }
}
