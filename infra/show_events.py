"""Prints the events the application received on its bus: the local stack's rule sends every event
the bundle publishes (source prefix `graph-functions.`) to an SQS queue on moto server, and this
reads that queue as an application would, deleting what it read.

Usage: show_events.py MOTO_URL QUEUE_URL [EXPECTED_DETAIL_TYPE ...]

Waits until every expected detail-type has arrived (at most 20 s), then until the queue has been
quiet for a second; prints one line per event (`detail-type`, then its detail) and exits 1 when an
expected detail-type never came.
"""

import json
import sys
import time

import boto3

WAIT_SECONDS = 20
QUIET_SECONDS = 1.0


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    moto_url, queue_url, expected = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    sqs = boto3.client(
        "sqs",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    deadline = time.monotonic() + WAIT_SECONDS
    last_seen = time.monotonic()
    seen = set()
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            if expected <= seen and time.monotonic() - last_seen >= QUIET_SECONDS:
                break
            time.sleep(0.1)
            continue
        last_seen = time.monotonic()
        for message in messages:
            event = json.loads(message["Body"])
            seen.add(event["detail-type"])
            print(f"  {event['source']} · {event['detail-type']}: {json.dumps(event['detail'], sort_keys=True)}")
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    missing = expected - seen
    if missing:
        sys.exit(f"the bus never delivered: {', '.join(sorted(missing))}")


if __name__ == "__main__":
    main()
