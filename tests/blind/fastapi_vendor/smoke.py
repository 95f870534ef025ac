"""Smoke check of the TGO Business API server (a script, not a pytest file).

Starts ``serve.py`` with the example world through its documented command line, exercises
every operation and the main error cases with httpx, stops the server and exits 0 only if
everything behaved as intended.

    /work/main/.venv/bin/python tests/blind/fastapi_vendor/smoke.py
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
SERVE = HERE / "serve.py"
WORLD = HERE.parent / "example-world.json"

FULL = "trk_AcmeFullAccess0000000000000000001"
SEND_ONLY = "trk_AcmeSendOnly00000000000000000002"
READ_ONLY = "trk_AcmeReadOnly00000000000000000003"
LOOKUP_ONLY = "trk_AcmeLookupOnly000000000000000004"
USAGE_ONLY = "trk_AcmeUsageOnly0000000000000000005"
REVOKED = "trk_AcmeRevoked000000000000000000006"
GLOBEX = "trk_GlobexFullAccess00000000000000007"

ACTIVE = "+201001187188"
PENDING_OTP = "+201001187189"
PENDING_ACCOUNT = "+201001187190"
REJECTED = "+201001187191"
SUSPENDED = "+201001187192"
GLOBEX_SENDER = "+201001187199"
REACHABLE = "+201010000000"
UNVERIFIED_PHONE = "+201010000002"
UNKNOWN = "+201099999999"

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")
ARABIC_NOT_VERIFIED = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OGG = b"OggS" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64


class Smoke:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.passed = 0

    def check(self, name: str, ok: bool, detail: object = "") -> bool:
        if ok:
            self.passed += 1
            print(f"  ok    {name}")
        else:
            self.failures.append(name)
            print(f"  FAIL  {name}  {detail}")
        return ok

    def expect_error(
        self, name: str, response: httpx.Response, status: int, code: str | None = None
    ) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        good = (
            response.status_code == status
            and isinstance(body, dict)
            and isinstance(body.get("error"), str)
            and body.get("message") == body.get("error")
            and (code is None or body.get("code") == code)
        )
        self.check(
            f"{name} -> {status} {code or ''}".rstrip(),
            good,
            f"got {response.status_code} {response.text[:200]}",
        )


# --------------------------------------------------------------------------- server control


def start_server(tmp: Path, name: str) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    ready = tmp / f"{name}-ready.json"
    process = subprocess.Popen(
        [
            sys.executable,
            str(SERVE),
            "--world",
            str(WORLD),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if ready.exists():
            return process, json.loads(ready.read_text())
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    _, err = process.communicate()
    raise SystemExit(f"server did not become ready: {err.decode(errors='replace')}")


def stop_server(smoke: Smoke, process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    started = time.monotonic()
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    elapsed = time.monotonic() - started
    stderr = err.decode(errors="replace")
    smoke.check(
        f"{sig.name} stops the server cleanly and promptly",
        process.returncode in (0, -sig, 128 + sig) and elapsed < 5,
        f"rc={process.returncode} after {elapsed:.1f}s",
    )
    smoke.check(f"{sig.name}: no traceback on stderr", "Traceback" not in stderr, stderr[-500:])


# --------------------------------------------------------------------------- helpers


def walk(client: httpx.Client, url: str, key: str) -> tuple[list[dict[str, Any]], int]:
    """Follow links.next from ``url``; return all items and the number of pages."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None and pages < 100:
        response = client.get(next_url, headers={"X-Api-Key": key})
        response.raise_for_status()
        body = response.json()
        items.extend(body["data"])
        next_url = body["links"]["next"]
        pages += 1
    return items, pages


