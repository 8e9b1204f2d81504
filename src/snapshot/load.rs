//! Reading a snapshot from disk: walking the tree, splitting each file by its
//! top-level keys, and turning every parse failure into a located diagnostic.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use thiserror::Error;

use super::elb_shapes;
use super::firewall_shapes;
use super::locate::{
    floor_boundary, json_source, line_col, offset_of, raw_offset, read_input_text, WindowedSource,
};
use super::metadata::PullMetadata;
use super::shapes;
use super::Warning;
use crate::progress::{Progress, Unit};

/// Where a resource was read from: for warnings and for region/account.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub file: PathBuf,
    /// JSON path of the element, e.g. `RouteTables[2]`.
    pub json_path: String,
    pub region: Option<String>,
    pub account: Option<String>,
}

/// Every resource list found in a snapshot, before conversion to the model.
#[derive(Default, Debug)]
pub struct RawSnapshot {
    pub vpcs: Vec<(shapes::Vpc, Origin)>,
    pub subnets: Vec<(shapes::Subnet, Origin)>,
    pub route_tables: Vec<(shapes::RouteTable, Origin)>,
    pub network_acls: Vec<(shapes::NetworkAcl, Origin)>,
    pub security_groups: Vec<(shapes::SecurityGroup, Origin)>,
    /// `describe-security-group-rules` output: rule ids for the rules above.
    pub security_group_rules: Vec<(shapes::SecurityGroupRule, Origin)>,
    pub internet_gateways: Vec<(shapes::InternetGateway, Origin)>,
    pub egress_only_gateways: Vec<(shapes::EgressOnlyInternetGateway, Origin)>,
    pub nat_gateways: Vec<(shapes::NatGateway, Origin)>,
    pub network_interfaces: Vec<(shapes::NetworkInterface, Origin)>,
    pub reservations: Vec<(shapes::Reservation, Origin)>,
    pub addresses: Vec<(shapes::Address, Origin)>,
    pub peerings: Vec<(shapes::VpcPeeringConnection, Origin)>,
    pub prefix_lists: Vec<(shapes::PrefixList, Origin)>,
    pub transit_gateways: Vec<(shapes::TransitGateway, Origin)>,
    pub tgw_attachments: Vec<(shapes::TransitGatewayAttachment, Origin)>,
    pub tgw_vpc_attachments: Vec<(shapes::TransitGatewayVpcAttachment, Origin)>,
    pub tgw_peering_attachments: Vec<(shapes::TransitGatewayPeeringAttachment, Origin)>,
    pub tgw_route_tables: Vec<(shapes::TransitGatewayRouteTable, Origin)>,
    pub tgw_routes: Vec<(shapes::TransitGatewayRouteTableRoutes, Origin)>,
    pub tgw_propagations: Vec<(shapes::TransitGatewayPropagations, Origin)>,
    pub vpn_gateways: Vec<(shapes::VpnGateway, Origin)>,
    pub vpn_connections: Vec<(shapes::VpnConnection, Origin)>,
    pub vpc_endpoints: Vec<(shapes::VpcEndpoint, Origin)>,
    pub bpa_options: Vec<(shapes::VpcBlockPublicAccessOptions, Origin)>,
    pub bpa_exclusions: Vec<(shapes::VpcBlockPublicAccessExclusion, Origin)>,
    /// Elastic Load Balancing (`aws elbv2 …`, `aws elb …`).
    pub elb: ElbRaw,
    /// AWS Network Firewall (`aws network-firewall describe-*`, `list-*`).
    pub firewall: FirewallRaw,
    /// The `VpcreachSnapshot` metadata object that `pull` writes.
    pub metadata: Option<PullMetadata>,
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub warnings: Vec<Warning>,
    /// Every top-level key read, so that a kind no file holds at all
    /// (not even as an empty list) is known to be absent.
    pub keys_seen: std::collections::BTreeSet<String>,
}

/// What the ELB calls print (see `elb_shapes` for the wrappers).
#[derive(Default, Debug)]
pub struct ElbRaw {
    pub load_balancers: Vec<(elb_shapes::LoadBalancer, Origin)>,
    pub listeners: Vec<(elb_shapes::Listener, Origin)>,
    pub target_groups: Vec<(elb_shapes::TargetGroup, Origin)>,
    pub target_health: Vec<(elb_shapes::TargetGroupHealth, Origin)>,
    pub lb_attributes: Vec<(elb_shapes::LoadBalancerAttributes, Origin)>,
    pub tg_attributes: Vec<(elb_shapes::TargetGroupAttributes, Origin)>,
    pub classic: Vec<(elb_shapes::ClassicLoadBalancer, Origin)>,
}

