//! Several accounts in one snapshot (`accounts/<id>/<region>/`, what
//! `pull --org` writes): rules XA.1 to XA.5 of docs/semantics-additions.md
//! on fixtures/org-cross-account (written by hand: moto refuses
//! cross-account SG references, RAM-shared subnets and TGW attachments) and
//! fixtures/org-moto (the network tests/moto_org.py builds).

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_vpcreach");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// (exit code, text report) of `path` over tcp/`port`.
fn path(snap: &Path, source: &str, destination: &str, port: &str) -> (i32, String) {
    let out = Command::new(BIN)
        .args(["path", "--snapshot"])
        .arg(snap)
        .args([
            "--source",
            source,
            "--destination",
            destination,
            "--protocol",
            "tcp",
            "--port",
            port,
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn reachable(snap: &Path, source: &str, destination: &str, port: &str) -> bool {
    let (code, text) = path(snap, source, destination, port);
    assert!(
        !text.contains("UNKNOWN"),
        "{source} -> {destination}:{port}\n{text}"
    );
    code == 0
}

/// XA.1: the same id printed by two accounts (a peering seen from both
/// ends, a RAM-shared TGW and subnet seen by their participants) with tags
/// that differ per account is one resource, not an ambiguous id.
#[test]
fn xa_1_views_of_one_resource_from_two_accounts_differing_in_tags_are_one_resource() {
    for name in ["org-cross-account", "org-moto"] {
        let out = Command::new(BIN)
            .args(["check", "--snapshot"])
            .arg(fixture(name))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(!text.contains("different content"), "{name}: {text}");
    }
    // And the peering seen from both accounts carries traffic (XA.2 below
    // relies on it): the twin of the moto organisation.
    let twin = fixture("org-moto");
    assert!(reachable(&twin, "i-wa", "i-wb", "22"));
    assert!(reachable(&twin, "i-wb", "i-wa", "443"));
    assert!(!reachable(&twin, "i-wa", "i-wb", "443"));
}

/// XA.1: within one account folder, an id described twice with different
/// content is still ambiguous (R-ambiguous.1).
#[test]
fn xa_1_two_different_views_in_one_account_stay_ambiguous() {
    let dir = tempfile::tempdir().unwrap();
    let acct = dir.path().join("accounts/222222222222/us-east-1");
    std::fs::create_dir_all(&acct).unwrap();
    let vpc = |cidr: &str| {
        format!(
            r#"{{"Vpcs": [{{"VpcId": "vpc-1", "CidrBlock": "{cidr}", "State": "available", "OwnerId": "222222222222"}}]}}"#
        )
    };
    std::fs::write(acct.join("vpcs.json"), vpc("10.0.0.0/16")).unwrap();
    std::fs::write(acct.join("vpcs-again.json"), vpc("10.9.0.0/16")).unwrap();
    let out = Command::new(BIN)
        .args(["check", "--snapshot"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("different content"), "{text}");
}

/// XA.2: a rule naming a security group of another account across an
/// active peering (`UserIdGroupPairs` with `UserId`) admits that group's
/// members in the peer VPC, and only them.
#[test]
fn xa_2_a_group_of_another_account_across_peering_admits_its_members() {
    let snap = fixture("org-cross-account");
    assert!(reachable(&snap, "i-c", "i-b", "5432"));
    let (code, text) = path(&snap, "i-c-other", "i-b", "5432");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("sg-b"), "{text}");
}

/// XA.3: VPC sharing. A participant's instance in the owner's subnet is
/// reached through the owner's TGW attachment; the owner's NACL on that
/// subnet applies to it, and the participant's own security group decides
/// what its interface admits.
#[test]
fn xa_3_a_participant_interface_in_a_shared_subnet_is_under_the_owners_nacl() {
    let snap = fixture("org-cross-account");
    assert!(reachable(&snap, "i-a", "i-participant", "8080"));
    let (code, text) = path(&snap, "i-a", "i-participant", "3306");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("acl-shared-app"), "{text}");
    assert!(text.contains("SUBNET_ACL_RESTRICTION"), "{text}");
    let (code, text) = path(&snap, "i-a", "i-participant", "22");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("sg-participant"), "{text}");
}

/// XA.4: a TGW shared through RAM: attachments owned by workload accounts,
/// routed by the route table in the network account's folder.
#[test]
fn xa_4_attachments_of_other_accounts_are_routed_by_the_owners_tgw_route_table() {
    let snap = fixture("org-cross-account");
    let (code, text) = path(&snap, "i-a", "i-b", "443");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("tgw-rtb-org"), "{text}");
    assert!(text.contains("tgw-attach-b"), "{text}");
    // sg-b admits 443 from 10.1/16 only.
    assert!(!reachable(&snap, "i-b", "i-a", "443"));
}

/// XA.5: an account missing from the snapshot (its folder absent, as when
/// `pull --org --allow-partial` could not assume its role): a path that
/// leads into it is unknown, never blocked; one that does not keeps its
/// verdict.
#[test]
fn xa_5_a_path_into_a_missing_account_is_unknown_and_others_keep_their_verdict() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("org-cross-account"), dir.path());
    std::fs::remove_dir_all(dir.path().join("accounts/444444444444")).unwrap();
    let (code, text) = path(dir.path(), "i-b", "10.3.1.10", "5432");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("UNKNOWN"), "{text}");
    assert!(reachable(dir.path(), "i-a", "i-b", "443"));
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
