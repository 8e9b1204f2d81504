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
                self.default_group(&vpc).ok_or(Unknown)?
            }
            None => self.one(rc, v, attribute)?.ok_or(Unknown)?,
        };
        self.out
            .addresses
            .entry(id.clone())
            .or_insert(rc.address.clone());
        Ok(id)
    }

    /// The id of a VPC's default security group, when the network holds it.
    fn default_group(&self, vpc: &str) -> Option<String> {
        self.out
            .network
            .security_groups
            .values()
            .find(|g| g.vpc_id.as_deref() == Some(vpc) && g.name == "default")
            .map(|g| g.id.clone())
    }

    /// The VPC of the subnet a resource is placed in; unknown (through
    /// `component` and the subnet) when the network does not hold it.
    fn vpc_of_subnet(
        &mut self,
        rc: &ResourceChange,
        subnet: &str,
        component: &str,
    ) -> Option<String> {
        let vpc = self
            .out
            .network
            .subnets
            .get(subnet)
            .map(|s| s.vpc_id.clone());
        if vpc.is_none() {
            self.unknown(
                rc,
                "subnet_id",
                vec![component.to_string(), subnet.to_string()],
            );
        }
        vpc
    }

    /// The container (group, NACL, route table) a change edits and whether
    /// it is the VPC's default (`aws_default_*`); `Err` with what to say
    /// when there is nothing to edit: the default deleted, which Terraform
    /// only forgets (EC2 keeps it as it is), or an id that stays unknown.
    fn container(
        &mut self,
        rc: &ResourceChange,
        id: &str,
        (removing, adding): (bool, bool),
        attribute: &str,
        default_name: &str,
    ) -> Result<(String, bool), Option<String>> {
        let default = rc.kind.starts_with("aws_default_");
        let id = self
            .managed_id(rc, id, default, adding, attribute)
            .ok_or(None)?;
        if default && removing && !adding {
            return Err(Some(format!("{id} left as it is ({default_name})")));
        }
        Ok((id, default))
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

impl Translator<'_> {
    /// Apply `edit` to each side of a change — `before` removed (`true`),
    /// `after` added — and say what it did, sides joined by "; ".
    fn each_side(
        &mut self,
        rc: &ResourceChange,
        removing: bool,
        adding: bool,
        mut edit: impl FnMut(&mut Self, &Value, bool) -> Vec<String>,
    ) -> Option<String> {
        let said: Vec<String> = sides(rc, removing, adding)
            .flat_map(|(side, removal)| edit(self, side, removal))
            .collect();
        (!said.is_empty()).then(|| said.join("; "))
    }
}

/// An inline collection of `after` (`ingress`, `egress`, `route`) as the
/// resource manages it: `None` when the provider computes it and the
/// configuration does not set it (Terraform strips the default egress rule
/// from the groups it creates: only the plan's separate rule resources
/// count), or when it is absent and absence does not mean "none" (it does
/// for the rule sets of a VPC's default group and NACL, which adoption
/// empties).
fn managed_set<'v>(
    rc: &'v ResourceChange,
    attribute: &str,
    absent_is_empty: bool,
) -> Option<&'v Value> {
    let v = rc.after.get(attribute);
    let computed = v.is_unknown() && !rc.configures(attribute);
    (!computed && (!v.is_null() || absent_is_empty)).then_some(v)
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