/// What the Network Firewall calls print, each describe output whole.
#[derive(Default, Debug)]
pub struct FirewallRaw {
    pub firewalls: Vec<(firewall_shapes::DescribedFirewall, Origin)>,
    pub policies: Vec<(firewall_shapes::DescribedPolicy, Origin)>,
    pub rule_groups: Vec<(firewall_shapes::DescribedRuleGroup, Origin)>,
    /// ARNs the `list-*` calls name (a firewall, policy or rule group).
    pub listed: Vec<(String, Origin)>,
}

/// The halves of one `describe-*` output of Network Firewall, paired at
/// the end of its file.
#[derive(Default)]
struct FirewallHalves {
    firewall: Option<firewall_shapes::Firewall>,
    status: Option<firewall_shapes::FirewallStatus>,
    policy_response: Option<firewall_shapes::FirewallPolicyResponse>,
    policy: Option<firewall_shapes::FirewallPolicy>,
    group_response: Option<firewall_shapes::RuleGroupResponse>,
    group: Option<firewall_shapes::RuleGroup>,
}

/// Top-level keys that AWS prints and that a later version of vpcreach may
/// read, but this one does not: a warning says they were skipped.
const KNOWN_UNMODELLED: &[&str] = &["VpcEndpointServices", "CustomerGateways"];

#[derive(Debug, Error, Diagnostic)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {message}")]
    #[diagnostic(
        code(vpcreach::snapshot::io),
        help("--snapshot takes a directory of describe-* JSON files or one JSON file")
    )]
    Io { path: PathBuf, message: String },

    #[error("{file}:{line}:{column}: {message}{}", if json_path.is_empty() { String::new() } else { format!(" (at {json_path})") })]
    #[diagnostic(code(vpcreach::snapshot::json))]
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        json_path: String,
        message: String,
        #[source_code]
        source_code: NamedSource<WindowedSource>,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("snapshot {path} holds no JSON files")]
    #[diagnostic(code(vpcreach::snapshot::empty), help("write describe-* output there, e.g. `aws ec2 describe-vpcs > vpcs.json`, or run `vpcreach pull`"))]
    Empty { path: PathBuf },
}

impl SnapshotError {
    /// A located diagnostic at byte `offset` of `text` (also used for scope files).
    pub(crate) fn at(
        file: &Path,
        text: &str,
        offset: usize,
        json_path: String,
        message: String,
        help: Option<String>,
    ) -> Self {
        let offset = floor_boundary(text, offset);
        let (line, column) = line_col(text, offset);
        let len = if offset < text.len() { 1 } else { 0 };
        SnapshotError::Json {
            file: file.to_path_buf(),
            line,
            column,
            label: if json_path.is_empty() {
                "here".into()
            } else {
                json_path.clone()
            },
            json_path,
            message,
            source_code: json_source(file, text),
            span: (offset, len).into(),
            help,
        }
    }
}

/// The input files of a snapshot, in the order they are read.
pub struct SnapshotFiles {
    root: PathBuf,
    files: Vec<(PathBuf, u64)>,
    walk_warnings: Vec<Warning>,
}

impl SnapshotFiles {
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.iter().map(|(path, _)| path)
    }

    /// Their total size on disk.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, size)| size).sum()
    }
}

