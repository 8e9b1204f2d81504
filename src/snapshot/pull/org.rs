//! `pull --org` and `pull --accounts`: several accounts into one snapshot,
//! `accounts/<id>/<region>/` (the layout [`crate::snapshot::load`] reads).
//!
//! Owns: the list of accounts (Organizations `ListAccounts`, paginated,
//! active ones only; `--accounts`, `--exclude-accounts`), a role assumed in
//! each (`sts:AssumeRole`, session `vpcreach-pull`, the shortest duration
//! STS allows, refreshed by the SDK when a pull outlasts it), the caller's own
//! account read with its own credentials, accounts and requests in flight
//! bounded, one progress bar per account in flight, and how each account
//! went ([`AccountEntry`]): an account that cannot be read is recorded and
//! named, never silently left out. Each account's files are written into
//! the temporary snapshot as soon as it is done, so memory holds one
//! account at a time per slot, not the organisation.
//!
//! Must not know: the calls of a region (it runs [`super::gather`]) or the
//! model.

use super::*;
use crate::snapshot::metadata::{AccountEntry, ACCOUNT_FAILED, ACCOUNT_PARTIAL, ACCOUNT_PULLED};
use aws_credential_types::provider::SharedCredentialsProvider;

/// The session name every assumed role shows in CloudTrail.
pub const SESSION_NAME: &str = "vpcreach-pull";
/// The shortest session STS grants (seconds); the SDK assumes the role
/// again before it ends.
pub const SESSION_SECONDS: u64 = 900;

/// Which accounts to pull, and how to get into them.
#[derive(Clone, Debug, Default)]
pub struct AccountsOptions {
    /// List the organisation's active accounts (`organizations:ListAccounts`).
    pub org: bool,
    /// The role to assume in each account (not the caller's own).
    pub role_name: String,
    pub external_id: Option<String>,
    /// With `org`: only these; without: exactly these.
    pub accounts: Vec<String>,
    pub exclude: Vec<String>,
}

/// One account to pull.
#[derive(Clone, Debug)]
struct Target {
    id: String,
    name: Option<String>,
}

/// Who the caller is: account and partition (from the caller's ARN).
struct Caller {
    account: String,
    partition: String,
}

async fn caller(sdk: &SdkConfig) -> Result<Caller, PullError> {
    let out = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            let e = CallError::from_sdk(e);
            PullError::Accounts {
                stage: "sts:GetCallerIdentity",
                code: e.code().to_string(),
                message: e.message,
            }
        })?;
    let partition = out
        .arn()
        .and_then(|a| a.split(':').nth(1))
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string();
    Ok(Caller {
        account: out.account().unwrap_or_default().to_string(),
        partition,
    })
}

/// The organisation's active accounts, every page.
async fn organisation_accounts(sdk: &SdkConfig) -> Result<Vec<Target>, PullError> {
    let client = aws_sdk_organizations::Client::new(sdk);
    let mut pages = client.list_accounts().into_paginator().send();
    let mut tokens = PageTokens::default();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            let e = CallError::from_sdk(e);
            PullError::Accounts {
                stage: "organizations:ListAccounts",
                code: e.code().to_string(),
                message: e.message,
            }
        })?;
        tokens
            .next(page.next_token())
            .map_err(|e| PullError::Accounts {
                stage: "organizations:ListAccounts",
                code: "IncompleteAnswer".into(),
                message: e.to_string(),
            })?;
        for a in page.accounts() {
            // `State` replaces the deprecated `Status`; either says ACTIVE.
            let active = match (a.state(), a.status()) {
                (Some(state), _) => state.as_str() == "ACTIVE",
                (None, Some(status)) => status.as_str() == "ACTIVE",
                (None, None) => false,
            };
            if let (true, Some(id)) = (active, a.id()) {
                out.push(Target {
                    id: id.to_string(),
                    name: a.name().map(str::to_owned),
                });
            }
        }
    }
    Ok(out)
}

