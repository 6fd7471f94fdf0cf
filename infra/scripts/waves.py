#!/usr/bin/env python3
"""The waves of the functions' requests, read back from a local stack's logs: the median and
p90 duration of each wave (`chat_core::waves`, logged with LOG_WAVES=1) and of each kind of
AWS call in it (the SDK's span of the operation, under the wave it ran in), and the emulator's
own share of a REST send: the gateway's time for `POST /messages` (its access log) less the
messages function's own (its `request` line), as medians of each, since the two logs share no
request id.

usage: waves.py LAMBDA_LOG GATEWAY_LOG
"""
import json
import math
import re
import statistics
import sys

UNITS = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}
ACCESS = re.compile(r"access: POST /messages (\d{3}) ([0-9.]+)ms")


def millis(text):
    """A tracing duration such as `1.23ms` or `456µs`, in milliseconds."""
    match = re.fullmatch(r"([0-9.]+)\s*([a-zµ]+)", text.strip())
    if not match or match.group(2) not in UNITS:
        raise ValueError(f"not a duration: {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def json_lines(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            start = line.find("{")
            if start < 0:
                continue
            try:
                yield json.loads(line[start:])
            except json.JSONDecodeError:
                continue


def duration(entry):
    fields = entry["fields"]
    return millis(fields["time.busy"]) + millis(fields["time.idle"])


def closed_spans(lambda_log):
    for entry in json_lines(lambda_log):
        if entry.get("fields", {}).get("message") == "close" and "span" in entry:
            yield entry


def waves(lambda_log):
    found = {}
    for entry in closed_spans(lambda_log):
        name = entry["span"].get("wave")
        if name:
            found.setdefault(name, []).append(duration(entry))
    return found


def calls(lambda_log):
    """Each AWS call's duration by (its wave, `-` outside any, the operation's span name)."""
    found = {}
    for entry in closed_spans(lambda_log):
        if not entry.get("target", "").startswith("aws_sdk_"):
            continue
        scope = [s.get("wave") for s in entry.get("spans", []) if s.get("wave")]
        key = (scope[-1] if scope else "-", entry["span"].get("name", "?"))
        found.setdefault(key, []).append(duration(entry))
    return found


def sends_in_function(lambda_log):
    return [
        e["fields"]["duration_ms"]
        for e in json_lines(lambda_log)
        if e.get("fields", {}).get("message") == "request"
        and e["fields"].get("method") == "POST"
        and e["fields"].get("path") == "/messages"
        and e["fields"].get("status") in (200, 201)
    ]


def sends_at_gateway(gateway_log):
    times = []
    with open(gateway_log, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = ACCESS.search(line)
            if match and match.group(1) in ("200", "201"):
                times.append(float(match.group(2)))
    return times


def p90(values):
    """The nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.9) - 1)]


def figures(label, values):
    return (
        f"{label} n={len(values):<6} median {statistics.median(values):7.2f} ms"
        f"  p90 {p90(values):7.2f} ms"
    )


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    lambda_log, gateway_log = sys.argv[1:]
    found = waves(lambda_log)
    if not found:
        print("waves: none logged (was the stack started with LOG_WAVES=1?)")
    for name in sorted(found):
        print(figures(f"wave {name:<14}", found[name]))
    by_call = calls(lambda_log)
    for wave, operation in sorted(by_call):
        print(figures(f"call {wave:<14} {operation:<40}", by_call[(wave, operation)]))
    inside, outside = sends_in_function(lambda_log), sends_at_gateway(gateway_log)
    if inside and outside:
        own, total = statistics.median(inside), statistics.median(outside)
        print(
            f"REST send: gateway median {total:.2f} ms (n={len(outside)}), function median "
            f"{own:.2f} ms (n={len(inside)}): the emulator's share {total - own:.2f} ms"
        )


if __name__ == "__main__":
    main()
