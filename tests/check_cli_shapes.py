"""Checks that every describe-* file of a snapshot is what the AWS CLI prints:
each object validated against botocore's EC2, elbv2, elb and network-firewall
output shapes
(field names, nesting, types, enums, CLI v2 timestamps) by
fixtures/generator/lib.py. The per-resource ELB calls are in the wrappers
the loader reads: {"<Key>": [{"<Id>": "...", "<Member>": <the call's output>}]}.

Usage: python check_cli_shapes.py SNAPSHOT_DIR
Prints the files checked (JSON list) on success; exits 1 listing every
mismatch otherwise.
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures", "generator"))
import lib  # noqa: E402
from botocore.loaders import Loader  # noqa: E402

ELBV2 = Loader().load_service_model("elbv2", "service-2")["shapes"]
ELB = Loader().load_service_model("elb", "service-2")["shapes"]
# File → (result shape, that service's shapes).
ELB_RESULTS = {
    "elbv2-load-balancers.json": ("DescribeLoadBalancersOutput", ELBV2),
    "elbv2-target-groups.json": ("DescribeTargetGroupsOutput", ELBV2),
    "elb-load-balancers.json": ("DescribeAccessPointsOutput", ELB),
}
NFW = Loader().load_service_model("network-firewall", "service-2")["shapes"]
# Network Firewall: the list-* outputs as printed, and each describe-*
# output (without its UpdateToken) as one element of the list the loader
# reads: file → (key, the describe call's result shape).
NFW_RESULTS = {
    "network-firewall-list-firewalls.json": "ListFirewallsResponse",
    "network-firewall-list-firewall-policies.json": "ListFirewallPoliciesResponse",
    "network-firewall-list-rule-groups.json": "ListRuleGroupsResponse",
}
NFW_DESCRIBED = {
    "network-firewall-firewalls.json": ("Firewalls", "DescribeFirewallResponse"),
    "network-firewall-firewall-policies.json": ("FirewallPolicies", "DescribeFirewallPolicyResponse"),
    "network-firewall-rule-groups.json": ("RuleGroups", "DescribeRuleGroupResponse"),
}


def conform_described(doc, key, shape):
    if set(doc) != {key}:
        raise lib.ShapeError(f"$: keys {list(doc)}, expected {key}")
    for i, el in enumerate(doc[key]):
        if "UpdateToken" in el:
            raise lib.ShapeError(f"$.{key}[{i}]: UpdateToken is not written")
        lib.conform(el, shape, f"$.{key}[{i}]", NFW)

# File → (key, id member, member, member shape): one element per resource.
ELB_WRAPPERS = {
    "elbv2-load-balancer-listeners.json":
        ("LoadBalancerListeners", "LoadBalancerArn", "Listeners", "Listeners"),
    "elbv2-target-health.json":
        ("LoadBalancerTargetHealth", "TargetGroupArn", "TargetHealthDescriptions",
         "TargetHealthDescriptions"),
    "elbv2-load-balancer-attributes.json":
        ("LoadBalancerAttributes", "LoadBalancerArn", "Attributes", "LoadBalancerAttributes"),
    "elbv2-target-group-attributes.json":
        ("TargetGroupAttributes", "TargetGroupArn", "Attributes", "TargetGroupAttributes"),
}


def conform_elb_wrapper(doc, key, id_key, member, shape):
    if set(doc) != {key}:
        raise lib.ShapeError(f"$: wrapper keys {list(doc)}")
    for i, el in enumerate(doc[key]):
        if set(el) != {id_key, member}:
            raise lib.ShapeError(f"$.{key}[{i}]: keys {list(el)}, expected {id_key}, {member}")
        lib.conform(el[id_key], "String", f"$.{key}[{i}].{id_key}", ELBV2)
        lib.conform(el[member], shape, f"$.{key}[{i}].{member}", ELBV2)

# File → the result shape of the call that makes it (pull's file names).
RESULTS = {name: shape for shape, name in lib.RESULT_SHAPES.values()}
RESULTS.update({
    "egress-only-internet-gateways.json": "DescribeEgressOnlyInternetGatewaysResult",
    "managed-prefix-lists.json": "DescribeManagedPrefixListsResult",
    # The entries, in describe-prefix-lists' self-contained Cidrs shape.
    "managed-prefix-list-entries.json": "DescribePrefixListsResult",
    "prefix-lists.json": "DescribePrefixListsResult",
    "security-group-rules.json": "DescribeSecurityGroupRulesResult",
    "vpc-block-public-access-options.json": "DescribeVpcBlockPublicAccessOptionsResult",
    "vpc-block-public-access-exclusions.json": "DescribeVpcBlockPublicAccessExclusionsResult",
})
WRAPPER_FILES = {f: key for key, (f, _) in lib.WRAPPERS.items()}

root = sys.argv[1]
errors, checked = [], []
for path in sorted(glob.glob(os.path.join(root, "*", "*.json"))):
    name = os.path.basename(path)
    with open(path) as f:
        doc = json.load(f)
    try:
        if name in ELB_RESULTS:
            shape, shapes = ELB_RESULTS[name]
            lib.conform(doc, shape, shapes=shapes)
        elif name in ELB_WRAPPERS:
            conform_elb_wrapper(doc, *ELB_WRAPPERS[name])
        elif name in NFW_RESULTS:
            lib.conform(doc, NFW_RESULTS[name], shapes=NFW)
        elif name in NFW_DESCRIBED:
            conform_described(doc, *NFW_DESCRIBED[name])
        elif name in WRAPPER_FILES:
            lib.conform_wrapper(WRAPPER_FILES[name], doc)
        elif name in RESULTS:
            lib.conform(doc, RESULTS[name])
        else:
            raise lib.ShapeError(f"no result shape known for {name}")
        checked.append(os.path.relpath(path, root))
    except lib.ShapeError as e:
        errors.append(f"{os.path.relpath(path, root)}: {e}")
if errors:
    sys.exit("\n".join(errors))
json.dump(checked, sys.stdout)
