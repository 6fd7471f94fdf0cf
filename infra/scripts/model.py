#!/usr/bin/env python3
"""A latency and cost model of a message on AWS: the waves of each path (a direct message over
REST and over the WebSocket, chats of 16, 200 and 1,000 members), before and after the send in
three waves, times per-call latencies; and the cost of a million messages of each at on-demand
prices.

    infra/scripts/model.py                    # the model, from docs/benchmarks.md
    infra/scripts/model.py --waves            # also each path's waves, one by one
    infra/scripts/model.py --inputs           # also the per-call latencies and their sources
    infra/scripts/model.py --capacity FILE    # the capacity tests' printed output instead

Inputs, all at the top of this file or read at run time:

- CALLS: the latency of one call of each kind, p50 and p99, with where each figure comes from.
  They are assumptions until replaced by measured figures (CloudWatch's `IntegrationLatency`
  and `Latency` of the two APIs, the functions' wave spans, DynamoDB's
  `SuccessfulRequestLatency`, the stream's `IteratorAge`).
- PRICES: us-east-1 list prices, as of PRICES_AS_OF.
- The read and write capacity of a send, as the capacity tests measure it
  (`tests/tests/capacity.rs`): parsed from the recorded output in docs/benchmarks.md's section
  "DynamoDB capacity per operation" or, with --capacity, from a file holding what the tests
  printed (`cargo test -p e2e --test capacity -- --nocapture`). The figures are DynamoDB's
  consumed capacity, in which a transactional write already counts twice; they are used as
  they are. What the tests do not measure (the session and the write count, which the adapters
  add; the look-up of sockets; the delivery function's reads) is in EXTRA_CAPACITY, estimated
  from the items' sizes.
- Memory sizes and the architecture: read from template.yaml.

A wave of concurrent calls lasts as long as its slowest call. Each call's latency is taken as
log-normal through its p50 and p99, so a wave's median and p99 are those of the maximum of its
calls. A path's p50 is the sum of its waves' medians; its tail, the sum of their p99s, is an
upper bound (the waves rarely all meet their tails in one request). The client's own network
to the region is left out: it is the same before and after.

Python 3 standard library only; no network.
"""

import argparse
import math
import re
import sys
from pathlib import Path
from statistics import NormalDist

ROOT = Path(__file__).resolve().parents[2]

# Per-call latency in milliseconds, warm, from inside us-east-1: (p50, p99, source). None of
# these is measured by this repository on AWS; each is an assumption to replace.
CALLS = {
    "http_api": (6.0, 20.0, "API Gateway HTTP API's own overhead (gateway in and out, not the "
                 "function): AWS's HTTP API launch post calls it lower-latency than REST APIs; "
                 "public comparisons put it at a few ms to ~10 ms (assumption)"),
    "websocket_api": (8.0, 25.0, "API Gateway WebSocket API, frame to route integration "
                      "(assumption, same order as the HTTP API)"),
    "lambda_invoke": (12.0, 35.0, "Lambda invoke of a warm function, service overhead (gateway "
                      "to function, and the delivery shares' synchronous Invoke): widely "
                      "measured at ~10-20 ms (assumption; cold starts excluded)"),
    "own_work": (1.0, 3.0, "a Rust function's own CPU per request at 256 MB (JSON, JWT check, "
                 "SDK signing): assumption"),
    "get_item": (4.0, 12.0, "DynamoDB GetItem, strongly consistent: 'single-digit millisecond' "
                 "(DynamoDB developer guide); p50 3-5 ms from Lambda is widely measured"),
    "update_item": (5.0, 15.0, "DynamoDB UpdateItem (single-item write): a little above a read "
                    "(DynamoDB developer guide; assumption)"),
    "batch_get_item": (6.0, 20.0, "DynamoDB BatchGetItem of up to 100 keys: its slowest key "
                       "(assumption)"),
    "transact_write_items": (12.0, 35.0, "DynamoDB TransactWriteItems of 3-5 items: two phases, "
                             "widely measured at 10-20 ms (assumption)"),
    "post_to_connection": (20.0, 60.0, "API Gateway Management API PostToConnection, until the "
                           "frame is handed to the socket: widely reported at 15-40 ms "
                           "(assumption)"),
    "stream_to_lambda": (250.0, 1000.0, "DynamoDB Streams record to the delivery function's "
                         "start: Lambda polls a stream's shards 4 times a second (Lambda "
                         "developer guide), records appear within about a second (DynamoDB "
                         "Streams guide); assumption, replace with IteratorAge"),
}

