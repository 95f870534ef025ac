"""The HTTP face of the mock: one handler per contract operation, parse then serialise.

Each handler runs the checks in the documented order: auth (401), scope (403), reading the body
(400/413/415), validation (422), state rules (404/409/422). Paths and methods come from the
rules, so the mock serves exactly the operations the contract documents.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from conformance.mock import parsing
from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import InvalidJson, MethodNotAllowed, MockError
from conformance.mock.models import Backend
from conformance.mock.validation import BodySource, Validator
from conformance.mock.views import Views

Endpoint = Callable[[Request], Awaitable[Response]]


def json_response(
    payload: object, status: int, *, charset: bool = False, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response (application/json; a charset parameter when the choices say so)."""
    media = "application/json; charset=utf-8" if charset else "application/json"
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=media)


def error_response(error: MockError, behaviour: Behaviour) -> Response:
    """The error envelope with the error's status and headers (e.g. Allow on a 405)."""
    status, body = Views(behaviour).error(error)
    if behaviour.hook("error_not_json"):
        return PlainTextResponse(str(body.get("message", "")), status, headers=error.headers)
    return json_response(body, status, charset=behaviour.choices.charset, headers=error.headers)


class Resource:
    """One path: dispatches on method itself so every other method gets a 405 with Allow."""

    def __init__(self, handlers: Mapping[str, Endpoint]) -> None:
        self.handlers = dict(handlers)
        self.allow = ", ".join(sorted(self.handlers))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        handler = self.handlers.get(request.method)
        if handler is None:
            raise MethodNotAllowed.allowing(self.allow)
        response = await handler(request)
        await response(scope, receive, send)


class Api:
    """The six operations over a Backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.behaviour = backend.behaviour
        self.validator = Validator(backend.behaviour)
        self.views = Views(backend.behaviour)

    def handlers(self) -> dict[str, Endpoint]:
        """Handler of each contract operationId."""
        return {
            "registerSenderNumber": self.register_sender_number,
            "listSenderNumbers": self.list_sender_numbers,
            "sendMessage": self.send_message,
            "listMessages": self.list_messages,
            "lookupContact": self.lookup_contact,
            "getUsage": self.get_usage,
        }

    def _authorize(self, request: Request, operation_id: str) -> None:
        self.backend.authorize(
            operation_id,
            request.headers.getlist(self.behaviour.rules.key_header),
            request.headers.get("authorization"),
        )

    def _json(self, payload: object, status: int) -> Response:
        return json_response(payload, status, charset=self.behaviour.choices.charset)

    def _created(self, payload: object) -> Response:
        return self._json(payload, self.behaviour.choices.created_status)

    async def _read_json(self, request: Request) -> object:
        try:
            return await parsing.read_json(request)
        except InvalidJson as error:
            self._crash_on_bad_json(error)
            raise

    async def _read_message(self, request: Request) -> tuple[BodySource, object]:
        try:
            return await parsing.read_message(request)
        except InvalidJson as error:
            self._crash_on_bad_json(error)
            raise

    def _crash_on_bad_json(self, error: InvalidJson) -> None:
        if self.behaviour.hook("server_error_on_bad_json"):
            raise RuntimeError("the JSON body could not be decoded") from error

    async def register_sender_number(self, request: Request) -> Response:
        self._authorize(request, "registerSenderNumber")
        body = await self._read_json(request)
        command = self.validator.register_command(body)
        return self._created(self.views.sender(self.backend.register(command)))

    async def list_sender_numbers(self, request: Request) -> Response:
        self._authorize(request, "listSenderNumbers")
        items = [self.views.sender(s, in_list=True) for s in self.backend.list_senders()]
        return self._json(self.views.listing(items, "sender"), 200)

    async def send_message(self, request: Request) -> Response:
        self._authorize(request, "sendMessage")
        source, body = await self._read_message(request)
        command = self.validator.send_command(source, body)
        return self._created(self.views.message(self.backend.send(command)))

    async def list_messages(self, request: Request) -> Response:
        self._authorize(request, "listMessages")
        items = [self.views.message(m, in_log=True) for m in self.backend.list_messages()]
        return self._json(self.views.listing(items, "message"), 200)

    async def lookup_contact(self, request: Request) -> Response:
        self._authorize(request, "lookupContact")
        query = self.validator.lookup_query(parsing.query_lists(request))
        return self._json(self.views.lookup(self.backend.lookup(query)), 200)

    async def get_usage(self, request: Request) -> Response:
        self._authorize(request, "getUsage")
        items = [self.views.usage(u) for u in self.backend.usage()]
        return self._json(self.views.listing(items, "usage"), 200)


def api_routes(backend: Backend) -> list[Route]:
    """One route per contract path, each serving the contract's methods for it."""
    handlers = Api(backend).handlers()
    by_path: dict[str, dict[str, Endpoint]] = {}
    for op in backend.behaviour.rules.operations.values():
        by_path.setdefault(op.path, {})[op.method] = handlers[op.operation_id]
    return [Route(path, Resource(table)) for path, table in by_path.items()]
