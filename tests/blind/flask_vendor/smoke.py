"""Smoke check of the TGO Business API server (not a pytest file).

Starts serve.py with the example world through its exact command-line
interface, exercises every operation and the main error cases with httpx,
stops the server with SIGTERM and exits 0 only if everything behaved as
intended.
"""

from __future__ import annotations

import json
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
WORLD = HERE.parent / "example-world.json"
PYTHON = sys.executable

FULL = "trk_AcmeFullAccess0000000000000000001"
SEND = "trk_AcmeSendOnly00000000000000000002"
READ = "trk_AcmeReadOnly00000000000000000003"
LOOKUP = "trk_AcmeLookupOnly000000000000000004"
USAGE = "trk_AcmeUsageOnly0000000000000000005"
REVOKED = "trk_AcmeRevoked000000000000000000006"
GLOBEX = "trk_GlobexFullAccess00000000000000007"

ACTIVE = "+201001187188"
PENDING_OTP = "+201001187189"
PENDING_ACCOUNT = "+201001187190"
REJECTED = "+201001187191"
SUSPENDED = "+201001187192"
GLOBEX_ACTIVE = "+201001187199"
RECIPIENT = "+201010000000"
UNVERIFIED_RECIPIENT = "+201010000002"
NOBODY = "+201099999999"

OWNER_NOT_VERIFIED = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."

passed = 0
failed = 0