/// The accounts `accounts` selects, sorted, each once.
async fn targets(sdk: &SdkConfig, accounts: &AccountsOptions) -> Result<Vec<Target>, PullError> {
    let mut list = if accounts.org {
        let listed = organisation_accounts(sdk).await?;
        if accounts.accounts.is_empty() {
            listed
        } else {
            let unknown: Vec<&String> = accounts
                .accounts
                .iter()
                .filter(|id| !listed.iter().any(|t| &t.id == *id))
                .collect();
            if !unknown.is_empty() {
                return Err(PullError::NotInOrganisation {
                    accounts: unknown.iter().map(|s| s.to_string()).collect(),
                });
            }
            listed
                .into_iter()
                .filter(|t| accounts.accounts.contains(&t.id))
                .collect()
        }
    } else {
        accounts
            .accounts
            .iter()
            .map(|id| Target {
                id: id.clone(),
                name: None,
            })
            .collect()
    };
    list.retain(|t| !accounts.exclude.contains(&t.id));
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list.dedup_by(|a, b| a.id == b.id);
    Ok(list)
}

/// The configuration to read `target` with: the caller's own, or one whose
/// credentials come from the role (assumed once now, so that a denial is
/// this account's failure before any call; the SDK assumes it again when
/// the session nears its end).
async fn credentials_for(
    sdk: &SdkConfig,
    caller: &Caller,
    target: &Target,
    accounts: &AccountsOptions,
    sem: &Semaphore,
) -> Result<(SdkConfig, Option<String>), AccountFailure> {
    if target.id == caller.account {
        return Ok((sdk.clone(), None));
    }
    let role_arn = format!(
        "arn:{}:iam::{}:role/{}",
        caller.partition, target.id, accounts.role_name
    );
    {
        let _permit = sem.acquire().await.expect("the semaphore is never closed");
        aws_sdk_sts::Client::new(sdk)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name(SESSION_NAME)
            .duration_seconds(SESSION_SECONDS as i32)
            .set_external_id(accounts.external_id.clone())
            .send()
            .await
            .map_err(|e| AccountFailure::from_call("sts:AssumeRole", CallError::from_sdk(e)))?;
    }
    let provider = aws_config::sts::AssumeRoleProvider::builder(&role_arn)
        .session_name(SESSION_NAME)
        .session_length(Duration::from_secs(SESSION_SECONDS))
        .configure(sdk);
    let provider = match &accounts.external_id {
        Some(x) => provider.external_id(x),
        None => provider,
    }
    .build()
    .await;
    let assumed = sdk
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build();
    Ok((assumed, Some(role_arn)))
}

/// Why one account is not (wholly) in the snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountFailure {
    /// The IAM action that failed (`sts:AssumeRole`, `ec2:DescribeVpcs`).
    pub action: String,
    pub code: String,
    pub message: String,
}

impl AccountFailure {
    fn from_call(action: &str, e: CallError) -> Self {
        AccountFailure {
            action: action.to_string(),
            code: e.code.clone().unwrap_or_else(|| {
                if e.incomplete {
                    "IncompleteAnswer".into()
                } else if e.unreachable {
                    "Unreachable".into()
                } else {
                    "Error".into()
                }
            }),
            message: e.message,
        }
    }
}

/// What one account brought back.
struct AccountOut {
    entry: AccountEntry,
    calls: Vec<CallRecord>,
    missing: Vec<Missing>,
    /// Calls left out without `--allow-partial`: the pull fails on them.
    denied: Vec<Missing>,
}