# us-east-1 on-demand list prices in USD. Check them against the AWS pricing pages before use.
PRICES_AS_OF = "2025-06-01"
PRICES = {
    "http_api_request": 1.00e-6,        # HTTP API, per request (first 300 M a month), per 512 KB
    "websocket_message": 1.00e-6,       # WebSocket API, per message in either direction, per 32 KB
    "websocket_connection_minute": 0.25e-6,
    "lambda_request": 0.20e-6,
    "lambda_gb_second_arm64": 0.0000133334,
    "lambda_gb_second_x86_64": 0.0000166667,
    "dynamodb_read_unit": 0.125e-6,     # on demand, per read request unit (since 2024-11-01)
    "dynamodb_write_unit": 0.625e-6,    # on demand, per write request unit (since 2024-11-01)
    "streams_read_request": 0.02e-5,    # GetRecords; free when Lambda's trigger reads the stream
    "logs_ingested_gb": 0.50,           # CloudWatch Logs, standard class
    "xray_trace": 5.00e-6,              # X-Ray traces recorded
}

# Log bytes per invocation: Lambda's START/END/REPORT lines, the request's line and the
# metrics in CloudWatch's embedded format (chat_lambda::telemetry). An estimate.
LOG_BYTES_PER_INVOCATION = 1500
# Active tracing samples the first request each second and 5% of the rest: at volume, 5%.
XRAY_SAMPLED = 0.05

# Pushes in flight per invocation (crates/chat-aws/src/push.rs, MAX_IN_FLIGHT), users per share
# of the delivery function (template.yaml, DELIVERY_SHARD_USERS), keys per BatchGetItem.
MAX_IN_FLIGHT = 64
SHARD_USERS = 250
BATCH_GET_MAX = 100
# Chats above this size are pushed from the stream (chat_core::conversation).
INLINE_FANOUT_MAX_MEMBERS = 16
# Open sockets per member; every member online, as in the real-time bench.
SOCKETS_PER_USER = 1
# A frame and a pushed event are well under one 32 KB unit of the WebSocket API.
EVENT_UNITS = 1

# Capacity the capacity tests do not measure, from the items' sizes: (RCU, WCU).
EXTRA_CAPACITY = {
    # The caller's item, strongly consistent, under 4 KB (sessions and all).
    "session": (1.0, 0.0),
    # The write count's conditional ADD on its window's item.
    "write_count": (0.0, 1.0),
    # A frame's lease renewal: the record (1 WCU) and its move in the by_lease index (a delete
    # and a put there) (docs/architecture.md, "Presence").
    "lease": (0.0, 3.0),
    # A sendMessage frame's count against its connection's limit.
    "frame_count": (0.0, 1.0),
    # A user's connection index item, eventually consistent, under 4 KB: half a unit each.
    "sockets_per_user": (0.5, 0.0),
    # A chat's meta item, strongly consistent: its member set of 26-byte ids, 4 KB a unit.
    "chat_member_bytes": (26.0, 0.0),
}


def lognormal(call):
    p50, p99, _ = CALLS[call]
    return p50, math.log(p99 / p50) / NormalDist().inv_cdf(0.99)


def wave_quantile(wave, q):
    """The q-quantile of a wave's duration: the maximum of its calls, {call: count}."""
    dists = [(lognormal(call), count) for call, count in wave.items() if count > 0]
    if not dists:
        return 0.0
    norm = NormalDist()

    def cdf(t):
        product = 1.0
        for (p50, sigma), count in dists:
            product *= norm.cdf(math.log(t / p50) / sigma) ** count
        return product

    low, high = 1e-6, 1e6
    for _ in range(100):
        mid = math.sqrt(low * high)
        low, high = (mid, high) if cdf(mid) < q else (low, mid)
    return high