/// Every `*.json` file below `path` (or `path` itself), sorted.
pub fn list_files(path: &Path) -> Result<SnapshotFiles, SnapshotError> {
    let meta = fs::metadata(path).map_err(|e| SnapshotError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut files = Vec::new();
    let mut walk_warnings = Vec::new();
    if meta.is_dir() {
        let mut walk = Walk::default();
        walk.collect(path, &mut files, &mut walk_warnings)?;
        if files.is_empty() {
            return Err(SnapshotError::Empty {
                path: path.to_path_buf(),
            });
        }
    } else {
        files.push(path.to_path_buf());
    }
    files.sort();
    let files = files
        .into_iter()
        .map(|f| {
            let size = fs::metadata(&f).map_or(0, |m| m.len());
            (f, size)
        })
        .collect();
    Ok(SnapshotFiles {
        root: path.to_path_buf(),
        files,
        walk_warnings,
    })
}

/// Load every `*.json` file below `path` (or `path` itself), telling
/// `progress` the bytes read.
pub fn read_tree(path: &Path, progress: &dyn Progress) -> Result<RawSnapshot, SnapshotError> {
    read_files(list_files(path)?, progress)
}

/// Parse the files [`list_files`] found, one at a time (memory holds one
/// file's text, not the snapshot's).
pub fn read_files(
    inputs: SnapshotFiles,
    progress: &dyn Progress,
) -> Result<RawSnapshot, SnapshotError> {
    let mut raw = RawSnapshot {
        warnings: inputs.walk_warnings,
        ..RawSnapshot::default()
    };
    progress.begin(
        "loading snapshot",
        Some(inputs.files.iter().map(|(_, size)| size).sum()),
        Unit::Bytes,
    );
    for (file, size) in &inputs.files {
        let text = read_input_text(file).map_err(|e| SnapshotError::Io {
            path: file.clone(),
            message: e.0,
        })?;
        let relative = file.strip_prefix(&inputs.root).unwrap_or(file);
        let (region, account) = region_and_account(relative);
        read_text(file, &text, region, account, &mut raw)?;
        raw.bytes += text.len() as u64;
        raw.files.push(file.clone());
        progress.advance(*size);
    }
    progress.end();
    Ok(raw)
}

/// A directory walk that reads each folder once, whatever symlinks point
/// at it: a link to an ancestor would otherwise make the walk endless.
#[derive(Default)]
struct Walk {
    /// (device, inode) of every folder entered.
    seen: std::collections::HashSet<(u64, u64)>,
}

impl Walk {
    fn collect(
        &mut self,
        dir: &Path,
        out: &mut Vec<PathBuf>,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), SnapshotError> {
        use std::os::unix::fs::MetadataExt;
        let io = |path: &Path, e: std::io::Error| SnapshotError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let meta = fs::metadata(dir).map_err(|e| io(dir, e))?;
        if !self.seen.insert((meta.dev(), meta.ino())) {
            warnings.push(Warning {
                message: "folder already read through another path (a symlink loop or a second link to it); skipped".into(),
                file: Some(dir.to_path_buf()),
                json_path: None,
            });
            return Ok(());
        }
        let mut entries = fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| io(dir, e))?;
        entries.sort();
        for path in entries {
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            // Follows symlinks; a dangling one is not an input file.
            let Ok(meta) = fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                self.collect(&path, out, warnings)?;
            } else if path.extension().is_some_and(|e| e == "json") {
                if !meta.is_file() {
                    return Err(SnapshotError::Io {
                        message: read_input_text(&path)
                            .err()
                            .map(|e| e.0)
                            .unwrap_or_default(),
                        path,
                    });
                }
                out.push(path);
            }
        }
        Ok(())
    }
}

