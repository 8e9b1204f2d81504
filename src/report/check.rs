//! `check` output: what a snapshot holds (resource counts by kind) and its
//! warnings.

use serde_json::{json, Value};

use crate::snapshot::Snapshot;

fn counts(snap: &Snapshot) -> Value {
    let n = &snap.network;
    let mut counts = json!({
        "Files": snap.files.len(),
        "Bytes": snap.bytes,
        "Vpcs": n.vpcs.len(),
        "Subnets": n.subnets.len(),
        "RouteTables": n.route_tables.len(),
        "NetworkAcls": n.network_acls.len(),
        "SecurityGroups": n.security_groups.len(),
        "InternetGateways": n.internet_gateways.len(),
        "NatGateways": n.nat_gateways.len(),
        "NetworkInterfaces": n.network_interfaces.len(),
        "Instances": n.instances.len(),
        "VpcPeeringConnections": n.peerings.len(),
        "PrefixLists": n.prefix_lists.len(),
        "LoadBalancers": n.load_balancers.len(),
        "TargetGroups": n.target_groups.len(),
        "Warnings": snap.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    });
    if !n.egress_only_gateways.is_empty() {
        counts["EgressOnlyInternetGateways"] = n.egress_only_gateways.len().into();
    }
    counts
}

pub fn json(snap: &Snapshot) -> String {
    super::pretty(&counts(snap))
}

/// `name` is how the user named the snapshot.
pub fn text(snap: &Snapshot, name: &str) -> String {
    let mut out = format!(
        "snapshot {name}: {} files, {} bytes, {} resources\n",
        snap.files.len(),
        snap.bytes,
        snap.network.resource_count()
    );
    if let Value::Object(m) = counts(snap) {
        for (k, v) in m {
            if k != "Warnings" && k != "Files" && k != "Bytes" {
                out.push_str(&format!("  {k:<24} {v}\n"));
            }
        }
    }
    for w in &snap.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}
