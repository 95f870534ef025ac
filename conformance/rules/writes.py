"""Which operations of the contract create data on the target when they are accepted.

Below both the generators and the checks: the generators keep such requests harmless, the
checks judge their refusals.
"""

from __future__ import annotations

from typing import Final

# Operations whose accepted requests create data on the target.
WRITING_OPERATIONS: Final = frozenset({"sendMessage", "registerSenderNumber"})
