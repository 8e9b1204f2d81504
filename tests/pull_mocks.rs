//! `pull` through the SDK's own response mocks (aws-smithy-mocks): what moto
//! cannot show. Pagination (several pages per call, following NextToken),
//! the exact `UnauthorizedOperation` code real EC2 returns, and what
//! `--allow-partial` writes. The real SDK client, paginators and
//! deserialized types run; only the HTTP exchange is replaced.
#![cfg(feature = "aws")]

use std::path::Path;

use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_sdk_ec2::error::ErrorMetadata;
use aws_sdk_ec2::operation;
use aws_sdk_ec2::types as t;
use aws_sdk_ec2::Client;
use aws_sdk_elasticloadbalancing as elb;
use aws_sdk_elasticloadbalancingv2 as elbv2;
use aws_sdk_networkfirewall as nfw;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use serde_json::Value;
use vpcreach::snapshot::pull::{pull_with_clients, PullError, PullOptions, RegionClients};

/// EC2, elbv2 and classic ELB clients answered by the same rules (a rule
/// only matches its own operation's input).
fn client(rules: &[&Rule]) -> RegionClients {
    let interceptor = || {
        let mut i = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            i = i.with_rule(rule);
        }
        i
    };
    let creds = SharedCredentialsProvider::new(Credentials::new(
        "AKIDEXAMPLE",
        "secret",
        None,
        None,
        "test",
    ));
    let region = Region::new("us-east-1");
    RegionClients {
        ec2: Client::from_conf(
            aws_sdk_ec2::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(region.clone())
                .credentials_provider(creds.clone())
                .http_client(create_mock_http_client())
                .interceptor(interceptor())
                .build(),
        ),
        elbv2: elbv2::Client::from_conf(
            elbv2::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(region.clone())
                .credentials_provider(creds.clone())
                .http_client(create_mock_http_client())
                .interceptor(interceptor())
                .build(),
        ),
        elb: elb::Client::from_conf(
            elb::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(region.clone())
                .credentials_provider(creds.clone())
                .http_client(create_mock_http_client())
                .interceptor(interceptor())
                .build(),
        ),
        network_firewall: nfw::Client::from_conf(
            nfw::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(region)
                .credentials_provider(creds)
                .http_client(create_mock_http_client())
                .interceptor(interceptor())
                .build(),
        ),
    }
}

/// Paged output: `pages[i]` is answered to the request whose NextToken is
/// `p{i}` (none for the first), with `p{i+1}` as the next token but on the
/// last page.
fn page_of(token: Option<&str>, pages: usize) -> (usize, Option<String>) {
    let i = token.map_or(0, |t| t[1..].parse::<usize>().unwrap());
    let next = (i + 1 < pages).then(|| format!("p{}", i + 1));
    (i, next)
}

fn vpc(n: usize) -> t::Vpc {
    t::Vpc::builder()
        .vpc_id(format!("vpc-{n:017x}"))
        .cidr_block(format!("10.{n}.0.0/16"))
        .state(t::VpcState::Available)
        .owner_id("111122223333")
        .build()
}

/// Empty answers for every call the test does not care about.
fn empty_rules() -> Vec<Rule> {
    vec![
        mock!(Client::describe_subnets)
            .then_output(|| operation::describe_subnets::DescribeSubnetsOutput::builder().build()),
        mock!(Client::describe_route_tables).then_output(|| {
            operation::describe_route_tables::DescribeRouteTablesOutput::builder().build()
        }),
        mock!(Client::describe_network_acls).then_output(|| {
            operation::describe_network_acls::DescribeNetworkAclsOutput::builder().build()
        }),
        mock!(Client::describe_security_groups).then_output(|| {
            operation::describe_security_groups::DescribeSecurityGroupsOutput::builder().build()
        }),
        mock!(Client::describe_internet_gateways).then_output(|| {
            operation::describe_internet_gateways::DescribeInternetGatewaysOutput::builder().build()
        }),
        mock!(Client::describe_egress_only_internet_gateways).then_output(|| {
            operation::describe_egress_only_internet_gateways::DescribeEgressOnlyInternetGatewaysOutput::builder().build()
        }),
        mock!(Client::describe_nat_gateways).then_output(|| {
            operation::describe_nat_gateways::DescribeNatGatewaysOutput::builder().build()
        }),
        mock!(Client::describe_network_interfaces).then_output(|| {
            operation::describe_network_interfaces::DescribeNetworkInterfacesOutput::builder()
                .build()
        }),
        mock!(Client::describe_instances).then_output(|| {
            operation::describe_instances::DescribeInstancesOutput::builder().build()
        }),
        mock!(Client::describe_addresses).then_output(|| {
            operation::describe_addresses::DescribeAddressesOutput::builder().build()
        }),
        mock!(Client::describe_vpc_peering_connections).then_output(|| {
            operation::describe_vpc_peering_connections::DescribeVpcPeeringConnectionsOutput::builder()
                .build()
        }),
        mock!(Client::describe_prefix_lists).then_output(|| {
            operation::describe_prefix_lists::DescribePrefixListsOutput::builder().build()
        }),
        mock!(Client::describe_transit_gateways).then_output(|| {
            operation::describe_transit_gateways::DescribeTransitGatewaysOutput::builder().build()
        }),
        mock!(Client::describe_transit_gateway_attachments).then_output(|| {
            operation::describe_transit_gateway_attachments::DescribeTransitGatewayAttachmentsOutput::builder().build()
        }),
        mock!(Client::describe_transit_gateway_vpc_attachments).then_output(|| {
            operation::describe_transit_gateway_vpc_attachments::DescribeTransitGatewayVpcAttachmentsOutput::builder().build()
        }),
        mock!(Client::describe_transit_gateway_peering_attachments).then_output(|| {
            operation::describe_transit_gateway_peering_attachments::DescribeTransitGatewayPeeringAttachmentsOutput::builder().build()
        }),
        mock!(Client::describe_vpn_gateways).then_output(|| {
            operation::describe_vpn_gateways::DescribeVpnGatewaysOutput::builder().build()
        }),
        mock!(Client::describe_vpn_connections).then_output(|| {
            operation::describe_vpn_connections::DescribeVpnConnectionsOutput::builder().build()
        }),
        mock!(Client::describe_vpc_endpoints).then_output(|| {
            operation::describe_vpc_endpoints::DescribeVpcEndpointsOutput::builder().build()
        }),
        mock!(Client::describe_security_group_rules).then_output(|| {
            operation::describe_security_group_rules::DescribeSecurityGroupRulesOutput::builder()
                .build()
        }),
        // The AWS-managed list's entries (pull asks for every managed list).
        mock!(Client::get_managed_prefix_list_entries)
            .match_requests(|input| input.prefix_list_id() == Some("pl-0aws00000000000001"))
            .then_output(|| {
                operation::get_managed_prefix_list_entries::GetManagedPrefixListEntriesOutput::builder()
                    .entries(t::PrefixListEntry::builder().cidr("52.216.0.0/15").build())
                    .build()
            }),
    ]
    .into_iter()
    .chain(tgw_rules())
    .chain(elb_empty_rules())
    .chain(security_edge_empty_rules())
    .collect()
}

