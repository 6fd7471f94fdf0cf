#!/usr/bin/env python3
"""The latency and cost model's figures follow from its inputs: the capacity the tests
measured, the per-call latencies, the prices and the waves read from the code.

    python3 infra/scripts/test_model.py

Python 3 standard library only, and no build: ./infra/test.sh runs it with the documentation
check.
"""

import contextlib
import io
import math
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import model  # noqa: E402

# What the capacity tests print (tests/tests/capacity.rs), in their own layout.
PRINTED = """
consumed capacity                |    100 messages     |   5,000 messages
send a direct message            |   2.0 RCU  8.0 WCU |   2.0 RCU  8.0 WCU
send a chat message (3 members)  |   1.0 RCU  8.0 WCU |   1.0 RCU  8.0 WCU
one history page (50)            |   4.0 RCU  0.0 WCU |   4.0 RCU  0.0 WCU

send a chat message          |     RCU |     WCU
2 members                    |     1.0 |     8.0
1000 members                 |     1.0 |     8.0
"""


def capacity(direct=(2.0, 8.0), chat=(1.0, 8.0)):
    return {"send a direct message": direct, "send a chat message": chat,
            "chat_by_size": {2: chat, 1000: chat}}


def flow(name, after, figures=None):
    return next(p for a, p in model.paths(figures or capacity()) if p.name == name and a == after)


def cost(p, line):
    memory, arch = model.template_functions(model.ROOT / "template.yaml")
    return model.costs(p, memory, arch)[line]


class Inputs(unittest.TestCase):
    def test_the_recorded_capacity_is_what_the_tests_print(self):
        page = model.ROOT / "docs" / "benchmarks.md"
        recorded = model.parse_capacity(model.benchmarks_section(page))
        printed = model.parse_capacity(PRINTED)
        for name in ("send a direct message", "send a chat message"):
            self.assertEqual(len(recorded[name]), 2, name)
        self.assertEqual(printed["send a direct message"], (2.0, 8.0))
        self.assertEqual(printed["chat_by_size"], {2: (1.0, 8.0), 1000: (1.0, 8.0)})

    def test_output_without_a_send_figure_is_refused(self):
        with self.assertRaises(ValueError):
            model.parse_capacity("one history page (50) | 4.0 RCU 0.0 WCU | 4.0 RCU 0.0 WCU")

    def test_memory_and_architecture_come_from_the_template(self):
        memory, arch = model.template_functions(model.ROOT / "template.yaml")
        self.assertIn(arch, ("arm64", "x86_64"))
        self.assertEqual(memory["users"], 512)
        for function in ("messages", "ws-send", "delivery"):
            self.assertGreater(memory[function], 0)


class Latency(unittest.TestCase):
    def test_a_wave_of_one_call_costs_that_call(self):
        p50, p99, _ = model.CALLS["get_item"]
        self.assertAlmostEqual(model.wave_quantile({"get_item": 1}, 0.5), p50, places=3)
        self.assertAlmostEqual(model.wave_quantile({"get_item": 1}, 0.99), p99, places=3)

    def test_a_wave_costs_its_slowest_call(self):
        one = model.wave_quantile({"get_item": 1}, 0.5)
        several = model.wave_quantile({"get_item": 3, "transact_write_items": 1}, 0.5)
        self.assertGreater(several, model.CALLS["transact_write_items"][0])
        self.assertGreater(several, one)

    def test_a_path_is_the_sum_of_its_waves(self):
        p = flow("DM, REST", True)
        total = sum(model.wave_quantile(calls, 0.5) for _, calls, _ in p.waves)
        self.assertAlmostEqual(p.latency(p.answered, 0.5), total)

    def test_the_waves_counted_are_the_codes(self):
        self.assertEqual(flow("DM, REST", False).round_trips(flow("DM, REST", False).answered), 6)
        after = flow("DM, REST", True)
        self.assertEqual(after.round_trips(after.answered), 3)
        large = flow("chat of 1,000, REST", True)
        self.assertEqual(large.round_trips(large.answered), 2)
        small_before, small = flow("chat of 16, REST", False), flow("chat of 16, REST", True)
        self.assertEqual(small_before.round_trips(small_before.reached), 6)
        self.assertEqual(small.round_trips(small.reached), 3)

    def test_a_slower_get_item_costs_the_old_send_more(self):
        def saved():
            before, after = flow("DM, REST", False), flow("DM, REST", True)
            return before.latency(before.answered, 0.5) - after.latency(after.answered, 0.5)

        p50, p99, source = model.CALLS["get_item"]
        base = saved()
        with mock.patch.dict(model.CALLS, {"get_item": (2 * p50, 2 * p99, source)}):
            slower = saved()
        # The old send read three times one after another, the new one once, beside the rest.
        self.assertGreater(slower, base)


class Cost(unittest.TestCase):
    def test_the_write_cost_doubles_with_the_wcu(self):
        with mock.patch.dict(model.EXTRA_CAPACITY, {"write_count": (0.0, 0.0)}):
            once = cost(flow("DM, REST", True, capacity(direct=(2.0, 8.0))), "DynamoDB writes")
            twice = cost(flow("DM, REST", True, capacity(direct=(2.0, 16.0))), "DynamoDB writes")
        self.assertAlmostEqual(twice, 2 * once)
        self.assertAlmostEqual(once, 8.0 * model.PRICES["dynamodb_write_unit"])

    def test_the_read_cost_follows_the_rcu(self):
        base = cost(flow("DM, REST", True), "DynamoDB reads")
        more = cost(flow("DM, REST", True, capacity(direct=(3.0, 8.0))), "DynamoDB reads")
        self.assertAlmostEqual(more - base, model.PRICES["dynamodb_read_unit"])

    def test_a_large_chat_pays_a_push_per_socket(self):
        p = flow("chat of 1,000, REST", True)
        expected = model.PRICES["http_api_request"] + 1000 * model.PRICES["websocket_message"]
        self.assertAlmostEqual(cost(p, "API Gateway"), expected)
        self.assertEqual(p.invocations["delivery"], math.ceil(1000 / model.SHARD_USERS))

    def test_lambda_cost_follows_the_price(self):
        p = flow("DM, REST", True)
        base = cost(p, "Lambda")
        key = "lambda_gb_second_" + model.template_functions(model.ROOT / "template.yaml")[1]
        with mock.patch.dict(model.PRICES, {key: 2 * model.PRICES[key]}):
            doubled = cost(p, "Lambda")
        self.assertAlmostEqual(doubled - base, base - model.PRICES["lambda_request"])


class Command(unittest.TestCase):
    def run_main(self, argv):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(model.main(argv), 0)
        return out.getvalue()

    def test_it_runs_on_the_recorded_figures(self):
        text = self.run_main(["--waves", "--inputs"])
        for expected in ("Latency (ms)", "Cost per million messages", "chat of 1,000, REST",
                         "socket open 1 min", "docs/benchmarks.md", "post_to_connection"):
            self.assertIn(expected, text)

    def test_it_runs_on_the_tests_printed_output(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as printed:
            printed.write(PRINTED.replace("8.0 WCU", "16.0 WCU"))
            printed.flush()
            text = self.run_main(["--capacity", printed.name])
        self.assertIn(printed.name, text)
        # The direct send's 16 WCU and the write count's 1.
        self.assertRegex(text, r"DM, REST\s+after\s+5\.0\s+17\.0")


if __name__ == "__main__":
    unittest.main(verbosity=1)
