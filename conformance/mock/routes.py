"""The HTTP face of the mock: one handler per contract operation, parse then serialise.

Each handler runs the checks in the documented order: auth (401), scope (403), Accept (406, only
under compat_requires_accept_json), reading the body (400/413/415), validation (422), state
rules (404/409/422). Paths and methods come from the rules, so the mock serves exactly the
operations the contract documents.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from conformance.mock.behaviour import Behaviour
from conformance.mock.errors import AccountNotVerified, BodyInvalid, MethodNotAllowed, MockError
from conformance.mock.models import Backend
from conformance.mock.paging import Lists
from conformance.mock.parsing import Reader
from conformance.mock.validation import Validator
from conformance.mock.views import Json, Views

Endpoint = Callable[[Request], Awaitable[Response]]


def json_response(
    payload: object, status: int, *, charset: bool = False, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response (application/json; a charset parameter when the choices say so)."""
    media = "application/json; charset=utf-8" if charset else "application/json"
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=media)


def error_response(error: MockError, behaviour: Behaviour) -> Response:
    """The error envelope with the error's status and headers (e.g. Allow on a 405); the bare
    text (text/plain; charset=utf-8) under error_not_json, or for the account-not-verified
    refusal under choices.account_refusal_as_text (READ-002)."""
    status, body = Views(behaviour).error(error)
    as_text = behaviour.hook("error_not_json") or (
        behaviour.choices.account_refusal_as_text and isinstance(error, AccountNotVerified)
    )
    if as_text:
        text = body.get(behaviour.choices.error_text_field, "")
        return PlainTextResponse(str(text), status, headers=error.headers)
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
        self.choices = backend.behaviour.choices
        self.reader = Reader(backend.behaviour)
        self.validator = Validator(backend.behaviour)
        self.views = Views(backend.behaviour)
        self.lists = Lists(backend.behaviour)

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

    def _admit(self, request: Request, operation_id: str) -> str:
        """Key (401), scope (403), then what the client accepts (406, under the choice); the
        account the key belongs to."""
        account = self.backend.authorize(
            operation_id,
            request.headers.getlist(self.behaviour.rules.key_header),
            request.headers.get("authorization"),
        )
        self.reader.check_accept(request)
        return account

    def _json(
        self, payload: object, status: int, headers: Mapping[str, str] | None = None
    ) -> Response:
        return json_response(payload, status, charset=self.choices.charset, headers=headers)

    @contextmanager
    def _query(self, request: Request) -> Iterator[dict[str, list[str]]]:
        """The query parameters; a refusal of one answers the status the choices give an
        invalid query (READ-005; None: the status of an invalid body)."""
        try:
            yield self.reader.query(request)
        except BodyInvalid as error:
            if self.choices.invalid_query_status is not None:
                error.status_override = self.choices.invalid_query_status
            raise

    def _list(self, request: Request, items: list[Json], resource: str) -> Response:
        with self._query(request) as params:
            listing = self.lists.render(items, resource, params, request.url)
        return self._json(listing.body, 200, listing.headers)

    async def register_sender_number(self, request: Request) -> Response:
        account = self._admit(request, "registerSenderNumber")
        body = await self.reader.json(request)
        command = self.validator.register_command(body)
        sender, created = self.backend.register(command, account)
        status = self.choices.registered_status if created else 200
        return self._json(self.views.sender(sender), status)

    async def list_sender_numbers(self, request: Request) -> Response:
        account = self._admit(request, "listSenderNumbers")
        senders = self.backend.list_senders(account)
        items = [self.views.sender(s, in_list=True) for s in senders]
        return self._list(request, items, "sender")

    async def send_message(self, request: Request) -> Response:
        account = self._admit(request, "sendMessage")
        source, body = await self.reader.message(request)
        command = self.validator.send_command(source, body)
        message = self.backend.send(command, account)
        return self._json(self.views.message(message), self.choices.sent_status)

    async def list_messages(self, request: Request) -> Response:
        account = self._admit(request, "listMessages")
        messages = self.backend.list_messages(account)
        items = [self.views.message(m, in_log=True) for m in messages]
        return self._list(request, items, "message")

    async def lookup_contact(self, request: Request) -> Response:
        account = self._admit(request, "lookupContact")
        with self._query(request) as params:
            query = self.validator.lookup_query(params)
        return self._json(self.views.lookup(self.backend.lookup(query, account)), 200)

    async def get_usage(self, request: Request) -> Response:
        account = self._admit(request, "getUsage")
        items = [self.views.usage(u) for u in self.backend.usage(account)]
        return self._list(request, items, "usage")


def api_routes(backend: Backend) -> list[Route]:
    """One route per contract path, each serving the contract's methods for it."""
    handlers = Api(backend).handlers()
    by_path: dict[str, dict[str, Endpoint]] = {}
    for op in backend.behaviour.rules.operations.values():
        by_path.setdefault(op.path, {})[op.method] = handlers[op.operation_id]
    return [Route(path, Resource(table)) for path, table in by_path.items()]