/// Pull every selected account into one snapshot at `opts.output`.
pub(super) async fn pull_accounts(
    opts: &PullOptions,
    accounts: &AccountsOptions,
    sdk: SdkConfig,
    home: String,
    started: Instant,
) -> Result<PullSummary, PullError> {
    let start_time = SystemTime::now();
    let caller = caller(&sdk).await?;
    let targets = targets(&sdk, accounts).await?;
    if targets.is_empty() {
        return Err(PullError::NoAccount);
    }

    let multi = MultiProgress::with_draw_target(if opts.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let overall = multi.add(ProgressBar::new(targets.len() as u64));
    overall.set_style(
        ProgressStyle::with_template(
            "{prefix:>14} {bar:20.green/blue} {pos}/{len} accounts  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    overall.set_prefix("organisation");
    let style =
        ProgressStyle::with_template("{prefix:>14} {bar:20.cyan/blue} {pos:>3}/{len} calls  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");

    let tmp = Arc::new(TempSnapshot::create(&opts.output)?);
    let requests = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    // Accounts in flight: enough to keep every request slot busy, few
    // enough that the bars and the memory stay small.
    let slots = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let sdk = Arc::new(sdk);
    let caller = Arc::new(caller);
    let shared = Arc::new((opts.clone(), accounts.clone(), home));
    let mut set = tokio::task::JoinSet::new();
    for target in targets {
        let (sdk, caller, shared, requests, slots, tmp) = (
            sdk.clone(),
            caller.clone(),
            shared.clone(),
            requests.clone(),
            slots.clone(),
            tmp.clone(),
        );
        let (multi, style) = (multi.clone(), style.clone());
        set.spawn(async move {
            let _slot = slots
                .acquire()
                .await
                .expect("the semaphore is never closed");
            let bar = multi.add(ProgressBar::new(CALLS.len() as u64));
            bar.set_style(style);
            bar.set_prefix(target.id.clone());
            let (opts, accounts, home) = &*shared;
            let out = pull_account(
                &sdk, &caller, &target, opts, accounts, home, &requests, &tmp, &bar,
            )
            .await;
            bar.finish_and_clear();
            multi.remove(&bar);
            out
        });
    }

    let mut outs: Vec<AccountOut> = Vec::new();
    while let Some(joined) = set.join_next().await {
        let out = match joined {
            Ok(out) => out?,
            Err(e) if e.is_cancelled() => continue,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        overall.inc(1);
        let failed = outs
            .iter()
            .chain([&out])
            .filter(|o| o.entry.failed())
            .count();
        if failed > 0 {
            overall.set_message(format!("{failed} failed"));
        }
        outs.push(out);
    }
    overall.finish();
    let _ = multi.clear();
    outs.sort_by(|a, b| a.entry.account_id.cmp(&b.entry.account_id));

    let failed: Vec<(String, AccountFailure)> = outs
        .iter()
        .filter(|o| o.entry.failed() || !o.denied.is_empty())
        .map(|o| {
            let id = o.entry.account_id.clone().unwrap_or_default();
            let failure = match o.entry.failed() {
                true => AccountFailure {
                    action: o.entry.failed_action.clone().unwrap_or_default(),
                    code: o.entry.error_code.clone().unwrap_or_default(),
                    message: o.entry.message.clone().unwrap_or_default(),
                },
                false => AccountFailure {
                    action: actions_list(&o.denied),
                    code: o.denied[0].error_code.clone(),
                    message: denied_list(&o.denied),
                },
            };
            (id, failure)
        })
        .collect();
    if !failed.is_empty() && !opts.allow_partial {
        return Err(PullError::AccountsFailed { failed });
    }
    if outs.iter().all(|o| o.entry.failed()) {
        return Err(PullError::AccountsFailed { failed });
    }

    let mut calls = Vec::new();
    let mut missing = Vec::new();
    let mut regions = std::collections::BTreeSet::new();
    let mut entries = Vec::new();
    for o in outs {
        calls.extend(o.calls);
        missing.extend(o.missing);
        regions.extend(o.entry.regions.iter().flatten().cloned());
        entries.push(o.entry);
    }
    let summary = PullSummary {
        output: opts.output.clone(),
        account: Some(caller.account.clone()),
        regions: regions.into_iter().collect(),
        calls,
        missing,
        elapsed: started.elapsed(),
        accounts: entries,
    };
    let metadata = metadata(&summary, opts, start_time);
    let tmp =
        Arc::try_unwrap(tmp).map_err(|_| PullError::Runtime("a task outlived the pull".into()))?;
    tmp.commit(&metadata)?;
    Ok(summary)
}

/// One account: credentials, regions, every call, its files written.
/// `Err` only for what stops the whole pull (the snapshot cannot be written).
#[allow(clippy::too_many_arguments)]
async fn pull_account(
    sdk: &SdkConfig,
    caller: &Caller,
    target: &Target,
    opts: &PullOptions,
    accounts: &AccountsOptions,
    home: &str,
    requests: &Arc<Semaphore>,
    tmp: &TempSnapshot,
    bar: &ProgressBar,
) -> Result<AccountOut, PullError> {
    let mut entry = AccountEntry {
        account_id: Some(target.id.clone()),
        name: target.name.clone(),
        ..AccountEntry::default()
    };
    let fail = |mut entry: AccountEntry, f: AccountFailure| {
        entry.status = Some(ACCOUNT_FAILED.into());
        entry.failed_action = Some(f.action);
        entry.error_code = Some(f.code);
        entry.message = Some(f.message);
        AccountOut {
            entry,
            calls: Vec::new(),
            missing: Vec::new(),
            denied: Vec::new(),
        }
    };
    bar.set_message("assuming role");
    let (account_sdk, role) = match credentials_for(sdk, caller, target, accounts, requests).await {
        Ok(got) => got,
        Err(f) => return Ok(fail(entry, f)),
    };
    entry.role_arn = role;
    let regions = if opts.all_regions {
        let _permit = requests
            .acquire()
            .await
            .expect("the semaphore is never closed");
        match enabled_regions(&ec2_client(&account_sdk, home), home, true).await {
            Ok(r) => r,
            Err(e) => {
                let f = AccountFailure {
                    action: "ec2:DescribeRegions".into(),
                    code: "Error".into(),
                    message: e.to_string(),
                };
                return Ok(fail(entry, f));
            }
        }
    } else if opts.regions.is_empty() {
        vec![home.to_string()]
    } else {
        dedup(opts.regions.clone())
    };
    entry.regions = Some(regions.clone());
    bar.set_length((CALLS.len() * regions.len()) as u64);
    bar.set_message("");
    let clients: Vec<(String, RegionClients)> = regions
        .iter()
        .map(|r| (r.clone(), RegionClients::new(&account_sdk, r)))
        .collect();
    let mut count = 0usize;
    let Gathered {
        mut files,
        failures,
        fatal,
    } = gather(&clients, requests, |_, resources| {
        count += resources;
        bar.inc(1);
        bar.set_message(format!("{count} resources"));
    })
    .await;
    if let Some(f) = fatal {
        let action = iam_action(f.operation);
        let region = f.region.clone();
        let mut failure = AccountFailure::from_call(&action, f.error);
        failure.message = format!("in {region}: {}", failure.message);
        return Ok(fail(entry, failure));
    }
    let prefix = format!("accounts/{}/", target.id);
    tmp.write_folders(&prefix, &files)?;
    let calls = call_records(&mut files, &prefix, Some(&target.id));
    // Every failure is recorded as missing; what fails the pull without
    // --allow-partial leaves out those recorded anyway (`Failure::optional`).
    let recorded = |keep: &dyn Fn(&Failure) -> bool| {
        let mut list: Vec<Missing> = failures
            .iter()
            .filter(|f| keep(f))
            .map(|f| Missing {
                account: Some(target.id.clone()),
                ..f.missing()
            })
            .collect();
        list.sort_by(|a, b| (&a.region, &a.operation).cmp(&(&b.region, &b.operation)));
        list
    };
    let missing = recorded(&|_| true);
    let denied = recorded(&|f| !f.optional());
    entry.status = Some(
        match missing.is_empty() {
            true => ACCOUNT_PULLED,
            false => ACCOUNT_PARTIAL,
        }
        .into(),
    );
    Ok(AccountOut {
        entry,
        calls,
        denied,
        missing,
    })
}
