"""The target config contract (docs/target-config.md): load, env overrides, validate, write."""

from conformance.config.model import (
    RECIPIENT_NAMES,
    ConfigError,
    Kind,
    OtherAccount,
    Sender,
    TargetConfig,
    key_names,
    sender_states,
)
from conformance.config.toml import dump_toml
from conformance.config.validation import load_config
from conformance.redact import mask_key

__all__ = [
    "RECIPIENT_NAMES",
    "ConfigError",
    "Kind",
    "OtherAccount",
    "Sender",
    "TargetConfig",
    "dump_toml",
    "key_names",
    "load_config",
    "mask_key",
    "sender_states",
]
