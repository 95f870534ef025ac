"""Curl commands that repeat a recorded request, with the key as $TGO_API_KEY, never its value."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from conformance.http.bodies import BodyStore
from conformance.http.body import utf8_or_none
from conformance.http.multipart import FilePart, curl_filename, form_fields
from conformance.redact import Redactor

CURL_KEY_VARIABLE: Final = "TGO_API_KEY"
# The second account's key ([other_account]) has its own variable, named like its override.
CURL_OTHER_KEY_VARIABLE: Final = "TGO_OTHER_ACCOUNT_KEY"
CURL_VARIABLES: Final = (CURL_KEY_VARIABLE, CURL_OTHER_KEY_VARIABLE)
CURL_BODY_CHARS: Final = 16 * 1024


@dataclass(frozen=True)
class CurlCommand:
    """A curl command and what running it needs: the files it uploads from the report
    directory (saved there), and the shell variables that stand for keys in it."""

    text: str
    uploads: tuple[str, ...] = ()  # paths relative to the report directory
    key_variables: tuple[str, ...] = ()  # in the order CURL_VARIABLES lists them


class CurlWriter:
    """Writes curl commands for one target: its keys become shell variables, the rest is
    masked by its redactor."""

    def __init__(
        self,
        redactor: Redactor,
        keys: Mapping[str, str],
        bodies: BodyStore | None = None,
        other_key: str | None = None,
    ) -> None:
        self.redactor = redactor
        self.bodies = bodies
        # key value -> the shell variable a command names it by
        self._variables = {value: CURL_KEY_VARIABLE for value in keys.values() if value}
        if other_key:
            self._variables[other_key] = CURL_OTHER_KEY_VARIABLE
        self._keys = sorted(self._variables, key=len, reverse=True)

    def command(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        *,
        is_json: bool,
        body: bytes | None,
        data: Mapping[str, Any] | None,
        parts: list[FilePart],
        content_type: str | None = None,
    ) -> str:
        """The text of the curl command (see `write`)."""
        return self.write(
            method,
            url,
            headers,
            is_json=is_json,
            body=body,
            data=data,
            parts=parts,
            content_type=content_type,
        ).text

    def write(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        *,
        is_json: bool,
        body: bytes | None,
        data: Mapping[str, Any] | None,
        parts: list[FilePart],
        content_type: str | None = None,
    ) -> CurlCommand:
        """The curl command (bash or zsh) that sends this request again. Files and binary
        bodies are named by the path the body store saved them under, relative to the report
        directory, where the command is meant to run."""
        used: set[str] = set()  # the key variables the command names
        uploads: list[str] = []
        words = ["curl", "-i"]
        has_body = bool(body) or bool(parts)
        if method == "HEAD":
            words.append("--head")
        elif not (method == "GET" and not has_body) and not (method == "POST" and has_body):
            words += ["-X", shlex.quote(method)]
        words.append(self.shell_word(url, used))
        for name, value in headers.items():
            if parts and name.lower() == "content-type":
                continue  # curl -F writes its own, with its own boundary
            # `-H "Name;"` is curl's way to send a header with an empty value.
            words += ["-H", self.shell_word(f"{name}: {value}" if value else f"{name};", used)]
        note = ""
        if parts:
            for name, value in form_fields(data):
                flag = "--form-string" if value[:1] in ("@", "<") or ";" in value else "-F"
                words += [flag, self.shell_word(f"{name}={value}", used)]
            missing = []
            for p in parts:
                saved = self._saved(p.content, p.content_type)
                if saved is None:
                    missing.append(p.filename)
                    source = f"@{curl_filename(p.filename)}"
                else:
                    uploads.append(saved)
                    source = f"@{saved};filename={curl_filename(p.filename)}"
                words += ["-F", self.shell_word(f"{p.name}={source};type={p.content_type}", used)]
            if missing:
                # As JSON strings: a file name holding a line break must not end the comment
                # and put the rest of its name on a line of its own in a replay script.
                names = ", ".join(json.dumps(name, ensure_ascii=False) for name in missing)
                note = f"  # not saved with the report: {names} (any such file does)"
        elif body:
            text = utf8_or_none(body)
            if text is None or "\0" in text or len(text) > CURL_BODY_CHARS:
                saved = self._saved(body, content_type)
                if saved is None:
                    words += ["--data-binary", "@request-body.bin"]
                    note = f"  # body of {len(body)} bytes not saved: put it in request-body.bin"
                else:
                    uploads.append(saved)
                    words += ["--data-binary", f"@{saved}"]
            else:
                words += ["-d" if is_json else "--data-raw", self.shell_word(text, used)]
        return CurlCommand(
            " ".join(words) + note,
            tuple(dict.fromkeys(uploads)),
            tuple(v for v in CURL_VARIABLES if v in used),
        )

    def _saved(self, content: bytes | None, content_type: str | None) -> str | None:
        if content is None or self.bodies is None:
            return None
        return self.bodies.save(content, content_type)

    def shell_word(self, s: str, used: set[str] | None = None) -> str:
        """`s` quoted for the shell, every key in it written as "$TGO_API_KEY" and every piece
        of one (an auth test's split or cut key) as "${TGO_API_KEY:offset:length}" (bash, zsh).
        Anything else that holds a key (an encoded form, say) is masked. The variables named
        are added to `used`."""
        parts: list[tuple[bool, str]] = []  # (a variable expression?, text)
        last = 0
        for start, end in self.redactor.spans(s):
            parts.append((False, self.redactor.text(s[last:start])))
            named = self._key_expression(s[start:end], follower=s[end : end + 1])
            if named is None:
                parts.append((False, self.redactor.text(s[start:end])))
            else:
                expression, variable = named
                parts.append((True, expression))
                if used is not None:
                    used.add(variable)
            last = end
        parts.append((False, self.redactor.text(s[last:])))
        if not any(is_expression for is_expression, _ in parts):
            return shlex.quote("".join(text for _, text in parts))
        literal = "".join(text for is_expression, text in parts if not is_expression)
        if not re.search(r'[$`"\\!]', literal):
            return '"' + "".join(text for _, text in parts) + '"'
        # Characters special inside double quotes: single-quote the literal parts.
        return "".join(
            f'"{text}"' if is_expression else shlex.quote(text)
            for is_expression, text in parts
            if text
        )

    def _key_expression(self, text: str, follower: str) -> tuple[str, str] | None:
        """The shell expression for `text` when it is a configured key or a piece of one, and
        the variable it reads."""
        if text in self._variables:
            variable = self._variables[text]
            braced = follower.isalnum() or follower == "_"
            return (f"${{{variable}}}" if braced else f"${variable}"), variable
        for key in self._keys:
            offset = key.find(text)
            if offset >= 0:
                variable = self._variables[key]
                return f"${{{variable}:{offset}:{len(text)}}}", variable
        return None
