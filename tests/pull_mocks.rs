//! `pull` through the SDK's own response mocks (aws-smithy-mocks): what moto
//! cannot show. Pagination (several pages per call, following NextToken),
//! the exact `UnauthorizedOperation` code real EC2 returns, and what
//! `--allow-partial` writes. The real SDK client, paginators and
//! deserialized types run; only the HTTP exchange is replaced.
#![cfg(feature = "aws")]

use std::path::Path;

use aws_sdk_ec2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_ec2::error::ErrorMetadata;
use aws_sdk_ec2::operation;
use aws_sdk_ec2::types as t;
use aws_sdk_ec2::Client;
use aws_smithy_mocks::{create_mock_http_client, mock, MockResponseInterceptor, Rule, RuleMode};
use serde_json::Value;
use vpcreach::snapshot::pull::{pull_with_clients, PullError, PullOptions};

fn client(rules: &[&Rule]) -> Client {
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    let conf = aws_sdk_ec2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .http_client(create_mock_http_client())
        .interceptor(interceptor)
        .build();
    Client::from_conf(conf)
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
    .collect()
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
