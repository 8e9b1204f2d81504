//! One edit of the model per resource type of the AWS provider: the
//! helpers every family shares (which id an edit applies to, the sides of
//! an update); each family of resource types lives in its own file.

use super::*;

mod acls;
mod compute;
mod gateways;
mod routes;
mod security_groups;

impl Translator<'_> {
    /// The id a `default_*` resource manages: its own once Terraform holds
    /// it (the AWS id of the default), else the one its configuration names
    /// (`default_network_acl_id`, `default_route_table_id`), else — for the
    /// default security group, which names only its VPC — the VPC's group
    /// named `default`.
    fn managed_default(
        &mut self,
        rc: &ResourceChange,
        v: &Value,
        attribute: &str,
    ) -> Result<String, Unknown> {
        let own = rc
            .before
            .get("id")
            .str()
            .or(v.get("id").str())
            .filter(|id| !id.is_empty())
            .map(String::from);
        let id = match own {
            Some(id) => id,
            None if attribute == "vpc_id" => {
                let vpc = self.one(rc, v, "vpc_id")?.ok_or(Unknown)?;
                self.out
                    .network
                    .security_groups
                    .values()
                    .find(|g| g.vpc_id.as_deref() == Some(&vpc) && g.name == "default")
                    .map(|g| g.id.clone())
                    .ok_or(Unknown)?
            }
            None => self.one(rc, v, attribute)?.ok_or(Unknown)?,
        };
        self.out
            .addresses
            .entry(id.clone())
            .or_insert(rc.address.clone());
        Ok(id)
    }

    /// The id an edit applies to: the resource's own, or for an
    /// `aws_default_*` resource the VPC default it manages.
    fn managed_id(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        default: bool,
        adding: bool,
        attribute: &str,
    ) -> Option<String> {
        if !default {
            return Some(id.to_string());
        }
        let v = if adding { &rc.after } else { &rc.before };
        match self.managed_default(rc, v, attribute) {
            Ok(id) => Some(id),
            Err(Unknown) => {
                self.unknown(rc, attribute, Vec::new());
                None
            }
        }
    }
}

/// What an update or replace removes (`before`, true) and adds (`after`, false).
fn sides(
    rc: &ResourceChange,
    removing: bool,
    adding: bool,
) -> impl Iterator<Item = (&Value, bool)> {
    [(&rc.before, removing, true), (&rc.after, adding, false)]
        .into_iter()
        .filter(|(_, on, _)| *on)
        .map(|(v, _, removal)| (v, removal))
}