/// No Network Firewall resources; VPC Block Public Access off, no exclusions.
fn security_edge_empty_rules() -> Vec<Rule> {
    vec![
        mock!(Client::describe_vpc_block_public_access_options).then_output(|| {
            operation::describe_vpc_block_public_access_options::DescribeVpcBlockPublicAccessOptionsOutput::builder()
                .vpc_block_public_access_options(
                    t::VpcBlockPublicAccessOptions::builder()
                        .aws_account_id("111122223333")
                        .aws_region("us-east-1")
                        .state(t::VpcBlockPublicAccessState::DefaultState)
                        .internet_gateway_block_mode(t::InternetGatewayBlockMode::Off)
                        .build(),
                )
                .build()
        }),
        mock!(Client::describe_vpc_block_public_access_exclusions).then_output(|| {
            operation::describe_vpc_block_public_access_exclusions::DescribeVpcBlockPublicAccessExclusionsOutput::builder().build()
        }),
        mock!(nfw::Client::list_firewalls).then_output(|| {
            nfw::operation::list_firewalls::ListFirewallsOutput::builder().build()
        }),
        mock!(nfw::Client::list_firewall_policies).then_output(|| {
            nfw::operation::list_firewall_policies::ListFirewallPoliciesOutput::builder().build()
        }),
        mock!(nfw::Client::list_rule_groups).then_output(|| {
            nfw::operation::list_rule_groups::ListRuleGroupsOutput::builder().build()
        }),
    ]
}

/// No load balancers, target groups or classic load balancers.
fn elb_empty_rules() -> Vec<Rule> {
    vec![
        mock!(elbv2::Client::describe_load_balancers).then_output(|| {
            elbv2::operation::describe_load_balancers::DescribeLoadBalancersOutput::builder()
                .build()
        }),
        mock!(elbv2::Client::describe_target_groups).then_output(|| {
            elbv2::operation::describe_target_groups::DescribeTargetGroupsOutput::builder().build()
        }),
        mock!(elb::Client::describe_load_balancers).then_output(|| {
            elb::operation::describe_load_balancers::DescribeLoadBalancersOutput::builder().build()
        }),
    ]
}

/// One TGW route table whose routes come in two pages of
/// SearchTransitGatewayRoutes and propagations in two pages.
fn tgw_rules() -> Vec<Rule> {
    vec![
        mock!(Client::describe_transit_gateway_route_tables).then_output(|| {
            operation::describe_transit_gateway_route_tables::DescribeTransitGatewayRouteTablesOutput::builder()
                .transit_gateway_route_tables(
                    t::TransitGatewayRouteTable::builder()
                        .transit_gateway_route_table_id("tgw-rtb-0c0ffee0000000001")
                        .transit_gateway_id("tgw-0c0ffee0000000001")
                        .state(t::TransitGatewayRouteTableState::Available)
                        .build(),
                )
                .build()
        }),
        mock!(Client::search_transit_gateway_routes).then_compute_output(|input| {
            let (i, next) = page_of(input.next_token(), 2);
            operation::search_transit_gateway_routes::SearchTransitGatewayRoutesOutput::builder()
                .routes(
                    t::TransitGatewayRoute::builder()
                        .destination_cidr_block(format!("10.{i}.0.0/16"))
                        .transit_gateway_attachments(
                            t::TransitGatewayRouteAttachment::builder()
                                .transit_gateway_attachment_id(format!("tgw-attach-0{i}"))
                                .resource_type(t::TransitGatewayAttachmentResourceType::Vpc)
                                .build(),
                        )
                        .r#type(t::TransitGatewayRouteType::Static)
                        .state(t::TransitGatewayRouteState::Active)
                        .build(),
                )
                .additional_routes_available(false)
                .set_next_token(next)
                .build()
        }),
        mock!(Client::get_transit_gateway_route_table_propagations).then_compute_output(
            |input| {
                let (i, next) = page_of(input.next_token(), 2);
                operation::get_transit_gateway_route_table_propagations::GetTransitGatewayRouteTablePropagationsOutput::builder()
                    .transit_gateway_route_table_propagations(
                        t::TransitGatewayRouteTablePropagation::builder()
                            .transit_gateway_attachment_id(format!("tgw-attach-0{i}"))
                            .state(t::TransitGatewayPropagationState::Enabled)
                            .build(),
                    )
                    .set_next_token(next)
                    .build()
            },
        ),
    ]
}

/// Three pages of VPCs, two pages of managed prefix lists, and for the
/// customer-managed list three pages of entries.
fn paged_rules() -> Vec<Rule> {
    vec![
        mock!(Client::describe_vpcs).then_compute_output(|input| {
            let (i, next) = page_of(input.next_token(), 3);
            let ids = [vec![0, 1], vec![2, 3], vec![4]];
            operation::describe_vpcs::DescribeVpcsOutput::builder()
                .set_vpcs(Some(ids[i].iter().map(|&n| vpc(n)).collect()))
                .set_next_token(next)
                .build()
        }),
        mock!(Client::describe_managed_prefix_lists).then_compute_output(|input| {
            let (i, next) = page_of(input.next_token(), 2);
            let list = if i == 0 {
                t::ManagedPrefixList::builder()
                    .prefix_list_id("pl-0aws00000000000001")
                    .prefix_list_name("com.amazonaws.us-east-1.s3")
                    .owner_id("AWS")
                    .address_family("IPv4")
                    .build()
            } else {
                t::ManagedPrefixList::builder()
                    .prefix_list_id("pl-0c0ffee0000000001")
                    .prefix_list_name("office")
                    .owner_id("111122223333")
                    .address_family("IPv4")
                    .max_entries(20)
                    .build()
            };
            operation::describe_managed_prefix_lists::DescribeManagedPrefixListsOutput::builder()
                .prefix_lists(list)
                .set_next_token(next)
                .build()
        }),
        mock!(Client::get_managed_prefix_list_entries)
            .match_requests(|input| input.prefix_list_id() == Some("pl-0c0ffee0000000001"))
            .then_compute_output(|input| {
                let (i, next) = page_of(input.next_token(), 3);
                operation::get_managed_prefix_list_entries::GetManagedPrefixListEntriesOutput::builder()
                    .entries(
                        t::PrefixListEntry::builder()
                            .cidr(format!("192.0.2.{}/32", i + 1))
                            .build(),
                    )
                    .set_next_token(next)
                    .build()
            }),
    ]
}