def push_rounds(sockets, shares=1):
    """The waves of pushing to `sockets` split over `shares` invocations, each with
    MAX_IN_FLIGHT in flight: a round is one push per slot of every share. A pool refills as
    each push returns, so rounds are a little pessimistic."""
    per_share = math.ceil(sockets / shares)
    rounds = []
    while per_share > 0:
        rounds.append({"post_to_connection": min(per_share, MAX_IN_FLIGHT) * shares})
        per_share -= MAX_IN_FLIGHT
    return rounds


class Flow:
    """A path: named waves in order, each {call: count}; which wave the answer and the last
    socket come after; the calls' capacity; the invocations and their durations."""

    def __init__(self, name):
        self.name = name
        self.waves = []           # (label, {call: count}, function or None)
        self.answered = None      # index of the wave the answer follows
        self.reached = None       # index of the wave the last socket is reached in
        self.shares_from = None   # index of the first wave a delivery share runs itself
        self.rcu = self.wcu = 0.0
        self.invocations = {}     # function -> count
        self.ws_messages = 0
        self.http_requests = 0
        self.connection_minutes = 0

    def wave(self, label, calls, function=None):
        self.waves.append((label, calls, function))
        return len(self.waves) - 1

    def latency(self, upto, q):
        return sum(wave_quantile(calls, q) for _, calls, _ in self.waves[: upto + 1])

    def round_trips(self, upto):
        """The functions' waves up to `upto`: the round trips the code makes one after another
        (a function's own work is none, the gateways and the stream are not the code's)."""
        return sum(1 for _, calls, f in self.waves[: upto + 1] if f and "own_work" not in calls)

    def billed_ms(self, function):
        """The billed duration of each invocation of `function`, at p50: the coordinator of a
        large chat runs every wave of the delivery (it waits for its shares), each share only
        its own reads and pushes."""
        def ms(waves):
            own = (calls for _, calls, f in waves if f == function)
            return math.ceil(sum(wave_quantile(calls, 0.5) for calls in own))
        whole = ms(self.waves)
        count = self.invocations[function]
        if function != "delivery" or self.shares_from is None:
            return [whole] * count
        return [whole] + [ms(self.waves[self.shares_from:])] * (count - 1)


def members_rows(capacity, members):
    """The send's own capacity for a chat of `members`: the row of the largest size the tests
    measured at or below it (the tests assert the size does not matter)."""
    sizes = sorted(size for size in capacity["chat_by_size"] if size <= members)
    return capacity["chat_by_size"][sizes[-1]] if sizes else capacity["send a chat message"]


def chat_meta_rcu(members):
    return math.ceil(members * EXTRA_CAPACITY["chat_member_bytes"][0] / 4096)


def sockets_rcu(users):
    return users * EXTRA_CAPACITY["sockets_per_user"][0]


def direct(capacity, after, websocket):
    door = "WebSocket" if websocket else "REST"
    p = Flow(f"DM, {door}")
    fn = "ws-send" if websocket else "messages"
    p.invocations[fn] = 1
    sockets = 2 * SOCKETS_PER_USER   # message.created goes to both users' sockets
    if websocket:
        p.wave("WebSocket API, invoke", {"websocket_api": 1, "lambda_invoke": 1})
        p.wave("renew lease + frame count", {"update_item": 2}, fn)
        p.wcu += EXTRA_CAPACITY["lease"][1] + EXTRA_CAPACITY["frame_count"][1]
        p.ws_messages += EVENT_UNITS      # the frame in
    else:
        p.wave("HTTP API, invoke", {"http_api": 1, "lambda_invoke": 1})
        p.http_requests += 1
    p.wave("own work", {"own_work": 1}, fn)
    rcu, wcu = capacity["send a direct message"]
    p.rcu += rcu + EXTRA_CAPACITY["session"][0] + sockets_rcu(2)
    p.wcu += wcu + EXTRA_CAPACITY["write_count"][1]
    if after:
        p.wave("session, write count, recipient, sequence, sockets",
               {"get_item": 3, "update_item": 1, "batch_get_item": 1}, fn)
        p.wave("transaction", {"transact_write_items": 1}, fn)
        p.reached = p.wave("pushes + sockets re-read",
                           {"post_to_connection": sockets, "batch_get_item": 1}, fn)
        p.rcu += sockets_rcu(2)   # the re-read after the commit
    else:
        p.wave("session, write count", {"get_item": 1, "update_item": 1}, fn)
        p.wave("recipient", {"get_item": 1}, fn)
        p.wave("sequence", {"get_item": 1}, fn)
        p.wave("transaction", {"transact_write_items": 1}, fn)
        p.wave("sockets", {"batch_get_item": 1}, fn)
        p.reached = p.wave("pushes", {"post_to_connection": sockets}, fn)
    p.ws_messages += sockets * EVENT_UNITS
    if websocket:
        p.answered = p.wave("message.sent", {"post_to_connection": 1}, fn)
        p.ws_messages += EVENT_UNITS
    else:
        p.answered = p.reached
    return p


