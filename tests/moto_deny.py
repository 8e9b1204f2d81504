"""Creates an IAM user in a moto server started with INITIAL_NO_AUTH_ACTION_COUNT=3
(exactly these three calls run unauthenticated) whose policy allows everything but
the EC2 actions given on the command line. Prints {"AccessKeyId", "SecretAccessKey"}.

Usage: python moto_deny.py ENDPOINT_URL ec2:DescribeNetworkAcls [...]
"""

import json
import sys

import boto3

endpoint, denied = sys.argv[1], sys.argv[2:]
iam = boto3.client(
    "iam",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
iam.create_user(UserName="auditor")
iam.put_user_policy(
    UserName="auditor",
    PolicyName="all-but",
    PolicyDocument=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": denied, "Resource": "*"},
            ],
        }
    ),
)
key = iam.create_access_key(UserName="auditor")["AccessKey"]
json.dump({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}, sys.stdout)