def check(label: str, ok: bool, detail: Any = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok    {label}")
    else:
        failed += 1
        print(f"  FAIL  {label}  {detail}")
    return ok


def expect(label: str, resp: httpx.Response, status: int, code: str | None = None) -> Any:
    """Check status (and error code); return the decoded body."""
    try:
        body = resp.json() if resp.content else None
    except ValueError:
        body = resp.text
    ok = resp.status_code == status
    if code is not None:
        ok = ok and isinstance(body, dict) and body.get("code") == code
        ok = ok and isinstance(body.get("error"), str) and body.get("message") == body["error"]
    check(label, ok, f"-> {resp.status_code} {str(body)[:300]}")
    return body


def start_server(tmp: Path) -> tuple[subprocess.Popen, dict[str, Any]]:
    ready = tmp / "ready.json"
    proc = subprocess.Popen(
        [
            PYTHON,
            str(HERE / "serve.py"),
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
    deadline = time.monotonic() + 15
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            raise SystemExit(f"server did not start: {err.decode(errors='replace')}")
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())


def section(title: str) -> None:
    print(f"\n== {title}")


def run_checks(base_url: str, sender_ids: dict[str, Any]) -> None:
    c = httpx.Client(base_url=base_url, timeout=10)

    def get(path: str, key: str | None = FULL, **kw: Any) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if key is not None:
            headers["X-Api-Key"] = key
        return c.get(path, headers=headers, **kw)

    def post(path: str, key: str | None = FULL, **kw: Any) -> httpx.Response:
        headers = {"Accept": "application/json", **kw.pop("headers", {})}
        if key is not None:
            headers["X-Api-Key"] = key
        return c.post(path, headers=headers, **kw)

    def send(key: str = FULL, **fields: Any) -> httpx.Response:
        return post("/api/v1/messages", key, json=fields)

    def send_media(fields: dict[str, str], media: Any = None, key: str = FULL) -> httpx.Response:
        files = {"media": media} if media is not None else None
        if files is None:  # force multipart even without a file
            files = {"unused": ("x.txt", b"x", "text/plain")}
        return post("/api/v1/messages", key, data=fields, files=files)

    png = ("pic.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")
    ogg = ("audio.ogg", b"OggS" + b"0" * 64, "audio/ogg")
    pdf = ("doc.pdf", b"%PDF-1.4" + b"0" * 64, "application/pdf")

    section("ready file")
    check(
        "sender_ids lists every world sender phone",
        set(sender_ids)
        == {ACTIVE, PENDING_OTP, PENDING_ACCOUNT, REJECTED, SUSPENDED, GLOBEX_ACTIVE},
        sender_ids,
    )
    check("sender ids are integers", all(isinstance(v, int) for v in sender_ids.values()))

    section("authentication and scopes")
    expect(
        "no key -> 401 missing_api_key", get("/api/v1/sender-numbers", None), 401, "missing_api_key"
    )
    expect(
        "unknown key -> 401 invalid_api_key",
        get("/api/v1/usage", "trk_nope"),
        401,
        "invalid_api_key",
    )
    expect(
        "revoked key -> 401 invalid_api_key", get("/api/v1/usage", REVOKED), 401, "invalid_api_key"
    )
    expect(
        "key with trailing junk -> 401", get("/api/v1/usage", FULL + "x"), 401, "invalid_api_key"
    )
    expect(
        "Authorization header is not X-Api-Key -> 401",
        c.get("/api/v1/usage", headers={"Authorization": f"Bearer {FULL}"}),
        401,
        "missing_api_key",
    )
    expect(
        "usage.read key reading messages -> 403",
        get("/api/v1/messages", USAGE),
        403,
        "insufficient_scope",
    )
    expect(
        "messages.read key sending -> 403",
        send(READ, sender_phone=ACTIVE, to_phone=RECIPIENT, type="text", content="x"),
        403,
        "insufficient_scope",
    )
    expect(
        "messages.send key on lookup -> 403",
        get("/api/v1/contacts/lookup", SEND, params={"phone": RECIPIENT}),
        403,
        "insufficient_scope",
    )
    expect(
        "contacts.lookup key on usage -> 403",
        get("/api/v1/usage", LOOKUP),
        403,
        "insufficient_scope",
    )
    expect(
        "messages.read key registering a sender -> 403",
        post("/api/v1/sender-numbers", READ, json={"phone": "+201010000000"}),
        403,
        "insufficient_scope",
    )
    expect(
        "auth is checked before the body",
        post("/api/v1/messages", None, content=b"{"),
        401,
        "missing_api_key",
    )

    section("list sender numbers")
    r = get("/api/v1/sender-numbers")
    page1 = expect("list page 1 -> 200", r, 200)
    check("page 1 holds 3 numbers", isinstance(page1, list) and len(page1) == 3, page1)
    check(
        "Link announces page 2",
        r.headers.get("link") == '</api/v1/sender-numbers?page=2>; rel="next"',
        r.headers.get("link"),
    )
    r2 = get("/api/v1/sender-numbers", params={"page": 2})
    page2 = expect("list page 2 -> 200", r2, 200)
    check("page 2 holds the last 2, no Link", len(page2) == 2 and "link" not in r2.headers)
    by_phone = {n["phone"]: n for n in page1 + page2}
    check(
        "ids match the ready file",
        all(by_phone[p]["id"] == sender_ids[p] for p in by_phone),
        by_phone,
    )
    check(
        "fields id, phone, display_name, status, verification_status",
        all(
            set(n) == {"id", "phone", "display_name", "status", "verification_status"}
            for n in by_phone.values()
        ),
    )
    states = {p: (n["status"], n["verification_status"]) for p, n in by_phone.items()}
    check(
        "states as documented",
        states
        == {
            ACTIVE: ("active", "verified"),
            PENDING_OTP: ("pending_verification", "pending_verification"),
            PENDING_ACCOUNT: ("pending_account_verification", "pending_account_verification"),
            REJECTED: ("rejected", "rejected"),
            SUSPENDED: ("suspended", "verified"),
        },
        states,
    )
    expect("page 3 -> 200 []", get("/api/v1/sender-numbers", params={"page": 3}), 200)
    check(
        "page beyond the end is empty",
        get("/api/v1/sender-numbers", params={"page": 10**30}).json() == [],
    )
    for bad in ("0", "-1", "abc", "1.5", ""):
        expect(
            f"page={bad!r} -> 400 invalid_page",
            get("/api/v1/sender-numbers", params={"page": bad}),
            400,
            "invalid_page",
        )
    expect("any valid key may list (usage.read only)", get("/api/v1/sender-numbers", USAGE), 200)
    g = get("/api/v1/sender-numbers", GLOBEX).json()
    check("globex sees only its own number", [n["phone"] for n in g] == [GLOBEX_ACTIVE], g)

    section("register a sender number")
    r = post("/api/v1/sender-numbers", SEND, json={"phone": RECIPIENT, "display_name": "New"})
    new = expect("register -> 201", r, 201)
    check(
        "new number is pending_verification",
        new.get("status") == "pending_verification"
        and isinstance(new.get("id"), int)
        and new.get("display_name") == "New",
        new,
    )
    expect(
        "register the same phone again -> 409",
        post("/api/v1/sender-numbers", json={"phone": RECIPIENT}),
        409,
        "sender_number_exists",
    )
    r = post("/api/v1/sender-numbers", GLOBEX, json={"phone": UNVERIFIED_RECIPIENT})
    other = expect("register in another account -> 201, display_name optional", r, 201)
    check("display_name defaults to null", other.get("display_name") is None, other)
    expect(
        "missing phone -> 422", post("/api/v1/sender-numbers", json={}), 422, "missing_phone_number"
    )
    expect(
        "bad phone -> 422 invalid_phone",
        post("/api/v1/sender-numbers", json={"phone": "01001187188"}),
        422,
        "invalid_phone",
    )
    expect(
        "phone with Arabic-Indic digits -> 422",
        post("/api/v1/sender-numbers", json={"phone": "+٢٠١٠٠١١٨٧١٨٨"}),
        422,
        "invalid_phone",
    )
    expect(
        "phone as a number -> 422",
        post("/api/v1/sender-numbers", json={"phone": 2010}),
        422,
        "invalid_phone",
    )
    expect(
        "phone without a TGO Connect account -> 422",
        post("/api/v1/sender-numbers", json={"phone": NOBODY}),
        422,
        "not_on_tgo_connect",
    )
    expect(
        "display_name of 256 chars -> 422",
        post("/api/v1/sender-numbers", json={"phone": NOBODY, "display_name": "x" * 256}),
        422,
        "display_name_too_long",
    )
    expect(
        "display_name not a string -> 422",
        post("/api/v1/sender-numbers", json={"phone": NOBODY, "display_name": 5}),
        422,
        "invalid_display_name",
    )
    expect(
        "malformed JSON -> 400",
        post(
            "/api/v1/sender-numbers",
            content=b'{"phone": ',
            headers={"Content-Type": "application/json"},
        ),
        400,
        "invalid_json",
    )
    expect(
        "JSON array body -> 400",
        post("/api/v1/sender-numbers", json=[{"phone": NOBODY}]),
        400,
        "invalid_json",
    )
    expect(
        "form body -> 415",
        post("/api/v1/sender-numbers", data={"phone": NOBODY}),
        415,
        "unsupported_media_type",
    )
    lst = get("/api/v1/sender-numbers", params={"page": 2}).json()
    check("the new number is listed last", lst and lst[-1]["id"] == new["id"], lst)

    section("send text messages")
    r = send(sender_phone=ACTIVE, to_phone=RECIPIENT, type="text", content="Hello from TGO")
    m1 = expect("text by sender_phone -> 201", r, 201)
    check(
        "message fields",
        m1.get("sender_number_id") == sender_ids[ACTIVE]
        and m1.get("message_type") == "text"
        and m1.get("content") == "Hello from TGO"
        and m1.get("status") == "sent"
        and isinstance(m1.get("id"), int)
        and len(m1.get("sent_at", "")) == 20
        and m1["sent_at"].endswith("Z"),
        m1,
    )
    odd = 'مرحبا 👋 \u0000 <b>&amp;</b> "quotes"'
    r = send(
        SEND, sender_number_id=sender_ids[ACTIVE], to_phone=RECIPIENT, type="text", content=odd
    )
    m2 = expect("text by sender_number_id with send-only key -> 201", r, 201)
    check("odd characters round-trip", m2.get("content") == odd, m2)
    expect(
        "sender_number_id as digit string -> 201",
        send(
            sender_number_id=str(sender_ids[ACTIVE]), to_phone=RECIPIENT, type="text", content="3"
        ),
        201,
    )
    expect(
        "both sender fields -> 422",
        send(sender_phone=ACTIVE, sender_number_id=1, to_phone=RECIPIENT, type="text", content="x"),
        422,
        "conflicting_sender",
    )
    expect(
        "no sender -> 422",
        send(to_phone=RECIPIENT, type="text", content="x"),
        422,
        "missing_sender",
    )
    expect(
        "bad sender_phone -> 422",
        send(sender_phone="2010", to_phone=RECIPIENT, type="text", content="x"),
        422,
        "invalid_phone",
    )
    for bad_id in (0, -3, 1.5, True, "abc", [1]):
        expect(
            f"sender_number_id={bad_id!r} -> 422",
            send(sender_number_id=bad_id, to_phone=RECIPIENT, type="text", content="x"),
            422,
            "invalid_sender_number_id",
        )
    expect(
        "huge sender_number_id -> 422 not_found",
        send(sender_number_id=10**40, to_phone=RECIPIENT, type="text", content="x"),
        422,
        "not_found",
    )
    expect(
        "missing to_phone -> 422 missing_to",
        send(sender_phone=ACTIVE, type="text", content="x"),
        422,
        "missing_to",
    )
    r = send(sender_phone=ACTIVE, to_phone="+0123", type="text", content="x")
    body = expect("bad to_phone -> 422 invalid_phone", r, 422, "invalid_phone")
    check("recipient wording", body.get("error") == "Invalid recipient phone number format", body)
    expect(
        "missing type -> 422",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, content="x"),
        422,
        "missing_type",
    )
    expect(
        "unknown type -> 422",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, type="video", content="x"),
        422,
        "invalid_type",
    )
    expect(
        "type as an object -> 422",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, type={"a": 1}, content="x"),
        422,
        "invalid_type",
    )
    expect(
        "missing content -> 422 missing_body",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, type="text"),
        422,
        "missing_body",
    )
    expect(
        "blank content -> 422 missing_body",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, type="text", content="  "),
        422,
        "missing_body",
    )
    expect(
        "content not a string -> 422",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, type="text", content=12),
        422,
        "invalid_content",
    )
    expect(
        "content with a lone surrogate -> 422",
        post(
            "/api/v1/messages",
            content=b'{"sender_phone": "+201001187188", "to_phone": "+201010000000", '
            b'"type": "text", "content": "\\ud800"}',
            headers={"Content-Type": "application/json"},
        ),
        422,
        "invalid_content",
    )
    expect(
        "content of 1601 chars -> 422",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, type="text", content="x" * 1601),
        422,
        "content_too_long",
    )
    expect(
        "content of 1600 chars -> 201",
        send(sender_phone=ACTIVE, to_phone=RECIPIENT, type="text", content="y" * 1600),
        201,
    )
    expect(
        "sender of another account -> 422 not_found",
        send(
            sender_number_id=sender_ids[GLOBEX_ACTIVE], to_phone=RECIPIENT, type="text", content="x"
        ),
        422,
        "not_found",
    )
    expect(
        "unregistered sender phone -> 422 not_found",
        send(sender_phone=GLOBEX_ACTIVE, to_phone=RECIPIENT, type="text", content="x"),
        422,
        "not_found",
    )
    for phone, label in (
        (PENDING_OTP, "pending_verification"),
        (REJECTED, "rejected"),
        (SUSPENDED, "suspended"),
        (RECIPIENT, "freshly registered"),
    ):
        body = expect(
            f"{label} sender -> 422 sender_not_active",
            send(sender_phone=phone, to_phone=RECIPIENT, type="text", content="x"),
            422,
            "sender_not_active",
        )
        check(
            f"{label}: documented wording",
            body.get("message") == "The sender number is not active.",
            body,
        )
    body = expect(
        "owner not verified -> 422 account_not_verified",
        send(sender_phone=PENDING_ACCOUNT, to_phone=RECIPIENT, type="text", content="x"),
        422,
        "account_not_verified",
    )
    check("documented Arabic wording", body.get("message") == OWNER_NOT_VERIFIED, body)
    body = expect(
        "recipient without TGO Connect -> 422 recipient_unreachable",
        send(sender_phone=ACTIVE, to_phone=NOBODY, type="text", content="x"),
        422,
        "recipient_unreachable",
    )
    check("reason_code not_on_tgo_connect", body.get("reason_code") == "not_on_tgo_connect")
    body = expect(
        "recipient with unverified phone -> 422",
        send(sender_phone=ACTIVE, to_phone=UNVERIFIED_RECIPIENT, type="text", content="x"),
        422,
        "recipient_unreachable",
    )
    check("reason_code phone_not_verified", body.get("reason_code") == "phone_not_verified")
    expect(
        "text/plain body -> 415",
        post("/api/v1/messages", content=b"hi", headers={"Content-Type": "text/plain"}),
        415,
        "unsupported_media_type",
    )
    expect(
        "empty JSON body -> 400",
        post("/api/v1/messages", content=b"", headers={"Content-Type": "application/json"}),
        400,
        "invalid_json",
    )
    expect(
        "NaN in JSON -> 400",
        post(
            "/api/v1/messages",
            content=b'{"duration": NaN}',
            headers={"Content-Type": "application/json"},
        ),
        400,
        "invalid_json",
    )
    expect(
        "deeply nested JSON -> 400",
        post(
            "/api/v1/messages",
            content=b"[" * 100000 + b"]" * 100000,
            headers={"Content-Type": "application/json"},
        ),
        400,
        "invalid_json",
    )
    expect(
        "invalid UTF-8 JSON -> 400",
        post(
            "/api/v1/messages",
            content=b'{"content": "\xff\xfe"}',
            headers={"Content-Type": "application/json"},
        ),
        400,
        "invalid_json",
    )
    expect(
        "11 MiB body -> 413",
        post(
            "/api/v1/messages",
            content=b"x" * (11 * 1024 * 1024),
            headers={"Content-Type": "application/json"},
        ),
        413,
        "payload_too_large",
    )

    section("send media messages (multipart)")
    base = {"sender_phone": ACTIVE, "to_phone": RECIPIENT}
    m_img = expect("image -> 201", send_media({**base, "type": "image"}, png), 201)
    check(
        "image metadata recorded",
        m_img.get("media")
        == {"filename": "pic.png", "content_type": "image/png", "size": len(png[1])},
        m_img,
    )
    m_voice = expect(
        "voice with duration 45 -> 201",
        send_media({**base, "type": "voice", "duration": "45"}, ogg),
        201,
    )
    check("duration recorded", m_voice.get("duration") == 45, m_voice)
    expect(
        "document by sender_number_id -> 201",
        send_media(
            {
                "sender_number_id": str(sender_ids[ACTIVE]),
                "to_phone": RECIPIENT,
                "type": "document",
            },
            pdf,
        ),
        201,
    )
    expect(
        "image with caption -> 201",
        send_media({**base, "type": "image", "content": "caption"}, png),
        201,
    )
    expect(
        "text as multipart -> 201",
        send_media({**base, "type": "text", "content": "form text"}),
        201,
    )
    expect(
        "voice without duration -> 422",
        send_media({**base, "type": "voice"}, ogg),
        422,
        "missing_duration",
    )
    for bad in ("0", "301", "4.5", "abc", "9" * 5000, "-1"):
        expect(
            f"voice duration={bad[:12]!r} -> 422",
            send_media({**base, "type": "voice", "duration": bad}, ogg),
            422,
            "invalid_duration",
        )
    expect(
        "duration on an image -> 422",
        send_media({**base, "type": "image", "duration": "5"}, png),
        422,
        "invalid_duration",
    )
    expect(
        "image without a file -> 422", send_media({**base, "type": "image"}), 422, "missing_media"
    )
    expect("image as JSON -> 422 missing_media", send(**base, type="image"), 422, "missing_media")
    expect(
        "media as a text field -> 422",
        post(
            "/api/v1/messages",
            data={**base, "type": "image", "media": "abc"},
            files={"x": ("x", b"x")},
        ),
        422,
        "invalid_media",
    )
    expect(
        "image with an audio file -> 422",
        send_media({**base, "type": "image"}, ogg),
        422,
        "invalid_media",
    )
    expect(
        "empty file -> 422",
        send_media({**base, "type": "document"}, ("e.pdf", b"", "application/pdf")),
        422,
        "invalid_media",
    )
    expect(
        "text with a file -> 422",
        send_media({**base, "type": "text", "content": "x"}, png),
        422,
        "invalid_media",
    )
    expect(
        "not-active sender, multipart -> 422",
        send_media({**base, "sender_phone": REJECTED, "type": "image"}, png),
        422,
        "sender_not_active",
    )
    expect(
        "multipart without boundary -> 400",
        post(
            "/api/v1/messages", content=b"--x\r\n", headers={"Content-Type": "multipart/form-data"}
        ),
        400,
        "invalid_multipart",
    )
    expect(
        "truncated multipart -> 400",
        post(
            "/api/v1/messages",
            content=b'--xx\r\nContent-Disposition: form-data; name="type"\r\n\r\nte',
            headers={"Content-Type": "multipart/form-data; boundary=xx"},
        ),
        400,
        "invalid_multipart",
    )

    section("message log")
    expect(
        "messages.send key cannot read the log -> 403",
        get("/api/v1/messages", SEND),
        403,
        "insufficient_scope",
    )
    log: list[dict] = []
    page, links = 1, 0
    while True:
        r = get("/api/v1/messages", READ, params={"page": page})
        chunk = r.json()
        check(f"log page {page} -> 200 with at most 3", r.status_code == 200 and len(chunk) <= 3)
        log += chunk
        link = r.headers.get("link")
        if not link:
            break
        links += 1
        check(
            f"Link of page {page}", link == f'</api/v1/messages?page={page + 1}>; rel="next"', link
        )
        page += 1
    check(
        "log holds all 9 sent messages in id order",
        len(log) == 9 and [m["id"] for m in log] == sorted(m["id"] for m in log),
        len(log),
    )
    check(
        "log entries carry the documented fields",
        all(
            {"id", "sender_number_id", "message_type", "content", "status", "sent_at"} <= set(m)
            for m in log
        ),
    )
    check("log entry equals the send response", log[0] == m1, (log[0], m1))
    check("globex log is empty", get("/api/v1/messages", GLOBEX).json() == [])
    expect(
        "bad page on log -> 400", get("/api/v1/messages", params={"page": "x"}), 400, "invalid_page"
    )

    section("contact lookup")
    r = get("/api/v1/contacts/lookup", LOOKUP, params={"phone": RECIPIENT, "sender_phone": ACTIVE})
    body = expect("reachable recipient -> 200", r, 200)
    check(
        "exists/can_receive/ok",
        body.get("exists") is True
        and body.get("can_receive") is True
        and body.get("reason_code") == "ok"
        and isinstance(body.get("recipient_id"), int)
        and body.get("is_verified") is True
        and str(body.get("phone_verified_at")).endswith("Z"),
        body,
    )
    r = get(f"/api/v1/contacts/lookup?phone={RECIPIENT}&sender_phone={ACTIVE}", LOOKUP)
    check("unencoded + in the query still works", r.status_code == 200 and r.json() == body, r.text)
    body = get("/api/v1/contacts/lookup", LOOKUP, params={"phone": NOBODY}).json()
    check(
        "unknown phone: exists false, reason not_on_tgo_connect",
        body.get("exists") is False
        and body.get("can_receive") is False
        and body.get("reason_code") == "not_on_tgo_connect"
        and body.get("recipient_id") is None,
        body,
    )
    body = get("/api/v1/contacts/lookup", LOOKUP, params={"phone": UNVERIFIED_RECIPIENT}).json()
    check(
        "unverified phone: exists true, cannot receive",
        body.get("exists") is True
        and body.get("can_receive") is False
        and body.get("reason_code") == "phone_not_verified"
        and body.get("phone_verified_at") is None,
        body,
    )
    body = get(
        "/api/v1/contacts/lookup",
        LOOKUP,
        params={"phone": RECIPIENT, "sender_phone": PENDING_ACCOUNT},
    ).json()
    check(
        "sender owner unverified: cannot receive from it",
        body.get("can_receive") is False
        and body.get("reason_code") == "sender_account_not_verified",
        body,
    )
    body = get(
        "/api/v1/contacts/lookup",
        LOOKUP,
        params={"phone": RECIPIENT, "sender_number_id": sender_ids[REJECTED]},
    ).json()
    check(
        "rejected sender: sender_not_active", body.get("reason_code") == "sender_not_active", body
    )
    expect(
        "missing phone -> 400", get("/api/v1/contacts/lookup", LOOKUP), 400, "missing_phone_number"
    )
    expect(
        "bad phone -> 400",
        get("/api/v1/contacts/lookup", LOOKUP, params={"phone": "abc"}),
        400,
        "invalid_phone",
    )
    expect(
        "sender of another account -> 400 not_found",
        get(
            "/api/v1/contacts/lookup",
            LOOKUP,
            params={"phone": RECIPIENT, "sender_phone": GLOBEX_ACTIVE},
        ),
        400,
        "not_found",
    )

    section("usage")
    r = get("/api/v1/usage", USAGE)
    rows = expect("usage page 1 -> 200", r, 200)
    check("usage is paginated with Link", len(rows) == 3 and "link" in r.headers, r.headers)
    rows += get("/api/v1/usage", USAGE, params={"page": 2}).json()
    usage = {u["sender_number_id"]: u for u in rows}
    active = usage.get(sender_ids[ACTIVE], {})
    check(
        "active sender counted 9 messages by type",
        active.get("total_messages") == 9
        and active.get("by_type") == {"text": 5, "image": 2, "voice": 1, "document": 1},
        active,
    )
    check(
        "every account sender has a row, others zero",
        len(usage) == 6
        and all(u["total_messages"] == 0 for i, u in usage.items() if i != sender_ids[ACTIVE]),
        usage,
    )
    g_usage = get("/api/v1/usage", GLOBEX).json()
    check(
        "globex usage only has its own senders",
        {u["phone"] for u in g_usage} == {GLOBEX_ACTIVE, UNVERIFIED_RECIPIENT},
        g_usage,
    )

    section("protocol robustness")
    expect("unknown path -> 404 JSON", get("/api/v1/nope"), 404, "not_found")
    r = c.delete("/api/v1/messages", headers={"X-Api-Key": FULL})
    expect("DELETE /messages -> 405 JSON", r, 405, "method_not_allowed")
    check("405 carries Allow", "POST" in r.headers.get("allow", ""), r.headers)

    section("concurrency")

    def one(i: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=10) as cc:
            return cc.post(
                "/api/v1/messages",
                headers={"X-Api-Key": GLOBEX},
                json={
                    "sender_phone": GLOBEX_ACTIVE,
                    "to_phone": RECIPIENT,
                    "type": "text",
                    "content": f"parallel {i}",
                },
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(24)))
    ids = [r.json().get("id") for r in results if r.status_code == 201]
    check("24 parallel sends all succeed with distinct ids", len(set(ids)) == 24, ids)
    total, page = 0, 1
    while True:
        r = get("/api/v1/messages", GLOBEX, params={"page": page})
        total += len(r.json())
        if "link" not in r.headers:
            break
        page += 1
    check("globex log holds exactly the 24", total == 24, total)
    g_usage = get("/api/v1/usage", GLOBEX).json()
    check(
        "globex usage counts 24",
        any(u["phone"] == GLOBEX_ACTIVE and u["total_messages"] == 24 for u in g_usage),
    )
    c.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proc, ready = start_server(Path(tmp))
        print(f"server up at {ready['base_url']}")
        try:
            run_checks(ready["base_url"], ready["sender_ids"])
        finally:
            section("shutdown")
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            check("SIGTERM stops the server with status 0", rc == 0, rc)
            check("stderr has no traceback", "Traceback" not in err, err[-2000:])
            check("stderr is quiet", err.strip() == "", err[-2000:])
    print(f"\n{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
