"""Checks that every describe-* file of a snapshot is what the AWS CLI prints:
each object validated against botocore's EC2 output shapes (field names,
nesting, types, enums, CLI v2 timestamps) by fixtures/generator/lib.py.

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

# File → the result shape of the call that makes it (pull's file names).
RESULTS = {name: shape for shape, name in lib.RESULT_SHAPES.values()}
RESULTS.update({
    "egress-only-internet-gateways.json": "DescribeEgressOnlyInternetGatewaysResult",
    "managed-prefix-lists.json": "DescribeManagedPrefixListsResult",
    # The entries, in describe-prefix-lists' self-contained Cidrs shape.
    "managed-prefix-list-entries.json": "DescribePrefixListsResult",
    "prefix-lists.json": "DescribePrefixListsResult",
    "security-group-rules.json": "DescribeSecurityGroupRulesResult",
})
WRAPPER_FILES = {f: key for key, (f, _) in lib.WRAPPERS.items()}

root = sys.argv[1]
errors, checked = [], []
for path in sorted(glob.glob(os.path.join(root, "*", "*.json"))):
    name = os.path.basename(path)
    with open(path) as f:
        doc = json.load(f)
    try:
        if name in WRAPPER_FILES:
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
