//! Credentials, regions and clients: the standard aws-config chain, the
//! up-front credential check, STS for the account, `--all-regions`, and the
//! per-region API clients.
//!
//! Must not know: the calls a pull makes or how a snapshot is written.

use super::*;

pub(super) async fn load_config(opts: &PullOptions) -> Result<SdkConfig, PullError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(u) = &opts.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    if let Some(r) = opts.regions.first() {
        loader = loader.region(Region::new(r.clone()));
    }
    // Throttling in large accounts: more attempts than the SDK's default 3,
    // unless the user chose (AWS_MAX_ATTEMPTS / AWS_RETRY_MODE).
    if std::env::var_os("AWS_MAX_ATTEMPTS").is_none()
        && std::env::var_os("AWS_RETRY_MODE").is_none()
    {
        loader = loader.retry_config(
            RetryConfig::standard()
                .with_max_attempts(8)
                .with_max_backoff(Duration::from_secs(20)),
        );
    }
    // Never hang for ever on a silent endpoint.
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .operation_attempt_timeout(Duration::from_secs(120))
            .build(),
    );
    Ok(loader.load().await)
}

/// Resolve credentials once up front, for a clear error before any call.
pub(super) async fn check_credentials(
    sdk: &SdkConfig,
    profile: Option<&str>,
) -> Result<(), PullError> {
    let Some(provider) = sdk.credentials_provider() else {
        return Err(PullError::NoCredentials {
            detail: "no credential provider is configured".into(),
        });
    };
    match provider.provide_credentials().await {
        Ok(creds) => {
            if creds.expiry().is_some_and(|t| t <= SystemTime::now()) {
                return Err(PullError::Expired {
                    detail: format!(
                        "expired at {}",
                        fmt_time(creds.expiry().unwrap_or(SystemTime::UNIX_EPOCH))
                    ),
                });
            }
            Ok(())
        }
        Err(e) => {
            let chain = error_chain(&e);
            let detail = chain
                .strip_prefix("the credential provider was not enabled: ")
                .unwrap_or(&chain)
                .to_string();
            match e {
                CredentialsError::CredentialsNotLoaded(_) => Err(PullError::NoCredentials {
                    detail: match profile {
                        Some(p) => format!(
                            "{detail}; profile `{p}` gave none: is it defined in ~/.aws/config (or AWS_CONFIG_FILE) with a credential source?"
                        ),
                        None => detail,
                    },
                }),
                _ if detail.to_ascii_lowercase().contains("expired") => {
                    Err(PullError::Expired { detail })
                }
                _ => Err(PullError::CredentialsFailed { detail }),
            }
        }
    }
}

/// The account id from STS GetCallerIdentity (which needs no permission).
/// Rejected credentials fail the pull here, before any EC2 call; an STS
/// endpoint that cannot be reached does not (the account is then taken from
/// the resources' OwnerId).
pub(super) async fn caller_account(sdk: &SdkConfig) -> Result<(Option<String>, bool), PullError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    match sts.get_caller_identity().send().await {
        Ok(out) => Ok((out.account().map(str::to_owned), true)),
        Err(e) => {
            let e = CallError::from_sdk(e);
            if e.is_expired() {
                Err(PullError::Expired {
                    detail: format!("{}: {}", e.code(), e.message),
                })
            } else if e.is_bad_credentials() {
                Err(PullError::InvalidCredentials {
                    code: e.code().to_string(),
                    message: e.message,
                })
            } else {
                Ok((None, false))
            }
        }
    }
}

/// The API clients of one region: EC2, both Elastic Load Balancing APIs and
/// Network Firewall.
#[derive(Clone, Debug)]
pub struct RegionClients {
    pub ec2: Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub elb: aws_sdk_elasticloadbalancing::Client,
    pub network_firewall: aws_sdk_networkfirewall::Client,
}

impl RegionClients {
    /// Clients from the shared configuration (credentials, `--endpoint-url`,
    /// retries) for region `name`; each refuses an answer cut short
    /// ([`WholeXmlAnswers`]).
    pub(super) fn new(sdk: &SdkConfig, name: &str) -> Self {
        let region = Region::new(name.to_string());
        RegionClients {
            ec2: ec2_client(sdk, name),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(sdk)
                    .region(region.clone())
                    .interceptor(WholeXmlAnswers)
                    .build(),
            ),
            elb: aws_sdk_elasticloadbalancing::Client::from_conf(
                aws_sdk_elasticloadbalancing::config::Builder::from(sdk)
                    .region(region.clone())
                    .interceptor(WholeXmlAnswers)
                    .build(),
            ),
            // JSON answers: a body cut short fails to parse on its own.
            network_firewall: aws_sdk_networkfirewall::Client::from_conf(
                aws_sdk_networkfirewall::config::Builder::from(sdk)
                    .region(region)
                    .build(),
            ),
        }
    }
}

pub(super) fn ec2_client(sdk: &SdkConfig, region: &str) -> Client {
    let conf = aws_sdk_ec2::config::Builder::from(sdk)
        .region(Region::new(region.to_string()))
        .interceptor(WholeXmlAnswers)
        .build();
    Client::from_conf(conf)
}

/// `--all-regions`: the regions enabled for the account.
pub(super) async fn enabled_regions(
    client: &Client,
    home: &str,
    sts_ok: bool,
) -> Result<Vec<String>, PullError> {
    let out = client.describe_regions().send().await.map_err(|e| {
        Failure {
            region: home.to_string(),
            operation: "DescribeRegions",
            key: "Regions",
            error: CallError::from_sdk(e),
        }
        .into_error(sts_ok)
    })?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| r.opt_in_status() != Some("not-opted-in"))
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    if regions.is_empty() {
        return Err(PullError::NoRegion);
    }
    Ok(regions)
}
