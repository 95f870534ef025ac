"""The HTTP face of the mock: one handler per contract operation, parse then serialise.

Each handler runs the checks in the documented order: auth (401), scope (403), reading the body
(400/413/415), validation (422), state rules (404/409/422). Paths and methods come from the
contract, so the mock serves exactly the operations it documents.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from conformance.mock import parsing, validation, views
from conformance.mock.errors import MethodNotAllowed, MockError
from conformance.mock.faults import Faults
from conformance.mock.models import Backend
from conformance.rules.contract import operations

Endpoint = Callable[[Request], Awaitable[Response]]


def json_response(
    payload: object, status: int, faults: Faults, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response (application/json; a charset parameter only under compat_charset)."""
    media = "application/json; charset=utf-8" if faults.compat_charset else "application/json"
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=media)


def error_response(error: MockError, faults: Faults) -> Response:
    """The error envelope with the error's status and headers (e.g. Allow on a 405)."""
    if faults.error_not_json:
        return PlainTextResponse(error.wire_message, error.wire_status, headers=error.headers)
    return json_response(
        views.error_envelope(error, faults), error.wire_status, faults, error.headers
    )


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
        self.faults = backend.faults

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
            request.headers.getlist("x-api-key"),
            request.headers.get("authorization"),
        )

    def _ok(self, payload: object) -> Response:
        return json_response(payload, 200, self.faults)

    def _created(self, payload: object) -> Response:
        return json_response(payload, 200 if self.faults.compat_status_200 else 201, self.faults)

    async def register_sender_number(self, request: Request) -> Response:
        self._authorize(request, "registerSenderNumber")
        body = await parsing.read_json(request, self.faults)
        command = validation.register_command(body, faults=self.faults)
        return self._created(views.sender(self.backend.register(command), self.faults))

    async def list_sender_numbers(self, request: Request) -> Response:
        self._authorize(request, "listSenderNumbers")
        senders = self.backend.list_senders()
        items = [views.sender(s, self.faults, in_list=True) for s in senders]
        return self._ok(views.listing(items, self.faults))

    async def send_message(self, request: Request) -> Response:
        self._authorize(request, "sendMessage")
        source, body = await parsing.read_message(request, self.faults)
        command = validation.send_command(source, body, faults=self.faults)
        return self._created(views.message(self.backend.send(command), self.faults))

    async def list_messages(self, request: Request) -> Response:
        self._authorize(request, "listMessages")
        entries = self.backend.list_messages()
        items = [views.message(m, self.faults, in_log=True) for m in entries]
        return self._ok(views.listing(items, self.faults))

    async def lookup_contact(self, request: Request) -> Response:
        self._authorize(request, "lookupContact")
        query = validation.lookup_query(parsing.query_lists(request), faults=self.faults)
        return self._ok(views.lookup(self.backend.lookup(query), self.faults))

    async def get_usage(self, request: Request) -> Response:
        self._authorize(request, "getUsage")
        items = [views.usage(u, self.faults) for u in self.backend.usage()]
        return self._ok(views.listing(items, self.faults))


def api_routes(backend: Backend) -> list[Route]:
    """One route per contract path, each serving the contract's methods for it."""
    handlers = Api(backend).handlers()
    by_path: dict[str, dict[str, Endpoint]] = {}
    for op in operations().values():
        by_path.setdefault(op.path, {})[op.method] = handlers[op.operation_id]
    return [Route(path, Resource(table)) for path, table in by_path.items()]
