"""A stateful mock of the TGO Business API, and its variants that break or bend one rule each.

Layout (after moto): routes.py parses (parsing.py) and serialises (views.py, paging.py for
lists), state.py holds the data and models.py the rules over it, delivery.py what becomes of an
accepted message, validation.py the field rules (fields.py which fields a request has,
media.py the files), errors.py one class per error, control.py the local control plane,
behaviour.py what a mock does, variants.py the table of variants (rows in broken_variants.py
and compatible_variants.py, the Variant type in variant.py), fixtures.py the seeded tenant.
"""

from conformance.mock.app import create_app
from conformance.mock.behaviour import Behaviour, Choices
from conformance.mock.fixtures import Seeded, seed, target_config
from conformance.mock.models import Backend, State
from conformance.mock.variants import behaviour_of

__all__ = [
    "Backend",
    "Behaviour",
    "Choices",
    "Seeded",
    "State",
    "behaviour_of",
    "create_app",
    "seed",
    "target_config",
]
