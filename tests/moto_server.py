"""moto's server, answering an operation moto does not implement as AWS
answers one an endpoint does not offer, instead of moto's HTTP 500 page
(which the SDK retries, then reads as a server failure).

EC2 (query protocol): HTTP 400 `InvalidAction`; JSON protocols such as
Network Firewall: HTTP 400 `UnknownOperationException`. Which calls moto 5
lacks is listed in docs/pull.md. Usage: python moto_server.py -H HOST -p PORT.
"""

import json
import sys

from moto.core.responses import BaseResponse
from moto.server import main

_call_action = BaseResponse.call_action


def call_action(self):
    try:
        return _call_action(self)
    except NotImplementedError as e:
        action = self._get_action()
        if self.service_name == "ec2":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                "<Response><Errors><Error><Code>InvalidAction</Code>"
                f"<Message>The action {action} is not valid for this web service ({e}).</Message>"
                "</Error></Errors><RequestID>moto-not-implemented</RequestID></Response>"
            )
            return 400, {"Content-Type": "text/xml"}, body
        body = json.dumps({"__type": "UnknownOperationException", "message": str(e)})
        return (
            400,
            {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": "UnknownOperationException"},
            body,
        )


BaseResponse.call_action = call_action

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