def chat(capacity, members, after):
    p = Flow(f"chat of {members:,}, REST")
    p.invocations["messages"] = 1
    p.http_requests += 1
    p.wave("HTTP API, invoke", {"http_api": 1, "lambda_invoke": 1})
    p.wave("own work", {"own_work": 1}, "messages")
    rcu, wcu = members_rows(capacity, members)
    p.rcu += rcu + EXTRA_CAPACITY["session"][0] + sockets_rcu(members)
    p.wcu += wcu + EXTRA_CAPACITY["write_count"][1]
    small = members <= INLINE_FANOUT_MAX_MEMBERS
    if after:
        # The members' look-up (eventually consistent: half the units) beside the reads, on
        # every chat's send: only its answer tells the chat's size. The strongly consistent
        # read after the commit is gone: a small chat's audience is the looked-up members, a
        # large chat's the members a warm delivery instance read at the same version.
        p.wave("session, write count, sequence, members",
               {"get_item": 3, "update_item": 1}, "messages")
        p.rcu += chat_meta_rcu(members) / 2
    else:
        p.rcu += chat_meta_rcu(members)
        p.wave("session, write count", {"get_item": 1, "update_item": 1}, "messages")
        p.wave("sequence", {"get_item": 1}, "messages")
    sockets = members * SOCKETS_PER_USER
    p.ws_messages += sockets * EVENT_UNITS
    keys = math.ceil(members / BATCH_GET_MAX)
    if small and after:
        # The looked-up members' sockets beside the transaction (the members are those of the
        # version it is stored at), then the pushes beside the sockets' second read.
        p.wave("transaction, members' sockets",
               {"transact_write_items": 1, "batch_get_item": keys}, "messages")
        p.rcu += sockets_rcu(members)   # the re-read after the commit
        rounds = push_rounds(sockets)
        rounds[0] = dict(rounds[0], batch_get_item=keys)
        for r in rounds:
            p.reached = p.wave("pushes + sockets re-read", r, "messages")
        p.answered = p.reached
        return p
    if small:
        p.wave("transaction", {"transact_write_items": 1}, "messages")
        p.wave("the chat's members", {"get_item": 1}, "messages")
        p.wave("sockets", {"batch_get_item": keys}, "messages")
        for r in push_rounds(sockets):
            p.reached = p.wave("pushes", r, "messages")
        p.answered = p.reached
        return p
    p.answered = p.wave("transaction", {"transact_write_items": 1}, "messages")
    # The delivery function: the coordinator reads the members and pushes the first share; the
    # other shares run in invocations of their own, which the coordinator waits for.
    shares = math.ceil(members / SHARD_USERS)
    p.invocations["delivery"] = shares
    p.wave("stream to the delivery function", {"stream_to_lambda": 1})
    if not after:
        p.wave("the chat's members", {"get_item": 1}, "delivery")
    keys = math.ceil(min(members, SHARD_USERS) / BATCH_GET_MAX)
    handed = shares - 1
    if handed:
        p.wave("invoke the other shares", {"lambda_invoke": handed}, "delivery")
    p.shares_from = p.wave("sockets, each share", {"batch_get_item": keys * max(handed, 1)},
                           "delivery")
    for r in push_rounds(sockets - (SHARD_USERS if handed else 0), max(handed, 1)):
        p.reached = p.wave("pushes, each share", r, "delivery")
    return p


