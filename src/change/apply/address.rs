//! Elastic IP calls: Associate/DisassociateAddress, moving the public
//! address on the private address of an ENI.

use std::net::Ipv4Addr;

use crate::change::{assoc_help, attached, err, State, R};

impl State {
    pub(in crate::change) fn disassociate_address(
        &mut self,
        association_id: &Option<String>,
        public_ip: &Option<Ipv4Addr>,
    ) -> R<String> {
        let idx = match (association_id, public_ip) {
            (Some(a), _) => self
                .net
                .elastic_ips
                .iter()
                .position(|e| e.association_id.as_deref() == Some(a))
                .ok_or_else(|| {
                    err(
                        "InvalidAssociationID.NotFound",
                        "AssociationId",
                        format!("The association ID '{a}' does not exist"),
                    )
                    .help(assoc_help("Addresses[].AssociationId"))
                })?,
            (None, Some(ip)) => self.eip_by_public_ip(ip)?,
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "",
                    "The request must contain the parameter AssociationId or PublicIp",
                ))
            }
        };
        let eip = self.net.elastic_ips[idx].clone();
        let (Some(eni), Some(private)) = (&eip.network_interface_id, eip.private_ip) else {
            return Err(err(
                "InvalidAssociationID.NotFound",
                if association_id.is_some() {
                    "AssociationId"
                } else {
                    "PublicIp"
                },
                format!("The address {} is not associated", eip.public_ip),
            ));
        };
        if self.net.nat_gateways.values().any(|n| {
            n.addresses
                .iter()
                .any(|a| a.public_ip == Some(eip.public_ip))
        }) {
            return Err(err(
                "InvalidIPAddress.InUse",
                "",
                format!("Address {} is in use by a NAT gateway", eip.public_ip),
            ));
        }
        self.unmap_public(eni, private, eip.public_ip);
        let e = &mut self.net.elastic_ips[idx];
        e.network_interface_id = None;
        e.private_ip = None;
        e.association_id = None;
        Ok(format!(
            "disassociated {} from {eni} ({private})",
            eip.public_ip
        ))
    }

    fn eip_by_public_ip(&self, ip: &Ipv4Addr) -> R<usize> {
        self.net
            .elastic_ips
            .iter()
            .position(|e| e.public_ip == *ip)
            .ok_or_else(|| {
                err(
                    "InvalidAddress.NotFound",
                    "PublicIp",
                    format!("The address '{ip}' does not exist"),
                )
            })
    }

    fn unmap_public(&mut self, eni: &str, private: Ipv4Addr, public: Ipv4Addr) {
        if let Some(e) = self.net.network_interfaces.get_mut(eni) {
            for p in &mut e.private_ips {
                if p.address == private && p.public_ip == Some(public) {
                    p.public_ip = None;
                }
            }
        }
    }

    pub(in crate::change) fn associate_address(
        &mut self,
        allocation_id: &Option<String>,
        public_ip: &Option<Ipv4Addr>,
        instance_id: &Option<String>,
        network_interface_id: &Option<String>,
        private_ip: &Option<Ipv4Addr>,
        allow_reassociation: bool,
    ) -> R<String> {
        let idx = match (allocation_id, public_ip) {
            (Some(a), _) => self
                .net
                .elastic_ips
                .iter()
                .position(|e| e.allocation_id.as_deref() == Some(a))
                .ok_or_else(|| {
                    err(
                        "InvalidAllocationID.NotFound",
                        "AllocationId",
                        format!("The allocation ID '{a}' does not exist"),
                    )
                    .help("Elastic IPs come from describe-addresses output (Addresses); add it to the snapshot")
                })?,
            (None, Some(ip)) => self.eip_by_public_ip(ip)?,
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "AllocationId",
                    "The request must contain the parameter AllocationId or PublicIp",
                ))
            }
        };
        let eni_id = match (network_interface_id, instance_id) {
            (Some(e), _) => {
                if !self.net.network_interfaces.contains_key(e) {
                    return Err(err(
                        "InvalidNetworkInterfaceID.NotFound",
                        "NetworkInterfaceId",
                        format!("The networkInterface ID '{e}' does not exist"),
                    ));
                }
                e.clone()
            }
            (None, Some(i)) => {
                let inst = self.net.instances.get(i).ok_or_else(|| {
                    err(
                        "InvalidInstanceID.NotFound",
                        "InstanceId",
                        format!("The instance ID '{i}' does not exist"),
                    )
                })?;
                inst.network_interface_ids.first().cloned().ok_or_else(|| {
                    err(
                        "InvalidInstanceID",
                        "InstanceId",
                        format!("Instance {i} has no network interface in the snapshot"),
                    )
                })?
            }
            (None, None) => {
                return Err(err(
                    "MissingParameter",
                    "InstanceId",
                    "The request must contain the parameter InstanceId or NetworkInterfaceId",
                ))
            }
        };
        let eni = &self.net.network_interfaces[&eni_id];
        let private = match private_ip {
            Some(p) => {
                if !eni.private_ips.iter().any(|x| x.address == *p) {
                    return Err(err(
                        "InvalidParameterValue",
                        "PrivateIpAddress",
                        format!("{p} is not a private address of {eni_id}"),
                    ));
                }
                *p
            }
            None => eni.primary_ip().ok_or_else(|| {
                err(
                    "InvalidParameterValue",
                    "NetworkInterfaceId",
                    format!("{eni_id} has no private address"),
                )
            })?,
        };
        let vpc = eni.vpc_id.clone();
        if !self
            .net
            .internet_gateways
            .values()
            .any(|g| g.attachments.iter().any(|(v, s)| *v == vpc && attached(s)))
        {
            return Err(err(
                "Gateway.NotAttached",
                "",
                format!("Network {vpc} is not attached to any internet gateway"),
            ));
        }
        let eip = self.net.elastic_ips[idx].clone();
        if eip.network_interface_id.is_some() && !allow_reassociation {
            return Err(err(
                "Resource.AlreadyAssociated",
                if allocation_id.is_some() {
                    "AllocationId"
                } else {
                    "PublicIp"
                },
                format!(
                    "resource {} is already associated with {}",
                    eip.allocation_id
                        .as_deref()
                        .unwrap_or(&eip.public_ip.to_string()),
                    eip.network_interface_id.as_deref().unwrap_or("?")
                ),
            )
            .help("set AllowReassociation to move an associated address"));
        }
        // Move the address: off its old ENI, and any other Elastic IP off the
        // target private address (an auto-assigned public IP is released).
        if let (Some(old_eni), Some(old_private)) = (&eip.network_interface_id, eip.private_ip) {
            self.unmap_public(old_eni, old_private, eip.public_ip);
        }
        for other in &mut self.net.elastic_ips {
            if other.network_interface_id.as_deref() == Some(&eni_id)
                && other.private_ip == Some(private)
            {
                other.network_interface_id = None;
                other.private_ip = None;
                other.association_id = None;
            }
        }
        let assoc = self.new_id("eipassoc");
        if let Some(e) = self.net.network_interfaces.get_mut(&eni_id) {
            for p in &mut e.private_ips {
                if p.address == private {
                    p.public_ip = Some(eip.public_ip);
                }
            }
        }
        let e = &mut self.net.elastic_ips[idx];
        e.network_interface_id = Some(eni_id.clone());
        e.private_ip = Some(private);
        e.association_id = Some(assoc.clone());
        Ok(format!(
            "associated {} with {eni_id} ({private}) as {assoc}",
            eip.public_ip
        ))
    }
}
