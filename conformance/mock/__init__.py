"""A stateful mock of the TGO Business API, and its variants that break or bend one rule each.

Layout (after moto): routes.py parses and serialises, models.py holds state and rules,
validation.py the field rules, views.py the wire shapes, errors.py one class per error,
control.py the local control plane, behaviour.py what a mock does, variants.py the table of
variants, fixtures.py the seeded tenant.
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