fn opts(output: &Path) -> PullOptions {
    PullOptions::new(output)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn every_page_is_read_and_written() {
    let rules: Vec<Rule> = paged_rules().into_iter().chain(empty_rules()).collect();
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let summary = pull_with_clients(vec![("us-east-1".into(), client(&refs))], None, &opts(&out))
        .await
        .unwrap();

    // Every page: 5 VPCs over 3 pages, 2 lists over 2 pages, 3 entries over 3.
    assert_eq!(rules[0].num_calls(), 3);
    assert_eq!(rules[1].num_calls(), 2);
    assert_eq!(rules[2].num_calls(), 3, "3 pages of the office list");
    // TGW routes and propagations: every page, wrapped with the table id.
    let tgw = |file: &str| read_json(&out.join("us-east-1").join(file));
    let routes: Vec<Value> = (0..2)
        .map(|i| {
            serde_json::json!({
                "DestinationCidrBlock": format!("10.{i}.0.0/16"),
                "TransitGatewayAttachments": [{
                    "TransitGatewayAttachmentId": format!("tgw-attach-0{i}"),
                    "ResourceType": "vpc",
                }],
                "Type": "static",
                "State": "active",
            })
        })
        .collect();
    assert_eq!(
        tgw("transit-gateway-route-table-routes.json"),
        serde_json::json!({"TransitGatewayRouteTableRoutes": [{
            "TransitGatewayRouteTableId": "tgw-rtb-0c0ffee0000000001",
            "Routes": routes,
            "AdditionalRoutesAvailable": false,
        }]})
    );
    let props = tgw("transit-gateway-propagations.json");
    assert_eq!(
        props["TransitGatewayPropagations"][0]["TransitGatewayRouteTablePropagations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let vpcs = read_json(&out.join("us-east-1/vpcs.json"));
    let ids: Vec<&str> = vpcs["Vpcs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["VpcId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(ids[4], "vpc-00000000000000004");
    let entries = read_json(&out.join("us-east-1/managed-prefix-list-entries.json"));
    assert_eq!(
        entries,
        serde_json::json!({"PrefixLists": [{
            "PrefixListId": "pl-0aws00000000000001",
            "PrefixListName": "com.amazonaws.us-east-1.s3",
            "Cidrs": ["52.216.0.0/15"],
        }, {
            "PrefixListId": "pl-0c0ffee0000000001",
            "PrefixListName": "office",
            "Cidrs": ["192.0.2.1/32", "192.0.2.2/32", "192.0.2.3/32"],
        }]})
    );
    let lists = read_json(&out.join("us-east-1/managed-prefix-lists.json"));
    assert_eq!(lists["PrefixLists"].as_array().unwrap().len(), 2);

    // Requests and resources recorded per call.
    let meta = read_json(&out.join("vpcreach-snapshot.json"))["VpcreachSnapshot"].clone();
    let call = |op: &str| {
        meta["Calls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["Operation"] == op)
            .unwrap()
            .clone()
    };
    assert_eq!(call("DescribeVpcs")["Requests"], 3);
    assert_eq!(call("DescribeVpcs")["Resources"], 5);
    assert_eq!(
        call("GetManagedPrefixListEntries")["Requests"],
        4,
        "1 + 3 pages"
    );
    assert_eq!(call("SearchTransitGatewayRoutes")["Requests"], 2);
    assert_eq!(call("SearchTransitGatewayRoutes")["Resources"], 2);
    assert_eq!(
        call("GetTransitGatewayRouteTablePropagations")["Resources"],
        2
    );
    assert_eq!(
        meta["Account"], "111122223333",
        "without STS the account is the VPCs' OwnerId"
    );
    assert_eq!(
        call("GetManagedPrefixListEntries")["Resources"],
        4,
        "entries, not lists"
    );
    assert_eq!(summary.resources()["Vpcs"], 5);
    assert_eq!(summary.resources()["ManagedPrefixListEntries"], 4);
    assert_eq!(summary.resources()["TransitGatewayRoutes"], 2);
    assert_eq!(summary.resources()["ManagedPrefixLists"], 2);

    // And the loader reads the merged prefix list (metadata + entries).
    let snap = vpcreach::snapshot::load(&out).unwrap();
    assert_eq!(snap.network.vpcs.len(), 5);
    assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
    assert!(snap.metadata.is_some());
}

fn unauthorized() -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("UnauthorizedOperation")
        .message("You are not authorized to perform this operation. User: arn:aws:iam::111122223333:user/audit is not authorized to perform: ec2:DescribeNetworkAcls because no identity-based policy allows the ec2:DescribeNetworkAcls action")
        .build()
}

fn denied_rules() -> Vec<Rule> {
    let mut rules = vec![
        mock!(Client::describe_network_acls).then_error(|| {
            operation::describe_network_acls::DescribeNetworkAclsError::generic(unauthorized())
        }),
        mock!(Client::get_managed_prefix_list_entries).then_error(|| {
            operation::get_managed_prefix_list_entries::GetManagedPrefixListEntriesError::generic(
                unauthorized(),
            )
        }),
        // A per-table call: denied for the routes, allowed for propagations.
        mock!(Client::search_transit_gateway_routes).then_error(|| {
            operation::search_transit_gateway_routes::SearchTransitGatewayRoutesError::generic(
                unauthorized(),
            )
        }),
    ];
    // VPCs and list metadata answer; the entries are denied above.
    rules.extend(paged_rules().into_iter().take(2));
    rules.extend(
        empty_rules()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, r)| r),
    );
    rules
}

#[tokio::test]
async fn unauthorized_operation_names_every_missing_action() {
    let rules = denied_rules();
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("vpcreach-snapshot.json"), "{}").unwrap();
    let err = pull_with_clients(
        vec![("us-east-1".into(), client(&refs))],
        Some("111122223333".into()),
        &opts(&out),
    )
    .await
    .unwrap_err();
    let PullError::Unauthorized { denied } = &err else {
        panic!("expected Unauthorized, got {err:?}");
    };
    let mut actions: Vec<&str> = denied.iter().map(|m| m.action.as_str()).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "ec2:DescribeNetworkAcls",
            "ec2:GetManagedPrefixListEntries",
            "ec2:SearchTransitGatewayRoutes"
        ]
    );
    let text = err.to_string();
    assert!(
        text.contains("ec2:DescribeNetworkAcls in us-east-1 (UnauthorizedOperation)"),
        "{text}"
    );
    // The earlier snapshot is untouched, and nothing is left beside it.
    assert_eq!(
        std::fs::read_to_string(out.join("vpcreach-snapshot.json")).unwrap(),
        "{}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn allow_partial_writes_the_rest_and_records_what_is_missing() {
    let rules = denied_rules();
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let mut o = opts(&out);
    o.allow_partial = true;
    let summary = pull_with_clients(
        vec![("us-east-1".into(), client(&refs))],
        Some("111122223333".into()),
        &o,
    )
    .await
    .unwrap();
    assert_eq!(summary.missing.len(), 3);
    assert!(summary.render().contains("incomplete (--allow-partial)"));
    assert!(!out.join("us-east-1/network-acls.json").exists());
    assert!(!out
        .join("us-east-1/managed-prefix-list-entries.json")
        .exists());
    assert!(out.join("us-east-1/managed-prefix-lists.json").exists());
    assert!(!out
        .join("us-east-1/transit-gateway-route-table-routes.json")
        .exists());
    assert!(out
        .join("us-east-1/transit-gateway-propagations.json")
        .exists());
    let meta = read_json(&out.join("vpcreach-snapshot.json"))["VpcreachSnapshot"].clone();
    assert_eq!(meta["Complete"], false);
    let missing: Vec<(&str, &str, &str)> = meta["Missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["Action"].as_str().unwrap(),
                m["Key"].as_str().unwrap(),
                m["ErrorCode"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        missing,
        [
            (
                "ec2:DescribeNetworkAcls",
                "NetworkAcls",
                "UnauthorizedOperation"
            ),
            (
                "ec2:GetManagedPrefixListEntries",
                "PrefixLists",
                "UnauthorizedOperation"
            ),
            (
                "ec2:SearchTransitGatewayRoutes",
                "TransitGatewayRouteTableRoutes",
                "UnauthorizedOperation"
            ),
        ]
    );
    let snap = vpcreach::snapshot::load(&out).unwrap();
    let warnings: Vec<String> = snap.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("ec2:DescribeNetworkAcls")
                && w.contains("NetworkAcls there are unknown")),
        "{warnings:?}"
    );
}

