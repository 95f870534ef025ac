"""A stateful mock of the TGO Business API, with switches that break one documented rule each.

Layout (after moto): routes.py parses and serialises, models.py holds state and rules,
validation.py the field rules, views.py the wire shapes, errors.py one class per error,
control.py the local control plane, faults.py the switches, fixtures.py the seeded tenant.
"""

from conformance.mock.app import create_app
from conformance.mock.faults import Faults
from conformance.mock.fixtures import Seeded, seed, target_config_toml
from conformance.mock.models import Backend, State

__all__ = ["Backend", "Faults", "Seeded", "State", "create_app", "seed", "target_config_toml"]
