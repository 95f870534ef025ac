"""The mock's ASGI application, built by a factory (no module-level state)."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from conformance.mock.behaviour import Behaviour
from conformance.mock.control import PREFIX as CONTROL_PREFIX
from conformance.mock.control import control_routes
from conformance.mock.errors import (
    HttpError,
    InternalError,
    MethodNotAllowed,
    MockError,
    RouteNotFound,
)
from conformance.mock.fixtures import seed
from conformance.mock.models import Backend, State
from conformance.mock.routes import api_routes, error_response

CONTROL_ENV = "TGO_MOCK_CONTROL"
FAITHFUL = Behaviour()
_TRUE = {"1", "true", "yes", "on"}


def control_from_env() -> bool:
    """Whether TGO_MOCK_CONTROL asks for the control plane."""
    return os.environ.get(CONTROL_ENV, "").strip().lower() in _TRUE


def create_app(
    state: State | None = None, *, control: bool = False, behaviour: Behaviour | None = None
) -> Starlette:
    """The mock TGO Business API over `state` (a new seeded State when None).

    control: also serve the control plane (/_control/...; also enabled by TGO_MOCK_CONTROL=1).
    behaviour: the rules, choices and hooks it follows (None = the faithful mock; variants.py).
    The app exposes app.state.backend, app.state.mock_state and app.state.seeded (None when the
    caller passed its own state).
    """
    behaviour = behaviour or Behaviour()
    seeded = None
    if state is None:
        state = State()
        seeded = seed(state)
    backend = Backend(state, behaviour)
    routes: list[BaseRoute] = list(api_routes(backend))
    if control or control_from_env():
        routes += control_routes(backend)

    def render(request: Request, error: MockError) -> Response:
        # The control plane is tooling, not the API under test: its errors stay faithful.
        on_control = request.url.path.startswith(CONTROL_PREFIX + "/")
        return error_response(error, FAITHFUL if on_control else behaviour)

    def on_mock_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MockError)
        return render(request, exc)

    def on_http_exception(request: Request, exc: Exception) -> Response:
        # Starlette's router raises these for unknown paths (404) and wrong methods (405).
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            return render(request, MethodNotAllowed.allowing(allow))
        if exc.status_code == 404:
            return render(request, RouteNotFound())
        return render(request, HttpError(exc.detail, status=exc.status_code))

    def on_unexpected(request: Request, exc: Exception) -> Response:
        # Last resort only: the tests prove that no bad input reaches this handler.
        return render(request, InternalError())

    app = Starlette(
        routes=routes,
        exception_handlers={
            MockError: on_mock_error,
            HTTPException: on_http_exception,
            Exception: on_unexpected,
        },
    )
    # "/api/v1/messages/" is an unknown path (404 in the envelope), not a redirect.
    app.router.redirect_slashes = False
    app.state.backend = backend
    app.state.mock_state = state
    app.state.seeded = seeded
    return app