#[tokio::test]
async fn a_disabled_region_is_named_and_skippable() {
    let opt_in = || {
        ErrorMetadata::builder()
            .code("OptInRequired")
            .message("You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe.")
            .build()
    };
    let mut rules = vec![mock!(Client::describe_vpcs)
        .then_error(move || operation::describe_vpcs::DescribeVpcsError::generic(opt_in()))];
    rules.extend(paged_rules().into_iter().skip(1));
    rules.extend(empty_rules());
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let err = pull_with_clients(
        vec![("ap-east-1".into(), client(&refs))],
        Some("111122223333".into()),
        &opts(&out),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, PullError::RegionDisabled { region, .. } if region == "ap-east-1"),
        "{err:?}"
    );
    assert!(err.to_string().contains("region ap-east-1 is not enabled"));
    assert!(!out.exists());

    // --allow-partial: skipped and recorded.
    let mut o = opts(&out);
    o.allow_partial = true;
    let summary = pull_with_clients(vec![("ap-east-1".into(), client(&refs))], None, &o)
        .await
        .unwrap();
    assert_eq!(summary.missing.len(), 1);
    assert_eq!(summary.missing[0].error_code, "OptInRequired");
    assert_eq!(summary.missing[0].region, "ap-east-1");
}

fn lb_arn(n: usize) -> String {
    format!("arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web-{n}/50dc6c495c0c918{n}")
}

fn tg_arn(n: usize) -> String {
    format!(
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/tg-{n}/73e2d6bc24d8a06{n}"
    )
}

