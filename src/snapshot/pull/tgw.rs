//! Transit gateway route tables: the listing, then each table's routes
//! (SearchTransitGatewayRoutes) and propagations.

use super::*;

/// DescribeTransitGatewayRouteTables, then for each table its routes
/// (SearchTransitGatewayRoutes: active and blackhole, every page) and its
/// propagations (GetTransitGatewayRouteTablePropagations), each wrapped with
/// the table id. Associations come with DescribeTransitGatewayAttachments.
pub(super) async fn transit_gateway_route_tables(
    client: &Client,
    sem: &Semaphore,
    region: &str,
) -> TaskOut {
    let mut out = TaskOut::new(region);
    let got = paged!(
        sem,
        client.describe_transit_gateway_route_tables(),
        transit_gateway_route_tables,
        Clone::clone
    );
    let Some(tables) = listed(
        &mut out,
        Call::TransitGatewayRouteTables,
        got,
        convert::transit_gateway_route_table,
    ) else {
        return out;
    };
    let mut routes = SubResults::new(TGW_ROUTES, region);
    let mut propagations = SubResults::new(TGW_PROPAGATIONS, region);
    for id in tables
        .iter()
        .filter_map(|t| t.transit_gateway_route_table_id())
    {
        if routes.ok() {
            routes.add(tgw_routes(client, sem, id).await);
        }
        if propagations.ok() {
            let got: Result<
                (
                    Vec<aws_sdk_ec2::types::TransitGatewayRouteTablePropagation>,
                    usize,
                ),
                CallError,
            > = paged!(
                sem,
                client
                    .get_transit_gateway_route_table_propagations()
                    .transit_gateway_route_table_id(id),
                transit_gateway_route_table_propagations,
                Clone::clone
            );
            propagations.add(got.map(|(p, n)| (convert::transit_gateway_propagations(id, &p), n)));
        }
    }
    routes.finish(&mut out);
    propagations.finish(&mut out);
    out
}

/// Every active and blackhole route of one TGW route table, every page.
pub(super) async fn tgw_routes(
    client: &Client,
    sem: &Semaphore,
    table_id: &str,
) -> Result<(Value, usize), CallError> {
    use aws_sdk_ec2::types::Filter;
    let _permit = sem.acquire().await.expect("the semaphore is never closed");
    let mut stream = client
        .search_transit_gateway_routes()
        .transit_gateway_route_table_id(table_id)
        .filters(
            Filter::builder()
                .name("state")
                .values("active")
                .values("blackhole")
                .build(),
        )
        .into_paginator()
        .send();
    let (mut routes, mut requests, mut more) = (Vec::new(), 0, false);
    let mut tokens = PageTokens::default();
    while let Some(page) = stream.next().await {
        requests += 1;
        let page = page.map_err(CallError::from_sdk)?;
        tokens
            .next(page.next_token())
            .map_err(|e| CallError::incomplete(&e))?;
        routes.extend_from_slice(page.routes());
        // Set when the API could not list every route (e.g. more than it
        // returns): the loader then reports the table's routes as unknown.
        more = page.additional_routes_available().unwrap_or(false);
    }
    Ok((
        convert::transit_gateway_route_table_routes(table_id, &routes, more),
        requests,
    ))
}
