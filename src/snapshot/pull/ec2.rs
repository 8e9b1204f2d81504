//! The EC2 calls of a pull: one task per [`Call`] and region
//! ([`run_call`]), the listing-then-per-resource pattern ([`listed`],
//! [`SubResults`]) and managed prefix lists with their entries. Transit
//! gateway route tables are in [`super::tgw`], load balancers in
//! [`super::elb`].

use super::*;

pub(super) async fn run_call(
    clients: &RegionClients,
    sem: &Semaphore,
    region: &str,
    call: Call,
) -> TaskOut {
    let client = &clients.ec2;
    let result: Result<(Vec<Value>, usize), CallError> = match call {
        Call::Vpcs => paged!(sem, client.describe_vpcs(), vpcs, convert::vpc),
        Call::Subnets => paged!(sem, client.describe_subnets(), subnets, convert::subnet),
        Call::RouteTables => paged!(
            sem,
            client.describe_route_tables(),
            route_tables,
            convert::route_table
        ),
        Call::NetworkAcls => paged!(
            sem,
            client.describe_network_acls(),
            network_acls,
            convert::network_acl
        ),
        Call::SecurityGroups => paged!(
            sem,
            client.describe_security_groups(),
            security_groups,
            convert::security_group
        ),
        Call::InternetGateways => paged!(
            sem,
            client.describe_internet_gateways(),
            internet_gateways,
            convert::internet_gateway
        ),
        Call::EgressOnlyInternetGateways => paged!(
            sem,
            client.describe_egress_only_internet_gateways(),
            egress_only_internet_gateways,
            convert::egress_only_internet_gateway
        ),
        Call::NatGateways => paged!(
            sem,
            client.describe_nat_gateways(),
            nat_gateways,
            convert::nat_gateway
        ),
        Call::NetworkInterfaces => paged!(
            sem,
            client.describe_network_interfaces(),
            network_interfaces,
            convert::network_interface
        ),
        Call::Instances => paged!(
            sem,
            client.describe_instances(),
            reservations,
            convert::reservation
        ),
        Call::VpcPeeringConnections => paged!(
            sem,
            client.describe_vpc_peering_connections(),
            vpc_peering_connections,
            convert::vpc_peering_connection
        ),
        Call::PrefixLists => paged!(
            sem,
            client.describe_prefix_lists(),
            prefix_lists,
            convert::prefix_list
        ),
        Call::TransitGateways => paged!(
            sem,
            client.describe_transit_gateways(),
            transit_gateways,
            convert::transit_gateway
        ),
        Call::TransitGatewayAttachments => paged!(
            sem,
            client.describe_transit_gateway_attachments(),
            transit_gateway_attachments,
            convert::transit_gateway_attachment
        ),
        Call::TransitGatewayVpcAttachments => paged!(
            sem,
            client.describe_transit_gateway_vpc_attachments(),
            transit_gateway_vpc_attachments,
            convert::transit_gateway_vpc_attachment
        ),
        // Both ends of a peering (C7.8): the peer's region and account
        // decide whether the snapshot can follow a path beyond it.
        Call::TransitGatewayPeeringAttachments => paged!(
            sem,
            client.describe_transit_gateway_peering_attachments(),
            transit_gateway_peering_attachments,
            convert::transit_gateway_peering_attachment
        ),
        Call::VpcEndpoints => paged!(
            sem,
            client.describe_vpc_endpoints(),
            vpc_endpoints,
            convert::vpc_endpoint
        ),
        Call::SecurityGroupRules => paged!(
            sem,
            client.describe_security_group_rules(),
            security_group_rules,
            convert::security_group_rule
        ),
        // These three have no paging: one answer holds everything.
        Call::Addresses => unpaged!(
            sem,
            client.describe_addresses(),
            addresses,
            convert::address
        ),
        Call::VpnGateways => unpaged!(
            sem,
            client.describe_vpn_gateways(),
            vpn_gateways,
            convert::vpn_gateway
        ),
        Call::VpnConnections => unpaged!(
            sem,
            client.describe_vpn_connections(),
            vpn_connections,
            convert::vpn_connection
        ),
        // One object per region, not a list (BPA.1).
        Call::VpcBlockPublicAccessOptions => unpaged!(
            sem,
            client.describe_vpc_block_public_access_options(),
            vpc_block_public_access_options,
            |o| convert::bpa_options(o)
        ),
        Call::VpcBlockPublicAccessExclusions => bpa_exclusions(client, sem).await,
        Call::NetworkFirewall => {
            return firewall::network_firewall(&clients.network_firewall, sem, region).await
        }
        Call::ManagedPrefixLists => return managed_prefix_lists(client, sem, region).await,
        Call::TransitGatewayRouteTables => {
            return transit_gateway_route_tables(client, sem, region).await
        }
        Call::LoadBalancers => return elb::load_balancers(&clients.elbv2, sem, region).await,
        Call::TargetGroups => return elb::target_groups(&clients.elbv2, sem, region).await,
        Call::ClassicLoadBalancers => elb::classic_load_balancers(&clients.elb, sem).await,
    };
    let mut out = TaskOut::new(region);
    match result {
        Ok((items, requests)) => out.files.push(FileOut {
            file: call.file(),
            key: call.key(),
            operation: call.operation(),
            items,
            requests,
        }),
        Err(error) => out.failures.push(Failure {
            region: region.to_string(),
            operation: call.operation(),
            key: call.key(),
            error,
        }),
    }
    out
}