/// elbv2: two pages of load balancers, two of listeners for each, two
/// pages of target groups (health and attributes for each); classic: two
/// pages. Markers are `p1`.. as in [`page_of`].
fn elb_paged_rules() -> Vec<Rule> {
    use elbv2::types as et;
    vec![
        mock!(elbv2::Client::describe_load_balancers).then_compute_output(|input| {
            let (i, next) = page_of(input.marker(), 2);
            elbv2::operation::describe_load_balancers::DescribeLoadBalancersOutput::builder()
                .load_balancers(
                    et::LoadBalancer::builder()
                        .load_balancer_arn(lb_arn(i))
                        .load_balancer_name(format!("web-{i}"))
                        .dns_name(format!("web-{i}-1.us-east-1.elb.amazonaws.com"))
                        .created_time(aws_sdk_ec2::primitives::DateTime::from_secs(1_700_000_000))
                        .scheme(et::LoadBalancerSchemeEnum::InternetFacing)
                        .vpc_id("vpc-00000000000000000")
                        .state(
                            et::LoadBalancerState::builder()
                                .code(et::LoadBalancerStateEnum::Active)
                                .build(),
                        )
                        .r#type(et::LoadBalancerTypeEnum::Application)
                        .availability_zones(
                            et::AvailabilityZone::builder()
                                .zone_name("us-east-1a")
                                .subnet_id("subnet-0000000000000000a")
                                .build(),
                        )
                        .security_groups("sg-0000000000000000a")
                        .build(),
                )
                .set_next_marker(next)
                .build()
        }),
        mock!(elbv2::Client::describe_listeners).then_compute_output(|input| {
            let (i, next) = page_of(input.marker(), 2);
            let lb = input.load_balancer_arn().unwrap_or_default().to_string();
            elbv2::operation::describe_listeners::DescribeListenersOutput::builder()
                .listeners(
                    et::Listener::builder()
                        .listener_arn(format!("{lb}/listener-{i}"))
                        .load_balancer_arn(lb)
                        .port(80 + i as i32)
                        .protocol(et::ProtocolEnum::Http)
                        .default_actions(
                            et::Action::builder()
                                .r#type(et::ActionTypeEnum::Forward)
                                .target_group_arn(tg_arn(0))
                                .build(),
                        )
                        .build(),
                )
                .set_next_marker(next)
                .build()
        }),
        mock!(elbv2::Client::describe_load_balancer_attributes).then_output(|| {
            elbv2::operation::describe_load_balancer_attributes::DescribeLoadBalancerAttributesOutput::builder()
                .attributes(
                    et::LoadBalancerAttribute::builder()
                        .key("deletion_protection.enabled")
                        .value("false")
                        .build(),
                )
                .build()
        }),
        mock!(elbv2::Client::describe_target_groups).then_compute_output(|input| {
            let (i, next) = page_of(input.marker(), 2);
            elbv2::operation::describe_target_groups::DescribeTargetGroupsOutput::builder()
                .target_groups(
                    et::TargetGroup::builder()
                        .target_group_arn(tg_arn(i))
                        .target_group_name(format!("tg-{i}"))
                        .protocol(et::ProtocolEnum::Http)
                        .port(8080)
                        .vpc_id("vpc-00000000000000000")
                        .target_type(et::TargetTypeEnum::Instance)
                        .load_balancer_arns(lb_arn(i))
                        .build(),
                )
                .set_next_marker(next)
                .build()
        }),
        mock!(elbv2::Client::describe_target_health).then_output(|| {
            elbv2::operation::describe_target_health::DescribeTargetHealthOutput::builder()
                .target_health_descriptions(
                    et::TargetHealthDescription::builder()
                        .target(et::TargetDescription::builder().id("i-0000000000000000a").port(8080).build())
                        .health_check_port("8080")
                        .target_health(
                            et::TargetHealth::builder()
                                .state(et::TargetHealthStateEnum::Healthy)
                                .build(),
                        )
                        .build(),
                )
                .build()
        }),
        mock!(elbv2::Client::describe_target_group_attributes).then_output(|| {
            elbv2::operation::describe_target_group_attributes::DescribeTargetGroupAttributesOutput::builder()
                .attributes(
                    et::TargetGroupAttribute::builder()
                        .key("preserve_client_ip.enabled")
                        .value("false")
                        .build(),
                )
                .build()
        }),
        mock!(elb::Client::describe_load_balancers).then_compute_output(|input| {
            let (i, next) = page_of(input.marker(), 2);
            elb::operation::describe_load_balancers::DescribeLoadBalancersOutput::builder()
                .load_balancer_descriptions(
                    elb::types::LoadBalancerDescription::builder()
                        .load_balancer_name(format!("clb-{i}"))
                        .listener_descriptions(
                            elb::types::ListenerDescription::builder()
                                .listener(
                                    elb::types::Listener::builder()
                                        .protocol("HTTP")
                                        .load_balancer_port(80)
                                        .instance_protocol("HTTP")
                                        .instance_port(8081)
                                        .build()
                                        .unwrap(),
                                )
                                .build(),
                        )
                        .subnets("subnet-0000000000000000a")
                        .availability_zones("us-east-1a")
                        .vpc_id("vpc-00000000000000000")
                        .scheme("internet-facing")
                        .build(),
                )
                .set_next_marker(next)
                .build()
        }),
    ]
}

