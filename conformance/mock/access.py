"""Who may call what: the key in X-Api-Key (401) and the scope of the operation (403), with the
hooks and choices that bend them. Knows nothing of HTTP; the Backend asks it first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import InsufficientScope, InvalidApiKey, MissingApiKey
from conformance.mock.records import ApiKey
from conformance.mock.state import State

_KEY_JUNK = ("\\r", "\\n", "\\t", " ", "\t", '"', "'")


class Access:
    """Keys and scopes of one mock's behaviour over its State."""

    def __init__(self, state: State, behaviour: Behaviour) -> None:
        self.state = state
        self.rules = behaviour.rules
        self.choices = behaviour.choices
        self.hook = behaviour.hook

    @contextmanager
    def _locked(self) -> Iterator[State]:
        with self.state.lock:
            yield self.state

    def authorize(
        self, operation_id: str, api_keys: Sequence[str], authorization: str | None = None
    ) -> str:
        """401 unless exactly one active key is given in X-Api-Key; 403 without the scope.
        The account the key belongs to: what the request may see and use."""
        if operation_id == "getUsage" and self.hook("usage_ignores_x_api_key"):
            api_keys = ()  # it looks for the key under another header name
        key = self._authenticate(api_keys, authorization)
        if operation_id == "lookupContact" and self.hook("lookup_refuses_valid_key"):
            raise InvalidApiKey()  # it checks keys against a stale copy of its own
        if operation_id == "getUsage" and self.hook("usage_forbidden_to_every_key"):
            raise InsufficientScope("Usage is not included in this account's plan")
        needs_one_of: tuple[str, ...] = (operation_id,)
        if operation_id == "listSenderNumbers" and self.choices.sender_list_scope_of:
            needs_one_of = self.choices.sender_list_scope_of  # READ-024
        scopes = [self.rules.scopes[op] for op in needs_one_of]
        if any(s is None or self._grants(key, s) for s in scopes):
            return key.account
        raise InsufficientScope.for_scope(" or ".join(s for s in scopes if s))

    def _grants(self, key: ApiKey, scope: str) -> bool:
        """Whether the key holds the scope: named, or by full access."""
        full = self.rules.full_access_scope
        if self.hook("full_access_without_lookup") and scope == self.rules.scopes["lookupContact"]:
            return scope in key.scopes  # full access as a fixed list that misses this scope
        if self.hook("writes_need_full_access") and scope in self._write_scopes():
            return full in key.scopes
        return key.grants(scope, full)

    def _write_scopes(self) -> frozenset[str]:
        operations = self.rules.operations.values()
        return frozenset(
            scope
            for op in operations
            if op.method == "POST" and (scope := self.rules.scopes[op.operation_id])
        )

    def _authenticate(self, api_keys: Sequence[str], authorization: str | None) -> ApiKey:
        values = list(api_keys)
        if not values and authorization and self.hook("accept_authorization_header"):
            values = [authorization.removeprefix("Bearer ").removeprefix("bearer ").strip()]
        if not values:
            if self.hook("accept_missing_key"):
                return ApiKey("", frozenset({self.rules.full_access_scope}))
            raise MissingApiKey()
        invalid = InvalidApiKey(status=403 if self.hook("invalid_key_answers_403") else None)
        if len(values) != 1:
            raise invalid
        with self._locked() as state:
            key = state.keys.get(values[0])
            if key is None and self.hook("trim_key_junk"):
                key = state.keys.get(self._trimmed_key(values[0]))
            if key is None and self.hook("strip_key_whitespace"):
                key = state.keys.get("".join(values[0].split()))
        if key is None or (key.revoked and not self.hook("accept_revoked_key")):
            raise invalid
        return key

    def _trimmed_key(self, value: str) -> str:
        """What a sloppy server keeps of a key (trim_key_junk): junk cut, prefix kept."""
        for junk in _KEY_JUNK:
            value = value.replace(junk, "")
        return value[: len(self.rules.key_prefix) + self.rules.key_body_length]
