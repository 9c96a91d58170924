#!/usr/bin/env python3
"""Reads a topic the chat service wrote with Confluent's own Python client, as a third party would.

Consumes every partition of TOPIC from the beginning with confluent_kafka.DeserializingConsumer and the
AvroDeserializer, which looks each record's writer schema up in the schema registry by the id in the Confluent wire
format header. Prints one JSON object per record on stdout:

    {"partition": 0, "offset": 0, "key": "room-r1", "value": {...the decoded Avro record...}}

Avro timestamps (timestamp-millis) decode to timezone-aware datetimes; they are printed as ISO 8601 with milliseconds.
Enums decode to their symbols. Stops when it has read up to the end each partition had when it started, and exits
with 0; with 3 if that does not happen within --timeout seconds; with 2 on a client or decoding error.

Used by test/interop/pythonConsumer.int.test.ts; dependencies are pinned in test/interop/requirements.txt.
"""

import argparse
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, KafkaException, TopicPartition
from confluent_kafka.error import ConsumeError
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import StringDeserializer
from confluent_kafka import DeserializingConsumer


def to_json(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers, e.g. 127.0.0.1:9092")
    parser.add_argument(
        "--registry-url",
        required=True,
        help="Confluent-compatible registry base URL, path prefix included (Apicurio: .../apis/ccompat/v7)",
    )
    parser.add_argument("--topic", required=True)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the whole topic")
    args = parser.parse_args()

    registry = SchemaRegistryClient({"url": args.registry_url})
    consumer = DeserializingConsumer(
        {
            "bootstrap.servers": args.bootstrap,
            # Never committed: partitions are assigned by hand, so the group only names this reader in broker logs.
            "group.id": f"interop-python-{uuid.uuid4()}",
            "enable.auto.commit": False,
            # The service writes transactionally in the distributed mode; a third party sees committed events only.
            "isolation.level": "read_committed",
            "key.deserializer": StringDeserializer("utf_8"),
            "value.deserializer": AvroDeserializer(registry),
        }
    )
    deadline = time.monotonic() + args.timeout
    try:
        metadata = consumer.list_topics(args.topic, timeout=max(1.0, deadline - time.monotonic()))
        topic = metadata.topics.get(args.topic)
        if topic is None or topic.error is not None or not topic.partitions:
            print(f"topic {args.topic} not found: {topic.error if topic else 'no metadata'}", file=sys.stderr)
            return 2
        partitions = [TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in sorted(topic.partitions)]
        # The end of each partition now: what the service had written when this reader started.
        ends = {}
        for tp in partitions:
            _low, high = consumer.get_watermark_offsets(tp, timeout=max(1.0, deadline - time.monotonic()))
            ends[tp.partition] = high
        consumer.assign(partitions)

        while True:
            done = all(
                end == 0 or position.offset >= end
                for position, end in ((p, ends[p.partition]) for p in consumer.position(partitions))
            )
            if done:
                return 0
            if time.monotonic() > deadline:
                positions = {p.partition: p.offset for p in consumer.position(partitions)}
                print(f"timed out: positions {positions}, ends {ends}", file=sys.stderr)
                return 3
            message = consumer.poll(0.5)
            if message is None:
                continue
            record = {
                "partition": message.partition(),
                "offset": message.offset(),
                "key": message.key(),
                "value": message.value(),
            }
            print(json.dumps(record, default=to_json, ensure_ascii=False), flush=True)
    except (ConsumeError, KafkaException) as error:
        print(f"consumer failed: {error}", file=sys.stderr)
        return 2
    finally:
        consumer.close()


if __name__ == "__main__":
    sys.exit(main())