#[tokio::test]
async fn every_page_of_load_balancers_and_target_groups_is_read_and_wrapped() {
    let rules: Vec<Rule> = elb_paged_rules()
        .into_iter()
        .chain(paged_rules())
        .chain(empty_rules())
        .collect();
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let summary = pull_with_clients(vec![("us-east-1".into(), client(&refs))], None, &opts(&out))
        .await
        .unwrap();
    // Requests: 2 pages of LBs, 2 of listeners per LB, one attribute call
    // per LB, 2 pages of groups, health and attributes per group, 2 classic.
    let calls: Vec<usize> = rules[..7].iter().map(Rule::num_calls).collect();
    assert_eq!(calls, [2, 4, 2, 2, 2, 2, 2]);

    let file = |name: &str| read_json(&out.join("us-east-1").join(name));
    let lbs = file("elbv2-load-balancers.json");
    let arns: Vec<&str> = lbs["LoadBalancers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["LoadBalancerArn"].as_str().unwrap())
        .collect();
    assert_eq!(arns, [lb_arn(0), lb_arn(1)]);
    assert_eq!(
        lbs["LoadBalancers"][0],
        serde_json::json!({
            "LoadBalancerArn": lb_arn(0),
            "DNSName": "web-0-1.us-east-1.elb.amazonaws.com",
            "CreatedTime": "2023-11-14T22:13:20+00:00",
            "LoadBalancerName": "web-0",
            "Scheme": "internet-facing",
            "VpcId": "vpc-00000000000000000",
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-0000000000000000a"}],
            "SecurityGroups": ["sg-0000000000000000a"],
        })
    );
    // describe-listeners per load balancer, every page, in Batfish's wrapper.
    let listeners = file("elbv2-load-balancer-listeners.json");
    let wrapped = listeners["LoadBalancerListeners"].as_array().unwrap();
    assert_eq!(wrapped.len(), 2);
    for (n, w) in wrapped.iter().enumerate() {
        assert_eq!(w["LoadBalancerArn"], lb_arn(n).as_str());
        let ports: Vec<i64> = w["Listeners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["Port"].as_i64().unwrap())
            .collect();
        assert_eq!(ports, [80, 81]);
    }
    assert_eq!(
        wrapped[0]["Listeners"][0]["DefaultActions"],
        serde_json::json!([{"Type": "forward", "TargetGroupArn": tg_arn(0)}])
    );
    let groups = file("elbv2-target-groups.json");
    assert_eq!(groups["TargetGroups"].as_array().unwrap().len(), 2);
    assert_eq!(
        groups["TargetGroups"][1]["TargetGroupArn"],
        tg_arn(1).as_str()
    );
    let health = file("elbv2-target-health.json");
    assert_eq!(
        health["LoadBalancerTargetHealth"][1],
        serde_json::json!({
            "TargetGroupArn": tg_arn(1),
            "TargetHealthDescriptions": [{
                "Target": {"Id": "i-0000000000000000a", "Port": 8080},
                "HealthCheckPort": "8080",
                "TargetHealth": {"State": "healthy"},
            }],
        })
    );
    assert_eq!(
        file("elbv2-load-balancer-attributes.json")["LoadBalancerAttributes"][1],
        serde_json::json!({
            "LoadBalancerArn": lb_arn(1),
            "Attributes": [{"Key": "deletion_protection.enabled", "Value": "false"}],
        })
    );
    assert_eq!(
        file("elbv2-target-group-attributes.json")["TargetGroupAttributes"][0]["TargetGroupArn"],
        tg_arn(0).as_str()
    );
    let classic = file("elb-load-balancers.json");
    let names: Vec<&str> = classic["LoadBalancerDescriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["LoadBalancerName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clb-0", "clb-1"]);
    assert_eq!(
        classic["LoadBalancerDescriptions"][0]["ListenerDescriptions"][0]["Listener"],
        serde_json::json!({"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 8081})
    );

    // Requests and resources per call, IAM actions in the metadata.
    let meta = read_json(&out.join("vpcreach-snapshot.json"))["VpcreachSnapshot"].clone();
    let call = |file: &str| {
        meta["Calls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["File"] == format!("us-east-1/{file}"))
            .unwrap()
            .clone()
    };
    let c = call("elbv2-load-balancer-listeners.json");
    assert_eq!(
        (
            c["Action"].as_str(),
            c["Requests"].as_i64(),
            c["Resources"].as_i64()
        ),
        (
            Some("elasticloadbalancing:DescribeListeners"),
            Some(4),
            Some(4)
        )
    );
    let c = call("elb-load-balancers.json");
    assert_eq!(
        (
            c["Action"].as_str(),
            c["Requests"].as_i64(),
            c["Resources"].as_i64()
        ),
        (
            Some("elasticloadbalancing:DescribeLoadBalancers"),
            Some(2),
            Some(2)
        )
    );
    assert_eq!(call("elbv2-target-groups.json")["Requests"], 2);
    assert_eq!(call("elbv2-target-health.json")["Resources"], 2);
    let r = summary.resources();
    assert_eq!((r["LoadBalancers"], r["ClassicLoadBalancers"]), (2, 2));
    assert_eq!(
        (r["Listeners"], r["TargetGroups"], r["TargetHealth"]),
        (4, 2, 2)
    );

    // The loader reads every file: both ALBs with both listeners, the classic ones.
    let snap = vpcreach::snapshot::load(&out).unwrap();
    let lbs = &snap.network.load_balancers;
    assert_eq!(lbs.len(), 4, "{:?}", lbs.keys().collect::<Vec<_>>());
    assert_eq!(lbs[&lb_arn(1)].listeners.len(), 2);
}

fn access_denied(action: &str) -> ErrorMetadata {
    ErrorMetadata::builder()
        .code("AccessDenied")
        .message(format!("User: arn:aws:iam::111122223333:user/audit is not authorized to perform: {action} because no identity-based policy allows the {action} action"))
        .build()
}

#[tokio::test]
async fn access_denied_on_elbv2_names_the_elasticloadbalancing_action() {
    let mut rules = vec![mock!(elbv2::Client::describe_target_groups).then_error(|| {
        elbv2::operation::describe_target_groups::DescribeTargetGroupsError::generic(access_denied(
            "elasticloadbalancing:DescribeTargetGroups",
        ))
    })];
    rules.extend(elb_paged_rules());
    rules.extend(paged_rules());
    rules.extend(empty_rules());
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let err = pull_with_clients(
        vec![("us-east-1".into(), client(&refs))],
        Some("111122223333".into()),
        &opts(&out),
    )
    .await
    .unwrap_err();
    let PullError::Unauthorized { denied } = &err else {
        panic!("expected Unauthorized, got {err:?}");
    };
    let actions: Vec<&str> = denied.iter().map(|m| m.action.as_str()).collect();
    assert_eq!(actions, ["elasticloadbalancing:DescribeTargetGroups"]);
    assert!(
        err.to_string()
            .contains("elasticloadbalancing:DescribeTargetGroups in us-east-1 (AccessDenied)"),
        "{err}"
    );
    assert!(!out.exists());

    // --allow-partial: the load balancers are written, the target groups
    // (and so their health and attributes, never asked) recorded as missing.
    let mut o = opts(&out);
    o.allow_partial = true;
    let summary = pull_with_clients(
        vec![("us-east-1".into(), client(&refs))],
        Some("111122223333".into()),
        &o,
    )
    .await
    .unwrap();
    assert_eq!(summary.missing.len(), 1);
    assert_eq!(summary.missing[0].key, "TargetGroups");
    assert_eq!(
        rules[5].num_calls(),
        0,
        "no DescribeTargetHealth without groups"
    );
    let region = out.join("us-east-1");
    assert!(region.join("elbv2-load-balancers.json").exists());
    assert!(region.join("elbv2-load-balancer-listeners.json").exists());
    assert!(!region.join("elbv2-target-groups.json").exists());
    assert!(!region.join("elbv2-target-health.json").exists());
    let snap = vpcreach::snapshot::load(&out).unwrap();
    let warnings: Vec<String> = snap.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("elasticloadbalancing:DescribeTargetGroups")
                && w.contains("TargetGroups there are unknown")),
        "{warnings:?}"
    );
}

const FW_ARN: &str = "arn:aws:network-firewall:us-east-1:111122223333:firewall/edge-fw";
const POLICY_ARN: &str =
    "arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/edge-policy";
const GROUP_ARN: &str =
    "arn:aws:network-firewall:us-east-1:111122223333:stateful-rulegroup/edge-5tuple";
/// An AWS-managed group: referenced by the policy, never listed.
const MANAGED_ARN: &str =
    "arn:aws:network-firewall:us-east-1:aws-managed:stateful-rulegroup/ThreatSignaturesBotnetStrictOrder";

/// A firewall with one endpoint, its strict-order policy with a rule
/// variable, a 5-tuple rule group (listed) and an AWS-managed Suricata group
/// (referenced only); BPA in bidirectional mode with one exclusion.
fn security_edge_rules() -> Vec<Rule> {
    use nfw::types as n;
    let group = |arn: &str| {
        let (name, source) = if arn == GROUP_ARN {
            (
                "edge-5tuple",
                n::RulesSource::builder()
                    .stateful_rules(
                        n::StatefulRule::builder()
                            .action(n::StatefulAction::Drop)
                            .header(
                                n::Header::builder()
                                    .protocol(n::StatefulRuleProtocol::Tcp)
                                    .source("$BLOCKED")
                                    .source_port("ANY")
                                    .direction(n::StatefulRuleDirection::Forward)
                                    .destination("ANY")
                                    .destination_port("23")
                                    .build()
                                    .unwrap(),
                            )
                            .rule_options(
                                n::RuleOption::builder()
                                    .keyword("sid")
                                    .settings("1")
                                    .build()
                                    .unwrap(),
                            )
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
        } else {
            (
                "ThreatSignaturesBotnetStrictOrder",
                n::RulesSource::builder()
                    .rules_string("drop tcp any any -> any any (sid:9;)")
                    .build(),
            )
        };
        nfw::operation::describe_rule_group::DescribeRuleGroupOutput::builder()
            .update_token("t")
            .rule_group_response(
                n::RuleGroupResponse::builder()
                    .rule_group_arn(arn)
                    .rule_group_name(name)
                    .rule_group_id("id")
                    .r#type(n::RuleGroupType::Stateful)
                    .build()
                    .unwrap(),
            )
            .rule_group(
                n::RuleGroup::builder()
                    .rule_variables(
                        n::RuleVariables::builder()
                            .ip_sets(
                                "BLOCKED",
                                n::IpSet::builder()
                                    .definition("198.51.100.0/24")
                                    .build()
                                    .unwrap(),
                            )
                            .build(),
                    )
                    .rules_source(source)
                    .stateful_rule_options(
                        n::StatefulRuleOptions::builder()
                            .rule_order(n::RuleOrder::StrictOrder)
                            .build(),
                    )
                    .build(),
            )
            .build()
            .unwrap()
    };
    vec![
        mock!(Client::describe_vpc_block_public_access_options).then_output(|| {
            operation::describe_vpc_block_public_access_options::DescribeVpcBlockPublicAccessOptionsOutput::builder()
                .vpc_block_public_access_options(
                    t::VpcBlockPublicAccessOptions::builder()
                        .aws_account_id("111122223333")
                        .aws_region("us-east-1")
                        .state(t::VpcBlockPublicAccessState::UpdateComplete)
                        .internet_gateway_block_mode(t::InternetGatewayBlockMode::BlockBidirectional)
                        .exclusions_allowed(t::VpcBlockPublicAccessExclusionsAllowed::Allowed)
                        .build(),
                )
                .build()
        }),
        // Two pages, to show the hand-written paging loop follows NextToken.
        mock!(Client::describe_vpc_block_public_access_exclusions).then_compute_output(|input| {
            let (i, next) = page_of(input.next_token(), 2);
            operation::describe_vpc_block_public_access_exclusions::DescribeVpcBlockPublicAccessExclusionsOutput::builder()
                .vpc_block_public_access_exclusions(
                    t::VpcBlockPublicAccessExclusion::builder()
                        .exclusion_id(format!("vpcbpa-exclude-{i:017x}"))
                        .internet_gateway_exclusion_mode(t::InternetGatewayExclusionMode::AllowEgress)
                        .resource_arn(format!("arn:aws:ec2:us-east-1:111122223333:vpc/{}", vpc(i).vpc_id().unwrap()))
                        .state(t::VpcBlockPublicAccessExclusionState::CreateComplete)
                        .build(),
                )
                .set_next_token(next)
                .build()
        }),
        mock!(nfw::Client::list_firewalls).then_output(|| {
            nfw::operation::list_firewalls::ListFirewallsOutput::builder()
                .firewalls(
                    n::FirewallMetadata::builder()
                        .firewall_name("edge-fw")
                        .firewall_arn(FW_ARN)
                        .build(),
                )
                .build()
        }),
        mock!(nfw::Client::describe_firewall)
            .match_requests(|input| input.firewall_arn() == Some(FW_ARN))
            .then_output(|| {
                nfw::operation::describe_firewall::DescribeFirewallOutput::builder()
                    .update_token("t")
                    .firewall(
                        n::Firewall::builder()
                            .firewall_name("edge-fw")
                            .firewall_arn(FW_ARN)
                            .firewall_policy_arn(POLICY_ARN)
                            .vpc_id(vpc(0).vpc_id().unwrap())
                            .subnet_mappings(
                                n::SubnetMapping::builder()
                                    .subnet_id("subnet-0f1")
                                    .build()
                                    .unwrap(),
                            )
                            .firewall_id("fw-id")
                            .build()
                            .unwrap(),
                    )
                    .firewall_status(
                        n::FirewallStatus::builder()
                            .status(n::FirewallStatusValue::Ready)
                            .configuration_sync_state_summary(n::ConfigurationSyncState::InSync)
                            .sync_states(
                                "us-east-1a",
                                n::SyncState::builder()
                                    .attachment(
                                        n::Attachment::builder()
                                            .subnet_id("subnet-0f1")
                                            .endpoint_id("vpce-0f1e2d3c4b5a69788")
                                            .status(n::AttachmentStatus::Ready)
                                            .build(),
                                    )
                                    .build(),
                            )
                            .build()
                            .unwrap(),
                    )
                    .build()
            }),
        // Not listed (shared from another account): described because the
        // firewall names it.
        mock!(nfw::Client::list_firewall_policies).then_output(|| {
            nfw::operation::list_firewall_policies::ListFirewallPoliciesOutput::builder().build()
        }),
        mock!(nfw::Client::describe_firewall_policy)
            .match_requests(|input| input.firewall_policy_arn() == Some(POLICY_ARN))
            .then_output(|| {
                nfw::operation::describe_firewall_policy::DescribeFirewallPolicyOutput::builder()
                    .update_token("t")
                    .firewall_policy_response(
                        n::FirewallPolicyResponse::builder()
                            .firewall_policy_name("edge-policy")
                            .firewall_policy_arn(POLICY_ARN)
                            .firewall_policy_id("p-id")
                            .build()
                            .unwrap(),
                    )
                    .firewall_policy(
                        n::FirewallPolicy::builder()
                            .stateless_default_actions("aws:forward_to_sfe")
                            .stateless_fragment_default_actions("aws:drop")
                            .stateful_rule_group_references(
                                n::StatefulRuleGroupReference::builder()
                                    .resource_arn(GROUP_ARN)
                                    .priority(10)
                                    .build()
                                    .unwrap(),
                            )
                            .stateful_rule_group_references(
                                n::StatefulRuleGroupReference::builder()
                                    .resource_arn(MANAGED_ARN)
                                    .priority(20)
                                    .build()
                                    .unwrap(),
                            )
                            .stateful_default_actions("aws:drop_strict")
                            .stateful_engine_options(
                                n::StatefulEngineOptions::builder()
                                    .rule_order(n::RuleOrder::StrictOrder)
                                    .build(),
                            )
                            .policy_variables(
                                n::PolicyVariables::builder()
                                    .rule_variables(
                                        "HOME_NET",
                                        n::IpSet::builder()
                                            .definition("10.0.0.0/8")
                                            .build()
                                            .unwrap(),
                                    )
                                    .build(),
                            )
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap()
            }),
        mock!(nfw::Client::list_rule_groups).then_output(|| {
            nfw::operation::list_rule_groups::ListRuleGroupsOutput::builder()
                .rule_groups(
                    n::RuleGroupMetadata::builder()
                        .name("edge-5tuple")
                        .arn(GROUP_ARN)
                        .build(),
                )
                .build()
        }),
        mock!(nfw::Client::describe_rule_group)
            .match_requests(|input| input.rule_group_arn() == Some(GROUP_ARN))
            .then_output(move || group(GROUP_ARN)),
        mock!(nfw::Client::describe_rule_group)
            .match_requests(|input| input.rule_group_arn() == Some(MANAGED_ARN))
            .then_output(move || group(MANAGED_ARN)),
    ]
}

/// `pull` writes Network Firewall (every describe output whole, in the
/// Batfish-style lists) and VPC Block Public Access (options as one object,
/// every page of exclusions) as the loader reads them; the loaded model has
/// the firewall's endpoint, its policy and both rule groups (the AWS-managed
/// one, which ListRuleGroups never lists, because the policy references it),
/// the bidirectional mode and the exclusions.
#[tokio::test]
async fn network_firewall_and_block_public_access_are_pulled_as_the_loader_reads_them() {
    let rules: Vec<Rule> = security_edge_rules()
        .into_iter()
        .chain(paged_rules())
        .chain(empty_rules())
        .collect();
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    let summary = pull_with_clients(
        vec![("us-east-1".into(), client(&refs))],
        Some("111122223333".into()),
        &opts(&out),
    )
    .await
    .expect("pull");
    assert!(summary.missing.is_empty(), "{:?}", summary.missing);

    let region = out.join("us-east-1");
    let options = read_json(&region.join("vpc-block-public-access-options.json"));
    assert_eq!(
        options["VpcBlockPublicAccessOptions"]["InternetGatewayBlockMode"], "block-bidirectional",
        "one object, not a list: {options}"
    );
    let exclusions = read_json(&region.join("vpc-block-public-access-exclusions.json"));
    assert_eq!(
        exclusions["VpcBlockPublicAccessExclusions"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "both pages: {exclusions}"
    );
    let firewalls = read_json(&region.join("network-firewall-firewalls.json"));
    let fw = &firewalls["Firewalls"][0];
    assert_eq!(fw["Firewall"]["FirewallArn"], FW_ARN);
    assert_eq!(
        fw["FirewallStatus"]["SyncStates"]["us-east-1a"]["Attachment"]["EndpointId"],
        "vpce-0f1e2d3c4b5a69788"
    );
    let policies = read_json(&region.join("network-firewall-firewall-policies.json"));
    assert_eq!(
        policies["FirewallPolicies"][0]["FirewallPolicy"]["PolicyVariables"]["RuleVariables"]
            ["HOME_NET"]["Definition"][0],
        "10.0.0.0/8"
    );
    let groups = read_json(&region.join("network-firewall-rule-groups.json"));
    assert_eq!(
        groups["RuleGroups"].as_array().unwrap().len(),
        2,
        "{groups}"
    );
    let rule = &groups["RuleGroups"][0]["RuleGroup"]["RulesSource"]["StatefulRules"][0];
    assert_eq!(rule["Action"], "DROP");
    assert_eq!(rule["Header"]["Protocol"], "TCP");
    assert_eq!(rule["Header"]["Direction"], "FORWARD");

    let loaded = vpcreach::snapshot::load(&out).expect("the pulled snapshot loads");
    let net = &loaded.network;
    assert!(
        net.firewalls.contains_key(FW_ARN),
        "{:?}",
        net.firewalls.keys()
    );
    assert_eq!(net.rule_groups.len(), 2, "{:?}", net.rule_groups.keys());
    assert!(net.rule_groups.contains_key(MANAGED_ARN));
    assert!(net.firewalls_listed_only.is_empty());
    assert_eq!(net.block_public_access.len(), 1);
    assert_eq!(
        net.block_public_access[0].mode,
        vpcreach::model::BpaMode::BlockBidirectional
    );
    assert_eq!(net.bpa_exclusions.len(), 2);
    assert!(net.bpa_exclusions_described);
    let meta = read_json(&out.join("vpcreach-snapshot.json"));
    let ops: Vec<&str> = meta["VpcreachSnapshot"]["Calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Action"].as_str().unwrap())
        .collect();
    for action in [
        "network-firewall:ListFirewalls",
        "network-firewall:DescribeFirewall",
        "network-firewall:DescribeFirewallPolicy",
        "network-firewall:DescribeRuleGroup",
        "ec2:DescribeVpcBlockPublicAccessOptions",
        "ec2:DescribeVpcBlockPublicAccessExclusions",
    ] {
        assert!(ops.contains(&action), "{action} not in {ops:?}");
    }
}

/// A denied Network Firewall call is named with its `network-firewall:`
/// action; with --allow-partial it is recorded as missing and the rest of
/// the snapshot is written (answers that depend on it are then unknown).
#[tokio::test]
async fn denied_network_firewall_call_is_named_and_recorded_as_missing() {
    let rules: Vec<Rule> = [mock!(nfw::Client::list_firewalls).then_error(|| {
        nfw::operation::list_firewalls::ListFirewallsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("User is not authorized to perform: network-firewall:ListFirewalls")
                .build(),
        )
    })]
    .into_iter()
    .chain(paged_rules())
    .chain(empty_rules())
    .collect();
    let refs: Vec<&Rule> = rules.iter().collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap");
    // network-firewall:* is outside AmazonEC2ReadOnlyAccess: a denial is
    // recorded as missing even without --allow-partial, and only answers
    // that meet a firewall endpoint (an unknown vpce-) are unknown.
    let summary = pull_with_clients(
        vec![("us-east-1".into(), client(&refs))],
        Some("111122223333".into()),
        &opts(&out),
    )
    .await
    .expect("a denied Network Firewall call does not fail the pull");
    assert_eq!(summary.missing.len(), 1, "{:?}", summary.missing);
    assert_eq!(summary.missing[0].key, "Firewalls");
    assert!(!out
        .join("us-east-1/network-firewall-list-firewalls.json")
        .exists());
    let loaded = vpcreach::snapshot::load(&out).unwrap();
    assert!(
        loaded
            .missing()
            .iter()
            .any(|m| m.action == "network-firewall:ListFirewalls"),
        "the metadata names the denied action"
    );
    assert!(
        !loaded
            .missing_for_paths(false)
            .iter()
            .any(|m| m.action == "network-firewall:ListFirewalls"),
        "not every answer depends on firewalls"
    );
}