def keep_alive():
    """A socket open for a minute: the client's ping (clients ping at least every 60 s, and a
    lease is three pings), the lease's renewal, the pong; no write count."""
    p = Flow("socket open 1 min")
    p.invocations["ws-send"] = 1
    p.connection_minutes = 1
    p.wave("WebSocket API, invoke", {"websocket_api": 1, "lambda_invoke": 1})
    p.wave("own work", {"own_work": 1}, "ws-send")
    p.wave("renew lease", {"update_item": 1}, "ws-send")
    p.answered = p.reached = p.wave("pong", {"post_to_connection": 1}, "ws-send")
    p.wcu += EXTRA_CAPACITY["lease"][1]
    p.ws_messages += 2 * EVENT_UNITS
    return p


def paths(capacity):
    for after in (False, True):
        yield after, direct(capacity, after, websocket=False)
        yield after, direct(capacity, after, websocket=True)
        for members in (INLINE_FANOUT_MAX_MEMBERS, 200, 1000):
            yield after, chat(capacity, members, after)


def parse_capacity(text):
    """The capacity tests' figures, from their printed output (or the page that records it):
    each operation's (RCU, WCU) with the most messages stored, and a chat send by size."""
    found, by_size = {}, {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 3 and re.fullmatch(r"[\d,]+ members", cells[0]):
            members = int(cells[0].split()[0].replace(",", ""))
            by_size[members] = (float(cells[1]), float(cells[2]))
        elif len(cells) >= 2:
            pairs = re.findall(r"([\d.]+) RCU\s+([\d.]+) WCU", line)
            if pairs:
                found[re.sub(r"\s*\(.*\)$", "", cells[0])] = tuple(map(float, pairs[-1]))
    missing = [k for k in ("send a direct message", "send a chat message") if k not in found]
    if missing:
        raise ValueError(f"no capacity figure for: {', '.join(missing)}")
    found["chat_by_size"] = by_size
    return found


def benchmarks_section(path):
    """The capacity section of docs/benchmarks.md: its heading to the next one."""
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^## DynamoDB capacity per operation\n(.*?)(?=^## )", text, re.M | re.S)
    if not match:
        raise ValueError(f"{path}: no section 'DynamoDB capacity per operation'")
    return match.group(1)


def template_functions(path):
    """Each function's memory (MB) and the architecture, from the SAM template: the Globals'
    MemorySize unless the function sets its own."""
    text = path.read_text(encoding="utf-8")
    globals_block = re.search(r"^Globals:\n(.*?)^\S", text, re.M | re.S).group(1)
    default = int(re.search(r"MemorySize: (\d+)", globals_block).group(1))
    arch = re.search(r"Architectures: \[(\w+)\]", globals_block).group(1)
    memory = {}
    for match in re.finditer(r"^  (\w+)Function:\n(.*?)(?=^  \S|\Z)", text, re.M | re.S):
        binary = re.search(r"Binary: ([\w-]+)", match.group(2))
        own = re.search(r"^      MemorySize: (\d+)", match.group(2), re.M)
        if binary:
            memory[binary.group(1)] = int(own.group(1)) if own else default
    return memory, arch


def costs(p, memory, arch):
    """USD per message, by line."""
    invocations = sum(p.invocations.values())
    gb_seconds = sum(ms / 1000 * memory[function] / 1024
                     for function in p.invocations for ms in p.billed_ms(function))
    return {
        "API Gateway": p.http_requests * PRICES["http_api_request"]
        + p.ws_messages * PRICES["websocket_message"]
        + p.connection_minutes * PRICES["websocket_connection_minute"],
        "Lambda": invocations * PRICES["lambda_request"]
        + gb_seconds * PRICES[f"lambda_gb_second_{arch}"],
        "DynamoDB reads": p.rcu * PRICES["dynamodb_read_unit"],
        "DynamoDB writes": p.wcu * PRICES["dynamodb_write_unit"],
        # Lambda's stream trigger reads the stream for free.
        "Streams": 0.0,
        "logs, traces": invocations * (LOG_BYTES_PER_INVOCATION / 1e9 * PRICES["logs_ingested_gb"]
                                       + XRAY_SAMPLED * PRICES["xray_trace"]),
    }


def report(capacity, memory, arch, show_waves, source, show_inputs=False):
    out = []
    print_ = out.append
    if show_inputs:
        print_("Per-call latency assumed (ms, warm, in us-east-1; replace with measured figures):")
        for call, (p50, p99, why) in CALLS.items():
            print_(f"  {call:<22} p50 {p50:7.1f}  p99 {p99:7.1f}  {why}")
        print_("")
    print_("Latency (ms): p50 = sum of the waves' medians; tail = sum of their p99s (a bound);"
           " per-call figures: CALLS (--inputs)")
    header = (f"{'path':<20} {'':<6} {'round trips':>11} | {'answered p50':>12} {'tail':>7} |"
              f" {'last socket p50':>15} {'tail':>7}")
    print_(header)
    print_("-" * len(header))
    built = list(paths(capacity))
    for after, p in built:
        trips = f"{p.round_trips(p.answered)} / {p.round_trips(p.reached)}"
        print_(f"{p.name:<20} {'after' if after else 'before':<6} {trips:>11} |"
               f" {p.latency(p.answered, 0.5):12.1f} {p.latency(p.answered, 0.99):7.1f} |"
               f" {p.latency(p.reached, 0.5):15.1f} {p.latency(p.reached, 0.99):7.1f}")
    print_("(round trips: the functions' waves of calls, to the answer / to the last socket)")
    print_("")
    lines = list(costs(built[0][1], memory, arch))
    print_(f"Cost per million messages (USD, us-east-1 on demand, prices as of {PRICES_AS_OF};"
           f" Lambda {arch})")
    print_(f"capacity per send from {source}; one socket per member")
    header = (f"{'path':<20} {'':<6} {'RCU':>6} {'WCU':>5} |"
              + "".join(f" {name:>9}" for name in ("API GW", "Lambda", "DDB read", "DDB write",
                                                    "Streams", "logs"))
              + f" | {'total':>8}")
    print_(header)
    print_("-" * len(header))
    for after, p in built + [(None, keep_alive())]:
        c = costs(p, memory, arch)
        when = {True: "after", False: "before", None: ""}[after]
        print_(f"{p.name:<20} {when:<6} {p.rcu:6.1f} {p.wcu:5.1f} |"
               + "".join(f" {c[name] * 1e6:9.2f}" for name in lines)
               + f" | {sum(c.values()) * 1e6:8.2f}")
    print_("(socket open 1 min: per million connection-minutes, its ping and pong included;"
           " logs: CloudWatch Logs and X-Ray)")
    if show_waves:
        for after, p in built:
            print_("")
            print_(f"{p.name}, {'after' if after else 'before'}:")
            for label, calls, function in p.waves:
                what = ", ".join(f"{n} {c}" for c, n in calls.items())
                print_(f"  {wave_quantile(calls, 0.5):7.1f} ms  {label:<52} {what}"
                       + (f"  [{function}]" if function else ""))
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity", type=Path,
                        help="a file of the capacity tests' printed output (default: the "
                             "figures docs/benchmarks.md records)")
    parser.add_argument("--waves", action="store_true", help="also print each path's waves")
    parser.add_argument("--inputs", action="store_true",
                        help="also print the per-call latencies assumed, with their sources")
    args = parser.parse_args(argv)
    if args.capacity:
        capacity = parse_capacity(args.capacity.read_text(encoding="utf-8"))
        source = str(args.capacity)
    else:
        doc = ROOT / "docs" / "benchmarks.md"
        capacity = parse_capacity(benchmarks_section(doc))
        source = "docs/benchmarks.md"
    memory, arch = template_functions(ROOT / "template.yaml")
    print(report(capacity, memory, arch, args.waves, source, args.inputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
