//! The two ways a call is read: every page of a paginated operation
//! ([`paged!`]) or one request of an operation without paging
//! ([`unpaged!`]). Macros, because the SDK's paginators share no trait.

/// Read every page of one paginated operation, converting each item. The
/// last argument names the output's pagination token (`next_token` in EC2,
/// `next_marker` in Elastic Load Balancing); a token given twice fails the
/// call ([`PageTokens`]).
macro_rules! paged {
    ($sem:expr, $request:expr, $items:ident, $convert:expr) => {
        paged!($sem, $request, $items, $convert, next_token)
    };
    ($sem:expr, $request:expr, $items:ident, $convert:expr, $token:ident) => {{
        let _permit = $sem.acquire().await.expect("the semaphore is never closed");
        let mut stream = $request.into_paginator().send();
        let mut items = Vec::new();
        let mut requests = 0usize;
        let mut tokens = PageTokens::default();
        let mut error = None;
        while let Some(page) = stream.next().await {
            requests += 1;
            match page {
                Ok(page) => {
                    if let Err(e) = tokens.next(page.$token()) {
                        error = Some(CallError::incomplete(&e));
                        break;
                    }
                    items.extend(page.$items().iter().map($convert))
                }
                Err(e) => {
                    error = Some(CallError::from_sdk(e));
                    break;
                }
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok((items, requests)),
        }
    }};
}

/// One request of an operation that has no paging.
macro_rules! unpaged {
    ($sem:expr, $request:expr, $items:ident, $convert:expr) => {{
        let _permit = $sem.acquire().await.expect("the semaphore is never closed");
        $request
            .send()
            .await
            .map(|out| (out.$items().iter().map($convert).collect(), 1))
            .map_err(CallError::from_sdk)
    }};
}
