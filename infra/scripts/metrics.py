#!/usr/bin/env python3
"""Sums the functions' metrics from the local stack's log: the lines in CloudWatch's embedded
metric format that CloudWatch Logs would turn into metrics on AWS. One row per metric and
dimension set: counters summed; samples (latencies, sizes) counted, with their median, 99th
percentile and maximum.

usage: infra/scripts/metrics.py [LOG ...]
       (default: target/test-stack/lambda.log and gateway.log; the gateway's lines are the
       metrics AWS itself keeps of what it emulates, such as a dead letter on its queue)
"""

import json
import sys
from collections import defaultdict
from pathlib import Path


def emf_documents(paths):
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                if '"_aws"' not in line:
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    # A line another process's output cut into: counted as lost, never guessed.
                    print(f"{path}: a metrics line that does not read", file=sys.stderr)


def collect(paths):
    counters = defaultdict(float)
    samples = defaultdict(list)
    units = {}
    for doc in emf_documents(paths):
        for directive in doc["_aws"].get("CloudWatchMetrics", []):
            names = directive.get("Dimensions", [[]])[0]
            dims = tuple((name, str(doc.get(name, ""))) for name in names)
            for metric in directive.get("Metrics", []):
                name = metric["Name"]
                units[name] = metric.get("Unit", "")
                value = doc.get(name)
                key = (name, dims)
                if isinstance(value, list):
                    samples[key].extend(float(v) for v in value)
                elif value is not None:
                    counters[key] += float(value)
    return counters, samples, units


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv):
    state = Path(__file__).resolve().parents[2] / "target/test-stack"
    paths = argv[1:] or [str(state / "lambda.log"), str(state / "gateway.log")]
    counters, samples, units = collect(paths)
    rows = []
    for (name, dims), total in counters.items():
        rows.append((name, dims, f"{total:g}", units.get(name, "")))
    for (name, dims), values in samples.items():
        summary = (
            f"n={len(values)} p50={percentile(values, 0.5):.1f} "
            f"p99={percentile(values, 0.99):.1f} max={max(values):.1f}"
        )
        rows.append((name, dims, summary, units.get(name, "")))
    rows.sort(key=lambda r: (r[0], r[1]))
    print("| metric | dimensions | value | unit |")
    print("| --- | --- | --- | --- |")
    for name, dims, value, unit in rows:
        shown = ", ".join(f"{k}={v}" for k, v in dims)
        print(f"| {name} | {shown} | {value} | {unit} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
