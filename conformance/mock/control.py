"""The control plane under /_control/: reset, seed, keys, sender life cycle, the directory.

It stands in for what the docs put in the dashboard or in TGO Connect (OTP entry, account
verification, key management), so tests can drive a sender or a recipient through its states.

FOR LOCAL USE ONLY: it needs no API key and hands out key secrets. It is off unless enabled
(create_app(control=True), TGO_MOCK_CONTROL=1 or `tgo-conformance mock --control`); when off,
these paths do not exist (404). Its answers are always faithful: variants shape only the API.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.mock import parsing
from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import ValidationError
from conformance.mock.fixtures import seed
from conformance.mock.models import Backend
from conformance.mock.records import RecipientState, SenderInfo
from conformance.mock.routes import Endpoint, Resource, json_response
from conformance.mock.validation import Validator
from conformance.mock.views import Views

PREFIX = "/_control"
FAITHFUL = Behaviour()
RECIPIENT_STATES: tuple[RecipientState, ...] = ("reachable", "unverified", "unreachable")


async def _json_object(request: Request) -> dict[str, object]:
    body = await parsing.read_json(request)
    if not isinstance(body, dict):
        raise ValidationError("The request body must be a JSON object")
    return body


def _phone(body: dict[str, object]) -> str:
    return Validator(FAITHFUL).e164(body.get("phone"), "register_phone")


def _ok(payload: object, status: int = 200) -> Response:
    return json_response(payload, status)


class Control:
    """Handlers of the control plane over the same Backend the API uses."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.views = Views(FAITHFUL)

    async def reset(self, request: Request) -> Response:
        self.backend.state.reset()
        return _ok({"reset": True})

    async def seed(self, request: Request) -> Response:
        return _ok(seed(self.backend.state).as_json())

    async def issue_key(self, request: Request) -> Response:
        scopes = (await _json_object(request)).get("scopes")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ValidationError("scopes must be a list of strings")
        return _ok({"key": self.backend.issue_key(scopes)}, 201)

    async def revoke_key(self, request: Request) -> Response:
        key = (await _json_object(request)).get("key")
        if not isinstance(key, str):
            raise ValidationError("key must be a string")
        self.backend.revoke_key(key)
        return _ok({"revoked": True})

    def sender_action(self, action: Callable[[int], SenderInfo]) -> Endpoint:
        async def handle(request: Request) -> Response:
            raw = request.path_params["sender_id"]
            if not isinstance(raw, int):
                raise ValidationError("sender id must be an integer")
            return _ok(self.views.sender(action(raw)))

        return handle

    def account_action(self, verified: bool) -> Endpoint:
        async def handle(request: Request) -> Response:
            phone = _phone(await _json_object(request))
            self.backend.set_account_verified(phone, verified)
            return _ok({"phone": phone, "account_verified": verified})

        return handle

    async def set_recipient(self, request: Request) -> Response:
        body = await _json_object(request)
        phone = _phone(body)
        state = next((s for s in RECIPIENT_STATES if s == body.get("state")), None)
        if state is None:
            raise ValidationError("state must be one of reachable, unverified, unreachable")
        return _ok(self.views.lookup(self.backend.set_recipient(phone, state)))


def control_routes(backend: Backend) -> list[Route]:
    """The control plane's routes (POST only; other methods get 405 with Allow)."""
    control = Control(backend)
    table: dict[str, Endpoint] = {
        "/reset": control.reset,
        "/seed": control.seed,
        "/keys": control.issue_key,
        "/keys/revoke": control.revoke_key,
        "/senders/{sender_id:int}/confirm-otp": control.sender_action(backend.confirm_otp),
        "/senders/{sender_id:int}/reject": control.sender_action(backend.reject),
        "/senders/{sender_id:int}/suspend": control.sender_action(backend.suspend),
        "/accounts/verify": control.account_action(True),
        "/accounts/unverify": control.account_action(False),
        "/recipients": control.set_recipient,
    }
    return [Route(PREFIX + path, Resource({"POST": handler})) for path, handler in table.items()]
