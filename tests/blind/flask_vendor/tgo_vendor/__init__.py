"""TGO Business API, implemented with Flask from the public documentation."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.formparser import FormDataParser

from .api import bp
from .errors import ApiError, register_error_handlers
from .store import Store, WorldError

__all__ = ["Store", "WorldError", "create_app"]

MAX_REQUEST_BYTES = 10 * 1024 * 1024


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class StrictJSONProvider(DefaultJSONProvider):
    """Standard JSON only (no NaN/Infinity), and no crash on deep nesting."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _reject_constant)
        try:
            return json.loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON is nested too deeply") from exc


class ApiRequest(Request):
    """Request whose body errors become API errors instead of silent emptiness."""

    def make_form_data_parser(self) -> FormDataParser:
        parser = super().make_form_data_parser()
        parser.silent = False  # a broken multipart body raises ValueError
        return parser

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        raise ApiError(400, "invalid_json", "Request body is not valid JSON")


def create_app(world: dict[str, Any]) -> Flask:
    app = Flask(__name__)
    app.request_class = ApiRequest
    app.json = StrictJSONProvider(app)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        MAX_FORM_PARTS=50,
    )
    app.extensions["tgo_store"] = Store(world)
    register_error_handlers(app)
    app.register_blueprint(bp)
    return app
