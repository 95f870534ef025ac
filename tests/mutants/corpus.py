"""The mutant corpus: the variants of the mock (conformance/mock/variants.py, the one table),
as the scorer and the corpus test read them."""

from __future__ import annotations

from conformance.mock.variants import broken, compatible
from conformance.rules.readings import load_register

# broken variant -> the requirement it breaks
BROKEN: dict[str, str] = {name: str(v.breaks) for name, v in broken().items()}
# compatible variants, and all of them at once
COMPATIBLE: tuple[str, ...] = tuple(compatible())
ALL_COMPATIBLE = ",".join(COMPATIBLE)
# compatible variant -> the requirements whose checks consult the reading it takes (its
# register entry's `checks`), as --tgo-requirements takes them
CONSULTED_BY: dict[str, str] = {
    name: ",".join(load_register().by_id(str(v.reading)).checks) for name, v in compatible().items()
}
