"""The fields a test's report carries from the plugin to the collector.

xdist serialises report attributes, so each is plain data (JSON-able); the plugin sets them
(plugin/session.py, plugin/inconclusive.py) and the collector reads them (collector.py).
"""

from __future__ import annotations

from typing import Final

RECORDS: Final = "tgo_records"  # the checks the test recorded, as JSON
REQUESTS: Final = "tgo_requests"  # how many requests it sent
SENT: Final = "tgo_sent"  # the requests sent in this phase (set-up, call, teardown), as data
NOT_RUN: Final = "tgo_not_run"  # why it did not run: a NotRun as JSON
SUITE_ERROR: Final = "tgo_suite_error"  # it failed through a bug of the suite, not the target
UNANSWERED: Final = "tgo_unanswered"  # the target did not answer it: what was sent, the steps
SEQUENCE: Final = "tgo_sequence"  # the requests of a failed scenario, in order
LAST_ANSWER: Final = "tgo_last_answer_at"  # time.time() its last answered request was sent at