/// `us-east-1/…` sets the region; `accounts/<12 digits>/<region>/…` sets
/// account and region (SPEC "Snapshots"; Batfish's `aws_configs` layout).
fn region_and_account(relative: &Path) -> (Option<String>, Option<String>) {
    let mut region = None;
    let mut account = None;
    let parts: Vec<String> = relative
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for (i, part) in parts.iter().enumerate() {
        if is_region_name(part) {
            region = Some(part.clone());
        }
        if part == "accounts" {
            if let Some(next) = parts.get(i + 1) {
                if next.len() == 12 && next.bytes().all(|b| b.is_ascii_digit()) {
                    account = Some(next.clone());
                }
            }
        }
    }
    (region, account)
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`…
pub fn is_region_name(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() < 3 || parts.len() > 4 {
        return false;
    }
    let last = parts[parts.len() - 1];
    parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// Parse one file's text into `raw`.
pub fn read_text(
    file: &Path,
    text: &str,
    region: Option<String>,
    account: Option<String>,
    raw: &mut RawSnapshot,
) -> Result<(), SnapshotError> {
    let top: TopLevel = match serde_json::from_str(text) {
        Ok(top) => top,
        Err(e) => {
            let offset = offset_of(text, e.line(), e.column());
            let help = if e.is_syntax() || e.is_eof() {
                Some("the file is not valid JSON; re-run the describe command and save its whole output".to_string())
            } else {
                Some("a snapshot file is a JSON object keyed by resource type, as `aws ec2 describe-*` prints it (e.g. {\"Vpcs\": [...]})".to_string())
            };
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            return Err(SnapshotError::at(
                file,
                text,
                offset,
                String::new(),
                message,
                help,
            ));
        }
    };
    let top = top.without_duplicates(file, text)?;
    let mut halves = FirewallHalves::default();
    let origin = |json_path: &str| Origin {
        file: file.to_path_buf(),
        json_path: json_path.to_string(),
        region: region.clone(),
        account: account.clone(),
    };
    for (key, value) in top {
        raw.keys_seen.insert(key.clone());
        let ctx = Ctx {
            file,
            text,
            region: region.clone(),
            account: account.clone(),
            key: &key,
            value,
        };
        match key.as_str() {
            "Vpcs" => ctx.list(&mut raw.vpcs)?,
            "Subnets" => ctx.list(&mut raw.subnets)?,
            "RouteTables" => ctx.list(&mut raw.route_tables)?,
            "NetworkAcls" => ctx.list(&mut raw.network_acls)?,
            "SecurityGroups" => ctx.list(&mut raw.security_groups)?,
            "SecurityGroupRules" => ctx.list(&mut raw.security_group_rules)?,
            "InternetGateways" => ctx.list(&mut raw.internet_gateways)?,
            "EgressOnlyInternetGateways" => ctx.list(&mut raw.egress_only_gateways)?,
            "NatGateways" => ctx.list(&mut raw.nat_gateways)?,
            "NetworkInterfaces" => ctx.list(&mut raw.network_interfaces)?,
            "Reservations" => ctx.list(&mut raw.reservations)?,
            "Addresses" => ctx.list(&mut raw.addresses)?,
            "VpcPeeringConnections" => ctx.list(&mut raw.peerings)?,
            "PrefixLists" => ctx.list(&mut raw.prefix_lists)?,
            "TransitGateways" => ctx.list(&mut raw.transit_gateways)?,
            "TransitGatewayAttachments" => ctx.list(&mut raw.tgw_attachments)?,
            "TransitGatewayVpcAttachments" => ctx.list(&mut raw.tgw_vpc_attachments)?,
            "TransitGatewayPeeringAttachments" => ctx.list(&mut raw.tgw_peering_attachments)?,
            "TransitGatewayRouteTables" => ctx.list(&mut raw.tgw_route_tables)?,
            "TransitGatewayRouteTableRoutes" | "TransitGatewayStaticRoutes" => ctx.list(&mut raw.tgw_routes)?,
            "TransitGatewayPropagations" => ctx.list(&mut raw.tgw_propagations)?,
            "VpnGateways" => ctx.list(&mut raw.vpn_gateways)?,
            "VpnConnections" => ctx.list(&mut raw.vpn_connections)?,
            "VpcEndpoints" => ctx.list(&mut raw.vpc_endpoints)?,
            "VpcBlockPublicAccessOptions" => {
                let options = ctx.one()?;
                let origin = Origin {
                    file: file.to_path_buf(),
                    json_path: key.clone(),
                    region: region.clone(),
                    account: account.clone(),
                };
                raw.bpa_options.push((options, origin));
            }
            "VpcBlockPublicAccessExclusions" => ctx.list(&mut raw.bpa_exclusions)?,
            "LoadBalancers" => ctx.list(&mut raw.elb.load_balancers)?,
            "Listeners" => ctx.list(&mut raw.elb.listeners)?,
            "LoadBalancerListeners" => {
                let mut wrapped: Vec<(elb_shapes::LoadBalancerListeners, Origin)> = Vec::new();
                ctx.list(&mut wrapped)?;
                for (w, origin) in wrapped {
                    for (i, l) in w.listeners.into_iter().enumerate() {
                        let origin = Origin {
                            json_path: format!("{}.Listeners[{i}]", origin.json_path),
                            ..origin.clone()
                        };
                        raw.elb.listeners.push((l, origin));
                    }
                }
            }
            "TargetGroups" => ctx.list(&mut raw.elb.target_groups)?,
            "LoadBalancerTargetHealth" => ctx.list(&mut raw.elb.target_health)?,
            // `aws elb describe-load-balancer-attributes` prints an object
            // under the same key, without the load balancer's name.
            "LoadBalancerAttributes" if value.get().trim_start().starts_with('{') => {
                raw.warnings.push(Warning {
                    message: "`LoadBalancerAttributes` as `aws elb describe-load-balancer-attributes` prints it does not name its classic load balancer; ignored (classic cross-zone is assumed off)".into(),
                    file: Some(file.to_path_buf()),
                    json_path: Some(key.clone()),
                })
            }
            "LoadBalancerAttributes" => ctx.list(&mut raw.elb.lb_attributes)?,
            "TargetGroupAttributes" => ctx.list(&mut raw.elb.tg_attributes)?,
            "LoadBalancerDescriptions" => ctx.list(&mut raw.elb.classic)?,
            // Raw `aws elbv2 describe-target-health` and
            // `describe-*-attributes` output, as a user saves it, does not
            // say which target group or load balancer it describes: it
            // cannot be used, but it is what AWS prints, so it is skipped
            // with a warning (health is only shown, never used in a verdict).
            "TargetHealthDescriptions" => raw.warnings.push(Warning {
                message: "`TargetHealthDescriptions` as `aws elbv2 describe-target-health` prints it does not name its target group; ignored (health is shown, never used in a verdict). To show it, wrap it as {\"LoadBalancerTargetHealth\": [{\"TargetGroupArn\": \"arn:…\", \"TargetHealthDescriptions\": [...]}]}".into(),
                file: Some(file.to_path_buf()),
                json_path: Some(key.clone()),
            }),
            "Attributes" => raw.warnings.push(Warning {
                message: "`Attributes` as `aws elbv2 describe-load-balancer-attributes` / `describe-target-group-attributes` prints it does not name its load balancer or target group; ignored (defaults assumed). To use it, wrap it as {\"LoadBalancerAttributes\": [{\"LoadBalancerArn\": \"arn:…\", \"Attributes\": [...]}]} or {\"TargetGroupAttributes\": [{\"TargetGroupArn\": \"arn:…\", \"Attributes\": [...]}]}".into(),
                file: Some(file.to_path_buf()),
                json_path: Some(key.clone()),
            }),
            "Firewall" => halves.firewall = Some(ctx.one()?),
            "FirewallStatus" => halves.status = Some(ctx.one()?),
            "FirewallPolicyResponse" => halves.policy_response = Some(ctx.one()?),
            "FirewallPolicy" => halves.policy = Some(ctx.one()?),
            "RuleGroupResponse" => halves.group_response = Some(ctx.one()?),
            "RuleGroup" => halves.group = Some(ctx.one()?),
            "Firewalls" => {
                let mut entries: Vec<(firewall_shapes::FirewallsEntry, Origin)> = Vec::new();
                ctx.list(&mut entries)?;
                for (entry, origin) in entries {
                    match entry {
                        firewall_shapes::FirewallsEntry::Described(d) => raw.firewall.firewalls.push((*d, origin)),
                        firewall_shapes::FirewallsEntry::Listed(l) => raw.firewall.listed.push((l.arn, origin)),
                    }
                }
            }
            "FirewallPolicies" => {
                let mut entries: Vec<(firewall_shapes::PoliciesEntry, Origin)> = Vec::new();
                ctx.list(&mut entries)?;
                for (entry, origin) in entries {
                    match entry {
                        firewall_shapes::PoliciesEntry::Described(d) => raw.firewall.policies.push((*d, origin)),
                        firewall_shapes::PoliciesEntry::Listed(l) => raw.firewall.listed.push((l.arn, origin)),
                    }
                }
            }
            "RuleGroups" => {
                let mut entries: Vec<(firewall_shapes::RuleGroupsEntry, Origin)> = Vec::new();
                ctx.list(&mut entries)?;
                for (entry, origin) in entries {
                    match entry {
                        firewall_shapes::RuleGroupsEntry::Described(d) => raw.firewall.rule_groups.push((*d, origin)),
                        firewall_shapes::RuleGroupsEntry::Listed(l) => raw.firewall.listed.push((l.arn, origin)),
                    }
                }
            }
            "UpdateToken" => {}
            super::metadata::KEY => raw.metadata = Some(ctx.one::<PullMetadata>()?),
            // Paging tokens and other envelope keys the CLI may print.
            "NextToken" | "ResponseMetadata" => {}
            // An empty list of something unmodelled loses nothing (`pull`
            // writes every call it makes, most often with no resources).
            other
                if KNOWN_UNMODELLED.contains(&other)
                    && value.get().split_whitespace().collect::<String>() == "[]" => {}
            other if KNOWN_UNMODELLED.contains(&other) => raw.warnings.push(Warning {
                message: format!("`{other}` is not modelled by this version of vpcreach; its resources are ignored and paths through them end with UNSUPPORTED_COMPONENT"),
                file: Some(file.to_path_buf()),
                json_path: Some(other.to_string()),
            }),
            other => raw.warnings.push(Warning {
                message: format!("unknown top-level key `{other}` ignored (the resource type is read from the top-level key)"),
                file: Some(file.to_path_buf()),
                json_path: Some(other.to_string()),
            }),
        }
    }
    halves.pair(&origin, file, &mut raw.firewall, &mut raw.warnings);
    Ok(())
}

impl FirewallHalves {
    /// One file's `describe-firewall` / `-firewall-policy` / `-rule-group`
    /// output: the object that names the resource and the one that holds
    /// its content belong together. A half alone is kept if it names the
    /// resource, and skipped with a warning if it does not.
    fn pair(
        self,
        origin: &dyn Fn(&str) -> Origin,
        file: &Path,
        out: &mut FirewallRaw,
        warnings: &mut Vec<Warning>,
    ) {
        let mut orphan = |key: &str, partner: &str| {
            warnings.push(Warning {
                message: format!("`{key}` without `{partner}` beside it does not say which resource it describes; ignored (save the whole describe output)"),
                file: Some(file.to_path_buf()),
                json_path: Some(key.to_string()),
            })
        };
        match (self.firewall, self.status) {
            (Some(firewall), status) => out.firewalls.push((
                firewall_shapes::DescribedFirewall {
                    firewall,
                    firewall_status: status,
                },
                origin("Firewall"),
            )),
            (None, Some(_)) => orphan("FirewallStatus", "Firewall"),
            (None, None) => {}
        }
        match (self.policy_response, self.policy) {
            (Some(firewall_policy_response), Some(firewall_policy)) => out.policies.push((
                firewall_shapes::DescribedPolicy {
                    firewall_policy_response,
                    firewall_policy,
                },
                origin("FirewallPolicyResponse"),
            )),
            (Some(_), None) => orphan("FirewallPolicyResponse", "FirewallPolicy"),
            (None, Some(_)) => orphan("FirewallPolicy", "FirewallPolicyResponse"),
            (None, None) => {}
        }
        match (self.group_response, self.group) {
            (Some(rule_group_response), Some(rule_group)) => out.rule_groups.push((
                firewall_shapes::DescribedRuleGroup {
                    rule_group_response,
                    rule_group,
                },
                origin("RuleGroupResponse"),
            )),
            (Some(_), None) => orphan("RuleGroupResponse", "RuleGroup"),
            (None, Some(_)) => orphan("RuleGroup", "RuleGroupResponse"),
            (None, None) => {}
        }
    }
}

/// A file's top-level object in file order, duplicates kept: serde's maps
/// keep the last of two equal keys and would lose the first in silence.
struct TopLevel<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for TopLevel<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = TopLevel<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object keyed by resource type")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(TopLevel(entries))
            }
        }
        d.deserialize_map(Entries)
    }
}

impl<'a> TopLevel<'a> {
    /// The entries sorted by key; a key given twice is an error at the second.
    fn without_duplicates(
        self,
        file: &Path,
        text: &str,
    ) -> Result<BTreeMap<String, &'a RawValue>, SnapshotError> {
        let mut out: BTreeMap<String, &'a RawValue> = BTreeMap::new();
        for (key, value) in self.0 {
            if let Some(&first) = out.get(&key) {
                let first_at = line_col(text, raw_offset(text, first));
                return Err(SnapshotError::at(
                    file,
                    text,
                    raw_offset(text, value),
                    key.clone(),
                    format!(
                        "top-level key `{key}` appears twice (first at line {}, column {})",
                        first_at.0, first_at.1
                    ),
                    Some("JSON readers disagree on which of two equal keys counts: merge the two lists into one, or save each describe-* output in its own file".into()),
                ));
            }
            out.insert(key, value);
        }
        Ok(out)
    }
}

struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
    region: Option<String>,
    account: Option<String>,
    key: &'a str,
    value: &'a RawValue,
}

impl Ctx<'_> {
    /// Offset of the raw value inside the file text: `RawValue` borrows from it.
    fn base_offset(&self) -> usize {
        raw_offset(self.text, self.value)
    }

    fn one<T: DeserializeOwned>(&self) -> Result<T, SnapshotError> {
        let raw = self.value.get();
        // Fast path: plain serde. Tracking the JSON path costs time on every
        // value, so it is paid only to explain a failure.
        if let Ok(v) = serde_json::from_str(raw) {
            return Ok(v);
        }
        let mut de = serde_json::Deserializer::from_str(raw);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let offset = self.base_offset() + offset_of(raw, inner.line(), inner.column());
            let json_path = if path == "." {
                self.key.to_string()
            } else {
                format!(
                    "{}{}{}",
                    self.key,
                    if path.starts_with('[') { "" } else { "." },
                    path
                )
            };
            let message = inner.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            let local = offset_of(raw, inner.line(), inner.column());
            let message = match string_ending_at(raw, local) {
                Some(v) if message.starts_with("invalid IP") && v.contains(':') => {
                    format!("IPv6 where IPv4 is expected: `{v}` (this field holds IPv4 only; AWS prints IPv6 in its own `Ipv6…` fields)")
                }
                _ => message,
            };
            let help = hint_for(&message, self.key);
            SnapshotError::at(self.file, self.text, offset, json_path, message, help)
        })
    }

    /// A located error for output that cannot stand alone in a snapshot.
    fn list<T: DeserializeOwned>(&self, out: &mut Vec<(T, Origin)>) -> Result<(), SnapshotError> {
        let items: Vec<T> = self.one()?;
        for (i, item) in items.into_iter().enumerate() {
            out.push((
                item,
                Origin {
                    file: self.file.to_path_buf(),
                    json_path: format!("{}[{}]", self.key, i),
                    region: self.region.clone(),
                    account: self.account.clone(),
                },
            ));
        }
        Ok(())
    }
}

/// The JSON string literal whose closing quote is at or just before
/// `offset` (where serde reports a bad value), without its quotes.
fn string_ending_at(text: &str, offset: usize) -> Option<&str> {
    let end = text[offset.min(text.len())..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    let before = text.get(..end)?.trim_end();
    let body = before.strip_suffix('"')?;
    let start = body.rfind('"')?;
    Some(&body[start + 1..])
}

fn hint_for(message: &str, key: &str) -> Option<String> {
    if message.starts_with("missing field") {
        let cli = match key {
            "LoadBalancerDescriptions" => "aws elb describe-load-balancers",
            "LoadBalancers"
            | "Listeners"
            | "TargetGroups"
            | "LoadBalancerListeners"
            | "LoadBalancerTargetHealth"
            | "LoadBalancerAttributes"
            | "TargetGroupAttributes" => "aws elbv2 describe-*",
            "Firewall"
            | "FirewallStatus"
            | "FirewallPolicy"
            | "FirewallPolicyResponse"
            | "RuleGroup"
            | "RuleGroupResponse"
            | "Firewalls"
            | "FirewallPolicies"
            | "RuleGroups" => "aws network-firewall describe-*",
            _ => "aws ec2 describe-*",
        };
        Some(format!(
            "every element of `{key}` needs this field, as `{cli}` prints it"
        ))
    } else if message.contains("invalid type") {
        Some(
            "the value has the wrong JSON type for this field; compare with the AWS CLI output"
                .into(),
        )
    } else if message.starts_with("IPv6 where IPv4") {
        Some("move the IPv6 CIDR or address to the `Ipv6…` field AWS prints it in (e.g. `Ipv6CidrBlockAssociationSet`, `DestinationIpv6CidrBlock`, `Ipv6Ranges`)".into())
    } else if message.contains("invalid IP") || message.contains("address") {
        Some("expected an IPv4 address or CIDR such as 10.0.0.0/16".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_folders_are_recognised() {
        assert!(is_region_name("us-east-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name("fixtures"));
        assert!(!is_region_name("us-east"));
        let (r, a) = region_and_account(Path::new("accounts/123456789012/eu-west-1/vpcs.json"));
        assert_eq!(r.as_deref(), Some("eu-west-1"));
        assert_eq!(a.as_deref(), Some("123456789012"));
    }

    #[test]
    fn line_col_round_trips() {
        let text = "{\n  \"a\": 1,\n  \"b\": x\n}";
        let off = offset_of(text, 3, 8);
        assert_eq!(line_col(text, off), (3, 8));
    }
}