def wait_settled(client: httpx.Client, key: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 5
    found: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        items, _ = walk(client, "/api/v1/messages?limit=100", key)
        found = {m["id"]: m for m in items if m["id"] in ids}
        if len(found) == len(ids) and all(m["status"] != "queued" for m in found.values()):
            break
        time.sleep(0.05)
    return found


# --------------------------------------------------------------------------- checks


def check_auth(s: Smoke, c: httpx.Client) -> None:
    print("authentication and scopes")
    s.expect_error("no X-Api-Key", c.get("/api/v1/sender-numbers"), 401, "missing_api_key")
    s.expect_error(
        "empty X-Api-Key",
        c.get("/api/v1/sender-numbers", headers={"X-Api-Key": ""}),
        401,
        "missing_api_key",
    )
    s.expect_error(
        "unknown key",
        c.get("/api/v1/sender-numbers", headers={"X-Api-Key": "trk_" + "x" * 32}),
        401,
        "invalid_api_key",
    )
    s.expect_error(
        "revoked key",
        c.get("/api/v1/usage", headers={"X-Api-Key": REVOKED}),
        401,
        "invalid_api_key",
    )
    s.expect_error(
        "key in Authorization header",
        c.get("/api/v1/usage", headers={"Authorization": f"Bearer {FULL}"}),
        401,
        "missing_api_key",
    )
    for path, good, bad in [
        ("/api/v1/messages", READ_ONLY, SEND_ONLY),
        (f"/api/v1/contacts/lookup?phone={REACHABLE}", LOOKUP_ONLY, READ_ONLY),
        ("/api/v1/usage", USAGE_ONLY, LOOKUP_ONLY),
    ]:
        s.check(
            f"GET {path.split('?')[0]} allowed with its scope",
            c.get(path, headers={"X-Api-Key": good}).status_code == 200,
        )
        s.check(
            f"GET {path.split('?')[0]} allowed with *",
            c.get(path, headers={"X-Api-Key": FULL}).status_code == 200,
        )
        s.expect_error(
            f"GET {path.split('?')[0]} without its scope",
            c.get(path, headers={"X-Api-Key": bad}),
            403,
            "insufficient_scope",
        )
    s.expect_error(
        "POST /messages without messages.send",
        c.post(
            "/api/v1/messages",
            headers={"X-Api-Key": READ_ONLY},
            json={"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "text", "content": "x"},
        ),
        403,
        "insufficient_scope",
    )
    s.expect_error(
        "POST /sender-numbers without messages.send",
        c.post("/api/v1/sender-numbers", headers={"X-Api-Key": USAGE_ONLY}, json={"phone": "+1"}),
        403,
        "insufficient_scope",
    )
    s.expect_error(
        "auth is checked before the body",
        c.post("/api/v1/messages", content=b"{not json", headers={"X-Api-Key": "nope"}),
        401,
        "invalid_api_key",
    )


def check_sender_numbers(s: Smoke, c: httpx.Client, ready: dict[str, Any]) -> None:
    print("sender numbers")
    first = c.get("/api/v1/sender-numbers", headers={"X-Api-Key": FULL}).json()
    s.check("default page size is 2", len(first["data"]) == 2, first)
    s.check(
        "links.next is an absolute URL",
        str(first["links"]["next"]).startswith(ready["base_url"] + "/api/v1/sender-numbers?"),
        first["links"],
    )
    items, pages = walk(c, "/api/v1/sender-numbers", FULL)
    s.check("acme: 5 sender numbers over 3 pages", len(items) == 5 and pages == 3, items)
    by_phone = {item["phone"]: item for item in items}
    s.check(
        "READY sender_ids match the listed ids",
        all(ready["sender_ids"][p] == item["id"] for p, item in by_phone.items()),
        ready["sender_ids"],
    )
    expected = {
        ACTIVE: ("active", "verified", True),
        PENDING_OTP: ("pending_verification", "pending_verification", False),
        PENDING_ACCOUNT: ("active", "pending_account_verification", False),
        REJECTED: ("rejected", "rejected", False),
        SUSPENDED: ("suspended", "verified", False),
    }
    for phone, (status, verification, can_send) in expected.items():
        item = by_phone.get(phone, {})
        s.check(
            f"{phone}: status={status} verification_status={verification}",
            (item.get("status"), item.get("verification_status"), item.get("can_send"))
            == (status, verification, can_send),
            item,
        )
    s.check("display_name null kept", by_phone[REJECTED]["display_name"] is None)
    s.check(
        "timestamps are ISO 8601 with microseconds and +00:00",
        all(TIMESTAMP.fullmatch(i["created_at"]) for i in items),
    )
    big = c.get("/api/v1/sender-numbers?limit=10", headers={"X-Api-Key": FULL}).json()
    s.check("limit=10 gives one page", len(big["data"]) == 5 and big["links"]["next"] is None)
    for bad in ("0", "101", "abc", "-1", "99999999999999999999999"):
        s.expect_error(
            f"limit={bad}",
            c.get(f"/api/v1/sender-numbers?limit={bad}", headers={"X-Api-Key": FULL}),
            422,
            "invalid_limit",
        )
    s.expect_error(
        "garbage cursor",
        c.get("/api/v1/sender-numbers?cursor=%%%zz", headers={"X-Api-Key": FULL}),
        422,
        "invalid_cursor",
    )
    globex, _ = walk(c, "/api/v1/sender-numbers", GLOBEX)
    s.check(
        "globex sees only its own number",
        [g["phone"] for g in globex] == [GLOBEX_SENDER],
        globex,
    )
    s.check(
        "listing works with any valid key",
        c.get("/api/v1/sender-numbers", headers={"X-Api-Key": USAGE_ONLY}).status_code == 200,
    )

    def register(body: Any, key: str = SEND_ONLY, **kwargs: Any) -> httpx.Response:
        return c.post("/api/v1/sender-numbers", headers={"X-Api-Key": key}, json=body, **kwargs)

    created = register({"phone": REACHABLE, "display_name": "  New line  "})
    body = created.json()
    s.check(
        "register -> 201 pending_verification",
        created.status_code == 201
        and body.get("status") == "pending_verification"
        and body.get("verification_status") == "pending_verification"
        and body.get("display_name") == "New line"
        and isinstance(body.get("id"), int),
        created.text,
    )
    items, _ = walk(c, "/api/v1/sender-numbers", FULL)
    s.check("registered number is listed", REACHABLE in {i["phone"] for i in items})
    s.expect_error("register twice", register({"phone": REACHABLE}), 422, "sender_number_exists")
    again = register({"phone": REACHABLE}, key=GLOBEX)
    s.check("another account may register the same phone", again.status_code == 201, again.text)
    s.expect_error("register missing phone", register({}), 422, "missing_phone")
    s.expect_error("register bad phone", register({"phone": "0100"}), 422, "invalid_phone")
    s.expect_error("register phone as number", register({"phone": 201}), 422, "invalid_phone")
    s.expect_error(
        "register phone without TGO Connect account",
        register({"phone": UNKNOWN}),
        422,
        "no_tgo_connect_account",
    )
    s.expect_error(
        "register display_name of wrong type",
        register({"phone": UNVERIFIED_PHONE, "display_name": 5}),
        422,
        "invalid_display_name",
    )
    s.expect_error(
        "register display_name too long",
        register({"phone": UNVERIFIED_PHONE, "display_name": "x" * 101}),
        422,
        "display_name_too_long",
    )
    s.expect_error(
        "register malformed JSON",
        c.post(
            "/api/v1/sender-numbers",
            headers={"X-Api-Key": FULL, "Content-Type": "application/json"},
            content=b'{"phone": ',
        ),
        422,
        "invalid_body",
    )
    s.expect_error("register JSON array", register([1, 2]), 422, "invalid_body")
    s.expect_error(
        "register as text/plain",
        c.post(
            "/api/v1/sender-numbers",
            headers={"X-Api-Key": FULL, "Content-Type": "text/plain"},
            content=b"phone=+2010",
        ),
        415,
        "unsupported_media_type",
    )


def check_sending(s: Smoke, c: httpx.Client, ready: dict[str, Any]) -> None:
    print("sending messages")
    headers = {"X-Api-Key": SEND_ONLY}

    def send_json(body: Any, key: str = SEND_ONLY) -> httpx.Response:
        return c.post("/api/v1/messages", headers={"X-Api-Key": key}, json=body)

    def send_form(data: dict[str, str], files: dict[str, Any] | None = None) -> httpx.Response:
        return c.post("/api/v1/messages", headers=headers, data=data, files=files)

    text = {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "text", "content": "Hello"}
    accepted: dict[str, str] = {}

    response = send_json(text)
    body = response.json()
    s.check(
        "text by sender_phone -> 202 queued",
        response.status_code == 202
        and body.get("status") == "queued"
        and body.get("message_type") == "text"
        and body.get("sender_number_id") == ready["sender_ids"][ACTIVE]
        and isinstance(body.get("id"), str)
        and TIMESTAMP.fullmatch(body.get("sent_at", "")) is not None,
        response.text,
    )
    accepted["text_ok"] = body.get("id", "")
    by_id = {k: v for k, v in text.items() if k != "sender_phone"}
    by_id["sender_number_id"] = ready["sender_ids"][ACTIVE]
    response = send_json(by_id)
    s.check("text by sender_number_id -> 202", response.status_code == 202, response.text)
    accepted["text_by_id"] = response.json().get("id", "")
    response = send_json({**text, "to_phone": UNVERIFIED_PHONE})
    accepted["unverified"] = response.json().get("id", "")
    response = send_json({**text, "to_phone": UNKNOWN})
    accepted["unknown"] = response.json().get("id", "")
    response = send_form(
        {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "image"},
        {"media": ("photo.png", PNG, "image/png")},
    )
    s.check("image (multipart) -> 202", response.status_code == 202, response.text)
    image = response.json()
    s.check(
        "image media metadata",
        image.get("media", {}).get("content_type") == "image/png"
        and image["media"].get("size_bytes") == len(PNG),
        image,
    )
    accepted["image"] = image.get("id", "")
    response = send_form(
        {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "voice", "duration": "45"},
        {"media": ("audio.ogg", OGG, "audio/ogg")},
    )
    s.check(
        "voice with duration=45 -> 202",
        response.status_code == 202 and response.json()["media"]["duration"] == 45,
        response.text,
    )
    accepted["voice"] = response.json().get("id", "")
    response = send_form(
        {
            "sender_number_id": str(ready["sender_ids"][ACTIVE]),
            "to_phone": REACHABLE,
            "type": "document",
        },
        {"media": ("invoice.pdf", PDF, "application/pdf")},
    )
    s.check("document by sender_number_id -> 202", response.status_code == 202, response.text)
    accepted["document"] = response.json().get("id", "")

    print("  send validation")
    no_sender = {k: v for k, v in text.items() if k != "sender_phone"}
    s.expect_error("neither sender field", send_json(no_sender), 422, "missing_sender")
    s.expect_error(
        "both sender fields", send_json({**text, "sender_number_id": 1}), 422, "ambiguous_sender"
    )
    s.expect_error(
        "bad sender_phone", send_json({**text, "sender_phone": "201"}), 422, "invalid_sender_phone"
    )
    s.expect_error(
        "sender_number_id as a float",
        send_json({**no_sender, "sender_number_id": 1.5}),
        422,
        "invalid_sender_number_id",
    )
    s.expect_error(
        "missing to_phone",
        send_json({k: v for k, v in text.items() if k != "to_phone"}),
        422,
        "missing_to_phone",
    )
    s.expect_error("bad to_phone", send_json({**text, "to_phone": "+0123"}), 422, "invalid_phone")
    s.expect_error(
        "missing type",
        send_json({k: v for k, v in text.items() if k != "type"}),
        422,
        "missing_type",
    )
    s.expect_error("unknown type", send_json({**text, "type": "video"}), 422, "invalid_type")
    s.expect_error(
        "missing content",
        send_json({k: v for k, v in text.items() if k != "content"}),
        422,
        "missing_content",
    )
    s.expect_error("blank content", send_json({**text, "content": "  "}), 422, "missing_content")
    s.expect_error(
        "content too long", send_json({**text, "content": "x" * 4097}), 422, "content_too_long"
    )
    s.expect_error(
        "content of wrong type", send_json({**text, "content": ["x"]}), 422, "invalid_content"
    )
    s.expect_error("image as JSON", send_json({**text, "type": "image"}), 422, "missing_media")
    s.expect_error(
        "voice without duration",
        send_form(
            {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "voice"},
            {"media": ("a.ogg", OGG, "audio/ogg")},
        ),
        422,
        "missing_duration",
    )
    for duration in ("0", "301", "4.5", "abc", "9" * 50):
        s.expect_error(
            f"voice duration={duration[:10]}",
            send_form(
                {
                    "sender_phone": ACTIVE,
                    "to_phone": REACHABLE,
                    "type": "voice",
                    "duration": duration,
                },
                {"media": ("a.ogg", OGG, "audio/ogg")},
            ),
            422,
            "invalid_duration",
        )
    s.expect_error(
        "image without file (multipart)",
        send_form(
            {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "image"},
            {"other": ("x.png", PNG, "image/png")},
        ),
        422,
        "missing_media",
    )
    s.expect_error(
        "image as a URL-encoded form",
        send_form({"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "image"}),
        422,
        "missing_media",
    )
    s.expect_error(
        "media given as a text field",
        send_form(
            {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "image", "media": "x"},
            {"other": ("x.png", PNG, "image/png")},
        ),
        422,
        "invalid_media",
    )
    s.expect_error(
        "a field given twice",
        c.post(
            "/api/v1/messages",
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            content=b"to_phone=%2B201010000000&to_phone=%2B201010000001&type=text",
        ),
        422,
        "invalid_to_phone",
    )
    s.expect_error(
        "PDF sent as image",
        send_form(
            {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "image"},
            {"media": ("x.pdf", PDF, "application/pdf")},
        ),
        422,
        "invalid_media",
    )
    s.expect_error(
        "empty media file",
        send_form(
            {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "document"},
            {"media": ("x.pdf", b"", "application/pdf")},
        ),
        422,
        "invalid_media",
    )
    s.expect_error(
        "broken multipart",
        c.post(
            "/api/v1/messages",
            headers={**headers, "Content-Type": "multipart/form-data; boundary=zzz"},
            content=b"--zzz\r\ngarbage header\r\n\r\nxx\r\n--zzz--\r\n",
        ),
        422,
        "invalid_body",
    )
    s.expect_error(
        "truncated multipart",
        c.post(
            "/api/v1/messages",
            headers={**headers, "Content-Type": "multipart/form-data; boundary=zzz"},
            content=b'--zzz\r\nContent-Disposition: form-data; name="to_phone"\r\n\r\n+2010',
        ),
        422,
    )
    s.expect_error(
        "multipart without boundary",
        c.post(
            "/api/v1/messages",
            headers={**headers, "Content-Type": "multipart/form-data"},
            content=b"whatever",
        ),
        422,
        "invalid_body",
    )
    s.expect_error(
        "text/plain body",
        c.post(
            "/api/v1/messages",
            headers={**headers, "Content-Type": "text/plain"},
            content=b"type=text",
        ),
        415,
        "unsupported_media_type",
    )

    print("  sender state")
    s.expect_error(
        "sender pending OTP",
        send_json({**text, "sender_phone": PENDING_OTP}),
        422,
        "sender_not_active",
    )
    not_active = send_json({**text, "sender_phone": REJECTED})
    s.expect_error("sender rejected", not_active, 422, "sender_not_active")
    s.check(
        "not-active message as documented",
        not_active.json().get("error") == "The sender number is not active.",
        not_active.text,
    )
    s.expect_error(
        "sender suspended",
        send_json({**text, "sender_phone": SUSPENDED}),
        422,
        "sender_not_active",
    )
    unverified = send_json({**text, "sender_phone": PENDING_ACCOUNT})
    s.expect_error(
        "sender with unverified TGO Connect account",
        unverified,
        422,
        "sender_account_not_verified",
    )
    s.check(
        "account-not-verified message as documented (Arabic)",
        unverified.json().get("error") == ARABIC_NOT_VERIFIED,
        unverified.text,
    )
    s.expect_error(
        "sender of another account (phone)",
        send_json({**text, "sender_phone": GLOBEX_SENDER}),
        422,
        "sender_not_found",
    )
    s.expect_error(
        "sender of another account (id)",
        send_json({**no_sender, "sender_number_id": ready["sender_ids"][GLOBEX_SENDER]}),
        422,
        "sender_not_found",
    )
    s.expect_error(
        "huge sender_number_id",
        send_json({**no_sender, "sender_number_id": 10**30}),
        422,
        "invalid_sender_number_id",
    )

    print("  asynchronous delivery")
    settled = wait_settled(c, FULL, set(accepted.values()))
    outcome = {name: settled.get(mid, {}) for name, mid in accepted.items()}
    for name in ("text_ok", "text_by_id", "image", "voice", "document"):
        m = outcome[name]
        s.check(
            f"{name} delivered",
            m.get("status") == "delivered"
            and TIMESTAMP.fullmatch(m.get("delivered_at") or "") is not None,
            m,
        )
    s.check(
        "recipient with unverified phone -> failed phone_not_verified",
        (outcome["unverified"].get("status"), outcome["unverified"].get("failure_reason"))
        == ("failed", "phone_not_verified"),
        outcome["unverified"],
    )
    s.check(
        "recipient without TGO Connect -> failed no_tgo_connect_account",
        (outcome["unknown"].get("status"), outcome["unknown"].get("failure_reason"))
        == ("failed", "no_tgo_connect_account"),
        outcome["unknown"],
    )


def check_message_log(s: Smoke, c: httpx.Client) -> None:
    print("message log")
    items, pages = walk(c, "/api/v1/messages", READ_ONLY)
    s.check("log lists the 7 accepted messages, 2 per page", len(items) == 7 and pages == 4)
    s.check("log ids are unique", len({m["id"] for m in items}) == len(items))
    s.check(
        "log is newest first",
        [m["sent_at"] for m in items] == sorted((m["sent_at"] for m in items), reverse=True),
    )
    fields = {"id", "sender_number_id", "message_type", "content", "status", "sent_at"}
    s.check("log entries carry the documented fields", all(fields <= set(m) for m in items))
    globex, _ = walk(c, "/api/v1/messages", GLOBEX)
    s.check("globex log is isolated (empty)", globex == [], globex)
    s.expect_error(
        "cursor of another list",
        c.get(
            "/api/v1/messages?cursor=" + "c2VuZGVyX251bWJlcnM6Mg",
            headers={"X-Api-Key": READ_ONLY},
        ),
        422,
        "invalid_cursor",
    )


def check_lookup(s: Smoke, c: httpx.Client) -> None:
    print("contact lookup")
    key = {"X-Api-Key": LOOKUP_ONLY}

    def lookup(**params: str) -> httpx.Response:
        return c.get("/api/v1/contacts/lookup", params=params, headers=key)

    body = lookup(phone=REACHABLE, sender_phone=ACTIVE).json()
    s.check(
        "reachable contact",
        body.get("exists") is True
        and body.get("can_receive") is True
        and body.get("reason_code") == "ok"
        and isinstance(body.get("recipient_id"), int)
        and body.get("is_verified") is True
        and TIMESTAMP.fullmatch(body.get("phone_verified_at") or "") is not None,
        body,
    )
    body = lookup(phone=UNVERIFIED_PHONE).json()
    s.check(
        "unverified phone cannot receive",
        (body.get("exists"), body.get("can_receive"), body.get("reason_code"))
        == (True, False, "phone_not_verified")
        and body.get("phone_verified_at") is None,
        body,
    )
    body = lookup(phone=UNKNOWN).json()
    s.check(
        "unknown phone does not exist",
        (body.get("exists"), body.get("can_receive"), body.get("reason_code"))
        == (False, False, "no_tgo_connect_account")
        and body.get("recipient_id") is None,
        body,
    )
    raw = c.get(f"/api/v1/contacts/lookup?phone={REACHABLE}&sender_phone={ACTIVE}", headers=key)
    s.check(
        "unencoded + in the query (as in the docs' curl) works",
        raw.status_code == 200 and raw.json().get("phone") == REACHABLE,
        raw.text,
    )
    s.expect_error(
        "lookup without phone",
        c.get("/api/v1/contacts/lookup", headers=key),
        422,
        "missing_phone",
    )
    s.expect_error("lookup bad phone", lookup(phone="hello"), 422, "invalid_phone")
    s.expect_error(
        "lookup with another account's sender",
        lookup(phone=REACHABLE, sender_phone=GLOBEX_SENDER),
        422,
        "sender_not_found",
    )


def check_usage(s: Smoke, c: httpx.Client, ready: dict[str, Any]) -> None:
    print("usage")
    items, pages = walk(c, "/api/v1/usage", USAGE_ONLY)
    s.check("usage has a row per sender number (6), 2 per page", len(items) == 6 and pages == 3)
    row = next((i for i in items if i["sender_number_id"] == ready["sender_ids"][ACTIVE]), {})
    s.check(
        "usage of the active number",
        row.get("total") == 7
        and row.get("by_status") == {"queued": 0, "delivered": 5, "failed": 2}
        and row.get("by_type") == {"text": 4, "image": 1, "voice": 1, "document": 1},
        row,
    )
    others = [i for i in items if i["sender_number_id"] != ready["sender_ids"][ACTIVE]]
    s.check("refused sends are not counted", all(i["total"] == 0 for i in others), others)
    globex, _ = walk(c, "/api/v1/usage", GLOBEX)
    s.check(
        "globex usage is its own",
        [g["phone"] for g in globex] == [GLOBEX_SENDER, REACHABLE]
        and all(g["total"] == 0 for g in globex),
        globex,
    )


def check_robustness(s: Smoke, c: httpx.Client) -> None:
    print("robustness")
    h = {"X-Api-Key": FULL, "Content-Type": "application/json"}
    cases = {
        "huge integer literal": b'{"sender_number_id": ' + b"9" * 5000 + b"}",
        "deep nesting": b"[" * 100000 + b"]" * 100000,
        "invalid UTF-8": b'{"content": "\xff\xfe"}',
        "empty body": b"",
        "NaN": b'{"sender_number_id": NaN, "to_phone": "+201010000000"}',
    }
    for name, payload in cases.items():
        r = c.post("/api/v1/messages", headers=h, content=payload)
        s.check(f"{name} -> 422", r.status_code == 422, f"{r.status_code} {r.text[:120]}")
    r = c.post(
        "/api/v1/messages",
        headers=h,
        content=json.dumps(
            {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "text", "content": "\ud800"}
        ).encode(),
    )
    s.expect_error("lone surrogate in content", r, 422, "invalid_content")
    r = c.post(
        "/api/v1/sender-numbers",
        headers=h,
        content=b'{"phone": "+201010000002", "display_name": "\\udfff"}',
    )
    s.expect_error("lone surrogate in display_name", r, 422, "invalid_display_name")
    r = c.post(
        "/api/v1/messages",
        headers={"X-Api-Key": FULL},
        json={
            "sender_phone": ACTIVE,
            "to_phone": REACHABLE,
            "type": "text",
            "content": "مرحبا 👋 \u0000 <b>&amp;</b>",
        },
    )
    s.check(
        "odd characters round-trip",
        r.status_code == 202 and r.json()["content"] == "مرحبا 👋 \u0000 <b>&amp;</b>",
        r.text,
    )
    s.expect_error(
        "too large JSON body",
        c.post("/api/v1/messages", headers=h, content=b" " * (1024 * 1024 + 10)),
        413,
        "payload_too_large",
    )
    s.expect_error("unknown route", c.get("/api/v1/nothing"), 404, "not_found")
    s.expect_error("wrong method", c.delete("/api/v1/usage", headers=h), 405, "method_not_allowed")
    s.expect_error(
        "odd query characters",
        c.get("/api/v1/contacts/lookup?phone=%ff%00%F0%9F%91%8B", headers=h),
        422,
        "invalid_phone",
    )


def check_concurrency(s: Smoke, c: httpx.Client, base_url: str) -> None:
    print("concurrency")
    before = next(i for i in walk(c, "/api/v1/usage?limit=100", FULL)[0] if i["phone"] == ACTIVE)[
        "total"
    ]

    def send(n: int) -> str:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            r = client.post(
                "/api/v1/messages",
                headers={"X-Api-Key": SEND_ONLY},
                json={
                    "sender_phone": ACTIVE,
                    "to_phone": REACHABLE,
                    "type": "text",
                    "content": f"n{n}",
                },
            )
            return r.json()["id"] if r.status_code == 202 else ""

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(send, range(64)))
    s.check("64 concurrent sends accepted with unique ids", len(set(ids) - {""}) == 64)
    settled = wait_settled(c, FULL, set(ids))
    s.check(
        "all concurrent sends delivered",
        len(settled) == 64 and all(m["status"] == "delivered" for m in settled.values()),
    )
    after = next(i for i in walk(c, "/api/v1/usage?limit=100", FULL)[0] if i["phone"] == ACTIVE)
    s.check(
        "usage counted every concurrent send",
        after["total"] == before + 64 and sum(after["by_status"].values()) == after["total"],
        after,
    )


def main() -> int:
    smoke = Smoke()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        process, ready = start_server(tmp, "main")
        print(f"server ready at {ready['base_url']}")
        try:
            with httpx.Client(base_url=ready["base_url"], timeout=10) as client:
                check_auth(smoke, client)
                check_sender_numbers(smoke, client, ready)
                check_sending(smoke, client, ready)
                check_message_log(smoke, client)
                check_lookup(smoke, client)
                check_usage(smoke, client, ready)
                check_robustness(smoke, client)
                check_concurrency(smoke, client, ready["base_url"])
        finally:
            print("shutdown")
            stop_server(smoke, process, signal.SIGTERM)
        process, ready = start_server(tmp, "second")
        fresh, _ = walk(httpx.Client(base_url=ready["base_url"]), "/api/v1/messages", FULL)
        smoke.check("a restart starts fresh from the world", fresh == [], fresh)
        stop_server(smoke, process, signal.SIGINT)
    total = smoke.passed + len(smoke.failures)
    if smoke.failures:
        print(f"FAILED: {len(smoke.failures)} of {total} checks: {', '.join(smoke.failures)}")
        return 1
    print(f"PASSED: all {total} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
