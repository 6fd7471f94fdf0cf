#!/usr/bin/env python3
"""The waves' and AWS calls' figures the real-time bench prints are read back from the
functions' log as the functions write it (LOG_WAVES=1): these lines are copied from a local
stack's log.

    python3 infra/scripts/test_waves.py

Python 3 standard library only, and no build: ./infra/test.sh runs it with the documentation
check.
"""

import contextlib
import io
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import waves  # noqa: E402

# A send's first wave with its two reads, its transaction, and a sweeper's Query outside any
# wave; one line the log's prefix (cargo lambda's) precedes, and one that is no JSON.
LAMBDA_LOG = """\
{"timestamp":"2026-12-06T19:38:09.695008Z","level":"DEBUG","fields":{"message":"close","time.busy":"1.5ms","time.idle":"2.5ms"},"target":"aws_sdk_dynamodb::operation::get_item","span":{"rpc.method":"GetItem","rpc.service":"DynamoDB","rpc.system":"aws-api","sdk_invocation_id":3793372,"name":"DynamoDB.GetItem"},"spans":[{"wave":"send.reads","name":"wave"}]}
[messages] {"timestamp":"2026-12-06T19:38:09.695100Z","level":"DEBUG","fields":{"message":"close","time.busy":"900µs","time.idle":"5.1ms"},"target":"aws_sdk_dynamodb::operation::get_item","span":{"rpc.method":"GetItem","rpc.service":"DynamoDB","rpc.system":"aws-api","sdk_invocation_id":3702582,"name":"DynamoDB.GetItem"},"spans":[{"wave":"send.reads","name":"wave"}]}
{"timestamp":"2026-12-06T19:38:09.695200Z","level":"INFO","fields":{"message":"close","time.busy":"2ms","time.idle":"5ms"},"target":"waves","span":{"wave":"send.reads","name":"wave"},"spans":[{"wave":"send.reads","name":"wave"}]}
{"timestamp":"2026-12-06T19:38:09.702000Z","level":"DEBUG","fields":{"message":"close","time.busy":"3ms","time.idle":"4ms"},"target":"aws_sdk_dynamodb::operation::transact_write_items","span":{"rpc.method":"TransactWriteItems","rpc.service":"DynamoDB","rpc.system":"aws-api","sdk_invocation_id":1234567,"name":"DynamoDB.TransactWriteItems"},"spans":[{"wave":"send.write","name":"wave"}]}
{"timestamp":"2026-12-06T19:37:33.094579Z","level":"DEBUG","fields":{"message":"close","time.busy":"1ms","time.idle":"1ms"},"target":"aws_sdk_dynamodb::operation::query","span":{"rpc.method":"Query","rpc.service":"DynamoDB","rpc.system":"aws-api","sdk_invocation_id":6456448,"name":"DynamoDB.Query"},"spans":[]}
{"timestamp":"2026-12-06T19:38:09.703000Z","level":"INFO","fields":{"message":"request","method":"POST","path":"/messages","status":201,"duration_ms":9.0}}
a line of the emulator's own, no JSON
"""

GATEWAY_LOG = """\
2026-12-06T19:38:09Z access: POST /messages 201 10.5ms
2026-12-06T19:38:09Z access: POST /messages 422 3.0ms
"""


class Reading(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.lambda_log = Path(folder.name) / "lambda.log"
        self.lambda_log.write_text(LAMBDA_LOG, encoding="utf-8")
        self.gateway_log = Path(folder.name) / "gateway.log"
        self.gateway_log.write_text(GATEWAY_LOG, encoding="utf-8")

    def test_a_wave_lasts_its_busy_and_idle_time(self):
        self.assertEqual(waves.waves(self.lambda_log), {"send.reads": [7.0]})

    def test_each_call_is_counted_under_the_wave_it_ran_in(self):
        self.assertEqual(
            waves.calls(self.lambda_log),
            {
                ("send.reads", "DynamoDB.GetItem"): [4.0, 6.0],
                ("send.write", "DynamoDB.TransactWriteItems"): [7.0],
                ("-", "DynamoDB.Query"): [2.0],
            },
        )

    def test_the_printout_names_each_wave_call_and_the_emulators_share(self):
        out = io.StringIO()
        argv = ["waves.py", str(self.lambda_log), str(self.gateway_log)]
        with mock.patch.object(sys, "argv", argv), contextlib.redirect_stdout(out):
            waves.main()
        lines = out.getvalue().splitlines()
        self.assertIn("call send.reads     DynamoDB.GetItem", "\n".join(lines))
        self.assertTrue(any("median    5.00 ms" in l and "p90    6.00 ms" in l for l in lines))
        self.assertEqual(
            lines[-1],
            "REST send: gateway median 10.50 ms (n=1), function median 9.00 ms (n=1): "
            "the emulator's share 1.50 ms",
        )


class Durations(unittest.TestCase):
    def test_tracing_units(self):
        self.assertEqual(waves.millis("1.5ms"), 1.5)
        self.assertAlmostEqual(waves.millis("456µs"), 0.456)
        self.assertEqual(waves.millis("2s"), 2000.0)
        with self.assertRaises(ValueError):
            waves.millis("fast")

    def test_p90_is_the_nearest_rank(self):
        self.assertEqual(waves.p90([1.0, 2.0]), 2.0)
        self.assertEqual(waves.p90([float(v) for v in range(1, 11)]), 9.0)


if __name__ == "__main__":
    unittest.main(verbosity=1)
