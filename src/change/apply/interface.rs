//! Network interface calls: ModifyNetworkInterfaceAttribute (security
//! groups and source/destination checking; other attributes are noted as
//! not affecting reachability).

use crate::change::{err, need, State, R};

impl State {
    pub(in crate::change) fn modify_network_interface_attribute(
        &mut self,
        network_interface_id: &Option<String>,
        groups: &Option<Vec<String>>,
        source_dest_check: &Option<bool>,
        other_attributes: &[&'static str],
    ) -> R<String> {
        let eni_id = need(network_interface_id, "NetworkInterfaceId")?.clone();
        let eni = self.net.network_interfaces.get(&eni_id).ok_or_else(|| {
            err(
                "InvalidNetworkInterfaceID.NotFound",
                "NetworkInterfaceId",
                format!("The networkInterface ID '{eni_id}' does not exist"),
            )
        })?;
        let count = groups.is_some() as usize
            + source_dest_check.is_some() as usize
            + other_attributes.len();
        if count > 1 {
            return Err(err(
                "InvalidParameterCombination",
                "",
                "Fields for multiple attribute types specified",
            )
            .help("one ModifyNetworkInterfaceAttribute call changes one attribute; split it into several calls"));
        }
        if count == 0 {
            return Err(err("MissingParameter", "", "No attributes specified"));
        }
        let vpc = eni.vpc_id.clone();
        if let Some(groups) = groups {
            if groups.is_empty() {
                return Err(err(
                    "InvalidParameterValue",
                    "Groups",
                    "An interface must be in at least one security group",
                ));
            }
            for (i, g) in groups.iter().enumerate() {
                let field = format!("Groups[{i}]");
                let sg = self.net.security_groups.get(g).ok_or_else(|| {
                    err(
                        "InvalidGroup.NotFound",
                        &field,
                        format!("The security group '{g}' does not exist"),
                    )
                })?;
                if sg.vpc_id.as_deref().is_some_and(|v| v != vpc) {
                    return Err(err(
                        "InvalidParameterValue",
                        &field,
                        format!("Security group {g} and interface {eni_id} belong to different networks"),
                    ));
                }
            }
            let e = self
                .net
                .network_interfaces
                .get_mut(&eni_id)
                .expect("checked");
            let old = std::mem::replace(&mut e.group_ids, groups.clone());
            return Ok(format!(
                "set the security groups of {eni_id} to {} (were {})",
                groups.join(", "),
                old.join(", ")
            ));
        }
        if let Some(check) = source_dest_check {
            let e = self
                .net
                .network_interfaces
                .get_mut(&eni_id)
                .expect("checked");
            e.source_dest_check = *check;
            return Ok(format!(
                "{} source/destination checking on {eni_id}",
                if *check { "enabled" } else { "disabled" }
            ));
        }
        self.notes.push(format!(
            "ModifyNetworkInterfaceAttribute {} on {eni_id} does not affect reachability; not modelled",
            other_attributes.join(", ")
        ));
        Ok(format!(
            "{} of {eni_id} changed (no reachability effect)",
            other_attributes.join(", ")
        ))
    }
}