/// The answers of one [`SubCall`] over every resource of a listing call.
pub(super) struct SubResults {
    pub(super) sub: SubCall,
    pub(super) region: String,
    pub(super) items: Vec<Value>,
    pub(super) requests: usize,
    pub(super) failure: Option<Failure>,
}

impl SubResults {
    pub(super) fn new(sub: SubCall, region: &str) -> Self {
        SubResults {
            sub,
            region: region.to_string(),
            items: Vec::new(),
            requests: 0,
            failure: None,
        }
    }

    /// Whether to keep asking: after a failure (denied for one resource is
    /// denied for all) the call is not made again.
    pub(super) fn ok(&self) -> bool {
        self.failure.is_none()
    }

    pub(super) fn add(&mut self, got: Result<(Value, usize), CallError>) {
        match got {
            Ok((item, n)) => {
                self.items.push(item);
                self.requests += n;
            }
            // Deleted between the listing and this call: nothing to record
            // (EC2's `*.NotFound`, ELB's `LoadBalancerNotFound`...).
            Err(e)
                if e.code().ends_with("NotFound")
                    || e.code() == "ResourceNotFoundException"
                    || e.code().starts_with("InvalidPrefixListID") => {}
            Err(error) => {
                self.failure = Some(Failure {
                    region: self.region.clone(),
                    operation: self.sub.operation,
                    key: self.sub.key,
                    error,
                })
            }
        }
    }

    /// The file, or the failure, into `out`.
    pub(super) fn finish(self, out: &mut TaskOut) {
        match self.failure {
            Some(f) => out.failures.push(f),
            None => out.files.push(FileOut {
                file: self.sub.file,
                key: self.sub.key,
                operation: self.sub.operation,
                items: self.items,
                requests: self.requests,
            }),
        }
    }
}

/// The listing call of a [`Call`] with per-resource calls after it: its
/// file into `out`, or its failure (then nothing else is asked).
pub(super) fn listed<T>(
    out: &mut TaskOut,
    call: Call,
    got: Result<(Vec<T>, usize), CallError>,
    convert: impl Fn(&T) -> Value,
) -> Option<Vec<T>> {
    match got {
        Ok((items, requests)) => {
            out.files.push(FileOut {
                file: call.file(),
                key: call.key(),
                operation: call.operation(),
                items: items.iter().map(convert).collect(),
                requests,
            });
            Some(items)
        }
        Err(error) => {
            out.failures.push(Failure {
                region: out.region.clone(),
                operation: call.operation(),
                key: call.key(),
                error,
            });
            None
        }
    }
}

/// DescribeManagedPrefixLists (metadata of AWS- and customer-managed lists),
/// then GetManagedPrefixListEntries for each list, written in the
/// self-contained `Cidrs` shape.
pub(super) async fn managed_prefix_lists(
    client: &Client,
    sem: &Semaphore,
    region: &str,
) -> TaskOut {
    let mut out = TaskOut::new(region);
    let got = paged!(
        sem,
        client.describe_managed_prefix_lists(),
        prefix_lists,
        Clone::clone
    );
    let Some(lists) = listed(
        &mut out,
        Call::ManagedPrefixLists,
        got,
        convert::managed_prefix_list,
    ) else {
        return out;
    };
    let mut entries = SubResults::new(ENTRIES, region);
    // AWS-managed lists too: describe-prefix-lists gives their Cidrs on EC2,
    // but not every endpoint does (moto), and the entries are the same.
    for list in &lists {
        let Some(id) = list.prefix_list_id() else {
            continue;
        };
        if !entries.ok() {
            break;
        }
        let got: Result<(Vec<aws_sdk_ec2::types::PrefixListEntry>, usize), CallError> = paged!(
            sem,
            client.get_managed_prefix_list_entries().prefix_list_id(id),
            entries,
            Clone::clone
        );
        entries.add(got.map(|(e, n)| (convert::prefix_list_entries(list, &e), n)));
    }
    entries.finish(&mut out);
    out
}

/// DescribeVpcBlockPublicAccessExclusions, every page (the SDK has no
/// paginator for it).
pub(super) async fn bpa_exclusions(
    client: &Client,
    sem: &Semaphore,
) -> Result<(Vec<Value>, usize), CallError> {
    let _permit = sem.acquire().await.expect("the semaphore is never closed");
    let (mut items, mut requests) = (Vec::new(), 0usize);
    let mut tokens = PageTokens::default();
    let mut next: Option<String> = None;
    loop {
        let page = client
            .describe_vpc_block_public_access_exclusions()
            .set_next_token(next.take())
            .send()
            .await
            .map_err(CallError::from_sdk)?;
        requests += 1;
        tokens
            .next(page.next_token())
            .map_err(|e| CallError::incomplete(&e))?;
        items.extend(
            page.vpc_block_public_access_exclusions()
                .iter()
                .map(convert::bpa_exclusion),
        );
        match page.next_token() {
            Some(t) if !t.is_empty() => next = Some(t.to_string()),
            _ => return Ok((items, requests)),
        }
    }
}
