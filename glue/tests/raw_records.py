"""Realistic lake records and raw objects laid out as Firehose writes them, for the tests and the benchmark.

Records look like what the transform Lambda emits for each format (access logs, syslog RFC 3164/5424,
JSON app logs, unparsed lines), with event ids derived from delivery coordinates as lambda/shared/event-id.ts
does. Objects are GZIP'd JSON lines under raw/source=<source>/dt=<arrival date>/, named like Firehose's.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

FORMATS = ("common", "combined", "syslog_rfc3164", "syslog_rfc5424", "json", "unparsed")
SOURCES = ("kinesis", "kafka")
FIELDS = (
    "event_id", "source", "format", "timestamp", "ingested_at", "host", "client_ip", "user", "method", "path",
    "protocol", "status", "bytes", "referrer", "user_agent", "severity", "facility", "app", "proc_id", "message",
    "attributes", "raw",
)

_PATHS = ["/", "/index.html", "/api/v1/orders", "/api/v1/orders/1842", "/login", "/static/app.js", "/search?q=glue+spark", "/health"]
_AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "curl/8.5.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
]
_HOSTS = ["web-1", "web-2", "api-1", "worker-3"]
_SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]


def iso_millis(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def event_id(source: str, shard_or_topic: str, position: int, line_index: int) -> str:
    """Stable id from delivery coordinates, as lambda/shared/event-id.ts derives it."""
    if source == "kinesis":
        key = f"kinesis|{shard_or_topic}|{49650000000000000000000000000000000000000000000000000000 + position}||{line_index}"
    else:
        key = f"kafka|{shard_or_topic}|0|{position}|{line_index}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def empty_record() -> dict[str, Any]:
    return {name: None for name in FIELDS}


def make_record(rng: random.Random, fmt: str, source: str, position: int, when: datetime) -> dict[str, Any]:
    """One record as the transform Lambda would emit it for a line of format `fmt`."""
    record = empty_record()
    arrival = when + timedelta(milliseconds=rng.randint(20, 900))
    record.update(
        event_id=event_id(source, "shardId-000000000001" if source == "kinesis" else "logs", position, 0),
        source=source,
        format=fmt,
        timestamp=iso_millis(when),
        ingested_at=iso_millis(arrival),
    )
    status = rng.choice([200, 200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 500, 502, 503])
    if fmt in ("common", "combined"):
        path = rng.choice(_PATHS)
        method = rng.choice(["GET", "GET", "GET", "POST", "PUT", "DELETE"])
        record.update(
            client_ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            user=rng.choice([None, None, "alice", "bob"]),
            method=method,
            path=path,
            protocol="HTTP/1.1",
            status=status,
            bytes=rng.choice([0, rng.randint(100, 250_000)]),
        )
        if fmt == "combined":
            record.update(referrer=rng.choice([None, "https://example.com/", "https://example.com/search"]), user_agent=rng.choice(_AGENTS))
        if rng.random() < 0.05:
            record["attributes"] = {"ident": "app"}
    elif fmt == "syslog_rfc3164":
        record.update(
            host=rng.choice(_HOSTS),
            severity=rng.choice(_SEVERITIES),
            facility=rng.choice(["auth", "daemon", "kern", "local0"]),
            app=rng.choice(["sshd", "cron", "kernel", "systemd"]),
            proc_id=str(rng.randint(100, 65000)),
            message=rng.choice(["Accepted publickey for deploy from 10.0.0.4 port 51514 ssh2", "(root) CMD (run-parts /etc/cron.hourly)", "Out of memory: Killed process 4312"]),
        )
    elif fmt == "syslog_rfc5424":
        record.update(
            host=rng.choice(_HOSTS) + ".example.com",
            severity=rng.choice(_SEVERITIES),
            facility="local4",
            app="orders",
            proc_id=str(rng.randint(100, 65000)),
            message=f"order {rng.randint(1, 99999)} shipped",
            attributes={"msgid": "ID47", "sd.exampleSDID@32473.iut": "3", "sd.exampleSDID@32473.eventSource": "Application"},
        )
    elif fmt == "json":
        record.update(
            host=rng.choice(_HOSTS),
            severity=rng.choice(["info", "warn", "error", "debug"]),
            app=rng.choice(["checkout", "payments", "search"]),
            message=rng.choice(["request served", "payment declined", "cache miss", "retrying upstream"]),
            attributes={
                "request_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "duration_ms": str(rng.randint(1, 3000)),
                "tags": json.dumps(["web", "eu-west-1"]),
                "user": json.dumps({"id": rng.randint(1, 1000), "plan": "pro"}),
            },
        )
    else:  # unparsed: no usable time, so timestamp falls back to ingested_at
        record.update(timestamp=record["ingested_at"], raw=rng.choice(["kernel: [  12.345] random garbage \u00e9\u00e8", "--- MARK ---", "\tstack frame at 0x7f3a"]))
    return record


def make_records(
    count: int,
    seed: int = 7,
    start: datetime | None = None,
    sources: Iterable[str] = SOURCES,
    step_seconds: float = 3,
    first_position: int = 0,
) -> list[dict[str, Any]]:
    """`count` records cycling through every format and source, `step_seconds` apart.

    `first_position` offsets the delivery positions (and so the event ids) for generating data in chunks.
    """
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 24, 23, 50, tzinfo=timezone.utc)
    sources = tuple(sources)
    return [
        make_record(rng, FORMATS[i % len(FORMATS)], sources[(i // len(FORMATS)) % len(sources)], first_position + i, start + timedelta(seconds=(first_position + i) * step_seconds))
        for i in range(count)
    ]


def to_line(record: dict[str, Any]) -> str:
    """One compact JSON line; fields the format does not carry are left out, as the Lambda writes them."""
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False, separators=(",", ":"))


def firehose_object_name(source: str, arrival: datetime) -> str:
    stamp = arrival.strftime("%Y-%m-%d-%H-%M-%S")
    return f"log-pipeline-{source}-1-{stamp}-{uuid.uuid4()}.gz"


def write_firehose_object(lake_root: Path, source: str, arrival: datetime, lines: Iterable[str]) -> Path:
    """Writes one GZIP JSON-lines object where Firehose would (contracts/lake-layout.ts rawPrefixFor)."""
    directory = lake_root / "raw" / f"source={source}" / f"dt={arrival.strftime('%Y-%m-%d')}"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / firehose_object_name(source, arrival)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for line in lines:
            out.write(line)
            out.write("\n")
    return path


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
