"""Smoke check: start serve.py with the example world, exercise every operation, stop it.

Exits 0 only if everything behaved as intended.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

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
PENDING = "+201001187189"
NEEDS_ACCOUNT = "+201001187190"
REJECTED = "+201001187191"
SUSPENDED = "+201001187192"
GLOBEX_SENDER = "+201001187199"
REACHABLE = "+201010000000"
UNVERIFIED_PHONE = "+201010000002"
NO_ACCOUNT = "+201010000009"
ARABIC = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."

failures: list[str] = []
checks = 0


def check(label: str, ok: bool, detail: str = "") -> None:
    global checks
    checks += 1
    print(f"[{'PASS' if ok else 'FAIL'}] {label}" + ("" if ok else f"  -- {detail}"))
    if not ok:
        failures.append(label)


def expect_error(label, resp, status, code, error=None):
    try:
        body = resp.json()
    except ValueError:
        body = None
    ok = (
        resp.status_code == status
        and isinstance(body, dict)
        and set(body) == {"error", "code"}
        and (code is None or body["code"] == code)
        and isinstance(body["error"], str)
        and (error is None or body["error"] == error)
    )
    check(label, ok, f"got {resp.status_code} {resp.text[:200]}")


def expect_ok(label, resp, status=200):
    check(label, resp.status_code == status, f"got {resp.status_code} {resp.text[:200]}")
    try:
        return resp.json()
    except ValueError:
        return None


def start_server(tmp: Path):
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
        text=True,
    )
    deadline = time.monotonic() + 20
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            raise SystemExit(f"server did not start:\n{err}")
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())


def run_checks(base: str, ready: dict) -> None:
    c = httpx.Client(base_url=base, timeout=10)

    def h(key):
        return {"X-Api-Key": key, "Accept": "application/json"}

    def send(key=FULL, **body):
        return c.post("/api/v1/messages", headers=h(key), json=body)

    def text(sender=ACTIVE, to=REACHABLE, key=FULL, **extra):
        return send(key, sender_phone=sender, to_phone=to, type="text", content="Hi", **extra)

    print("== ready file")
    ids = ready["sender_ids"]
    check("ready file maps every world sender phone", len(ids) == 6 and ACTIVE in ids)

    print("== authentication")
    expect_error(
        "no key -> 401 missing_api_key",
        c.get("/api/v1/usage"),
        401,
        "missing_api_key",
        "API key required",
    )
    expect_error(
        "empty key -> 401 missing_api_key",
        c.get("/api/v1/usage", headers={"X-Api-Key": ""}),
        401,
        "missing_api_key",
    )
    expect_error(
        "unknown key -> 401 invalid_api_key",
        c.get("/api/v1/usage", headers=h("trk_x")),
        401,
        "invalid_api_key",
        "Invalid API key",
    )
    expect_error(
        "revoked key -> 401", c.get("/api/v1/usage", headers=h(REVOKED)), 401, "invalid_api_key"
    )
    expect_error(
        "key in wrong case -> 401",
        c.get("/api/v1/usage", headers={"X-Api-Key": FULL.upper()}),
        401,
        "invalid_api_key",
    )
    expect_error(
        "key in Authorization header -> 401 missing",
        c.get("/api/v1/usage", headers={"Authorization": f"Bearer {FULL}"}),
        401,
        "missing_api_key",
    )

    print("== scopes")
    expect_error(
        "send-only key cannot read usage",
        c.get("/api/v1/usage", headers=h(SEND)),
        403,
        "insufficient_scope",
    )
    expect_error("read-only key cannot send", text(key=READ), 403, "insufficient_scope")
    expect_error(
        "usage key cannot read messages",
        c.get("/api/v1/messages", headers=h(USAGE)),
        403,
        "insufficient_scope",
    )
    expect_error(
        "send key cannot look up",
        c.get("/api/v1/contacts/lookup", params={"phone": REACHABLE}, headers=h(SEND)),
        403,
        "insufficient_scope",
    )
    expect_error(
        "lookup key cannot register",
        c.post("/api/v1/sender-numbers", headers=h(LOOKUP), json={"phone": "+201001187100"}),
        403,
        "insufficient_scope",
    )
    expect_ok("usage key lists sender numbers", c.get("/api/v1/sender-numbers", headers=h(USAGE)))

    print("== sender numbers")
    body = expect_ok("list sender numbers", c.get("/api/v1/sender-numbers", headers=h(FULL)))
    check(
        "list is paginated (count 5, 4 per page, next link)",
        body["count"] == 5
        and len(body["results"]) == 4
        and body["next"].startswith(base)
        and body["next"].endswith("page=2")
        and body["previous"] is None,
        json.dumps(body),
    )
    page2 = expect_ok("page 2", c.get("/api/v1/sender-numbers?page=2", headers=h(FULL)))
    rows = {r["phone"]: r for r in body["results"] + page2["results"]}
    check("ids match the ready file", all(rows[p]["id"] == ids[p] for p in rows))
    check(
        "states shown as status/verification_status",
        [
            (rows[p]["status"], rows[p]["verification_status"])
            for p in (ACTIVE, PENDING, NEEDS_ACCOUNT, REJECTED, SUSPENDED)
        ]
        == [
            ("active", "verified"),
            ("pending_verification", "pending_verification"),
            ("active", "pending_account_verification"),
            ("rejected", "rejected"),
            ("suspended", "verified"),
        ],
        json.dumps(rows),
    )
    check(
        "fields",
        set(rows[ACTIVE]) == {"id", "phone", "display_name", "status", "verification_status"},
    )
    check("other account's numbers are not listed", GLOBEX_SENDER not in rows)
    expect_error(
        "page 3 -> 404", c.get("/api/v1/sender-numbers?page=3", headers=h(FULL)), 404, "not_found"
    )
    expect_error(
        "page=abc -> 400",
        c.get("/api/v1/sender-numbers?page=abc", headers=h(FULL)),
        400,
        "invalid_page",
    )
    expect_error(
        "page=0 -> 400",
        c.get("/api/v1/sender-numbers?page=0", headers=h(FULL)),
        400,
        "invalid_page",
    )
    expect_error(
        "huge page -> 404",
        c.get("/api/v1/sender-numbers?page=" + "9" * 500, headers=h(FULL)),
        404,
        "not_found",
    )

    created = expect_ok(
        "register a sender number",
        c.post(
            "/api/v1/sender-numbers",
            headers=h(SEND),
            json={"phone": "+201001187100", "display_name": "New"},
        ),
        201,
    )
    check(
        "new number is pending_verification",
        created["status"] == "pending_verification"
        and isinstance(created["id"], int)
        and created["display_name"] == "New",
        json.dumps(created),
    )
    noname = expect_ok(
        "register without display_name",
        c.post("/api/v1/sender-numbers", headers=h(FULL), json={"phone": "+201001187101"}),
        201,
    )
    check("display_name defaults to null", noname["display_name"] is None)
    expect_ok(
        "register via multipart",
        c.post(
            "/api/v1/sender-numbers",
            headers=h(FULL),
            data={"phone": "+201001187102"},
            files={"x": ("x", b"1")},
        ),
        201,
    )
    expect_error(
        "duplicate phone -> 409",
        c.post("/api/v1/sender-numbers", headers=h(FULL), json={"phone": ACTIVE}),
        409,
        "sender_number_exists",
    )
    expect_ok(
        "same phone in another account is independent",
        c.post("/api/v1/sender-numbers", headers=h(GLOBEX), json={"phone": ACTIVE}),
        201,
    )
    expect_error(
        "missing phone -> 400",
        c.post("/api/v1/sender-numbers", headers=h(FULL), json={}),
        400,
        "missing_phone_number",
        "phone_number is required",
    )
    expect_error(
        "bad phone -> 400",
        c.post("/api/v1/sender-numbers", headers=h(FULL), json={"phone": "01001187188"}),
        400,
        "invalid_phone",
        "Invalid E.164 phone number format",
    )
    expect_error(
        "phone as number -> 400",
        c.post("/api/v1/sender-numbers", headers=h(FULL), json={"phone": 201001187188}),
        400,
        "invalid_phone",
    )
    expect_error(
        "display_name as list -> 400",
        c.post(
            "/api/v1/sender-numbers",
            headers=h(FULL),
            json={"phone": "+201001187103", "display_name": ["x"]},
        ),
        400,
        "invalid_display_name",
    )
    expect_error(
        "display_name too long -> 400",
        c.post(
            "/api/v1/sender-numbers",
            headers=h(FULL),
            json={"phone": "+201001187103", "display_name": "x" * 256},
        ),
        400,
        "display_name_too_long",
    )
    expect_error(
        "JSON array body -> 400",
        c.post("/api/v1/sender-numbers", headers=h(FULL), json=[1]),
        400,
        "invalid_request",
    )
    expect_error(
        "malformed JSON -> 400",
        c.post(
            "/api/v1/sender-numbers",
            headers={**h(FULL), "Content-Type": "application/json"},
            content=b'{"phone":',
        ),
        400,
        "invalid_json",
    )
    expect_error(
        "text/plain body -> 415",
        c.post(
            "/api/v1/sender-numbers",
            headers={**h(FULL), "Content-Type": "text/plain"},
            content=b"hi",
        ),
        415,
        "unsupported_media_type",
    )

    print("== sending")
    sent = expect_ok("send text by sender_phone", text(), 201)
    check(
        "message shape",
        sent["message_type"] == "text"
        and sent["content"] == "Hi"
        and sent["sender_number_id"] == ids[ACTIVE]
        and sent["status"] == "sent"
        and sent["sent_at"].endswith("Z"),
        json.dumps(sent),
    )
    expect_ok(
        "send text by sender_number_id",
        send(sender_number_id=ids[ACTIVE], to_phone=REACHABLE, type="text", content="By id"),
        201,
    )
    expect_ok("send text with send-only key", text(key=SEND), 201)
    img = expect_ok(
        "send image (multipart)",
        c.post(
            "/api/v1/messages",
            headers=h(FULL),
            data={"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "image"},
            files={"media": ("image.png", b"\x89PNG....", "image/png")},
        ),
        201,
    )
    check("image logged with media", img and img["media"]["size"] == 8 and img["content"] is None)
    voice = expect_ok(
        "send voice (multipart, duration 45)",
        c.post(
            "/api/v1/messages",
            headers=h(FULL),
            data={
                "sender_number_id": str(ids[ACTIVE]),
                "to_phone": REACHABLE,
                "type": "voice",
                "duration": "45",
            },
            files={"media": ("audio.ogg", b"OggS....", "audio/ogg")},
        ),
        201,
    )
    check("voice duration stored", voice and voice["duration"] == 45)
    expect_ok(
        "send document (multipart)",
        c.post(
            "/api/v1/messages",
            headers=h(FULL),
            data={
                "sender_phone": ACTIVE,
                "to_phone": REACHABLE,
                "type": "document",
                "content": "Invoice",
            },
            files={"media": ("a.pdf", b"%PDF-1.4", "application/pdf")},
        ),
        201,
    )

    expect_error(
        "no sender -> 400",
        send(to_phone=REACHABLE, type="text", content="x"),
        400,
        "missing_sender",
    )
    expect_error("both senders -> 400", text(sender_number_id=ids[ACTIVE]), 400, "ambiguous_sender")
    expect_error(
        "missing to_phone -> 400",
        send(sender_phone=ACTIVE, type="text", content="x"),
        400,
        "missing_to",
        "to is required",
    )
    expect_error(
        "bad to_phone -> 400",
        text(to="12345"),
        400,
        "invalid_phone",
        "Invalid recipient phone number format",
    )
    expect_error(
        "bad sender_phone -> 400",
        text(sender="+0123"),
        400,
        "invalid_phone",
        "Invalid E.164 phone number format",
    )
    expect_error(
        "missing type -> 400",
        send(sender_phone=ACTIVE, to_phone=REACHABLE, content="x"),
        400,
        "missing_type",
    )
    expect_error(
        "bad type -> 400",
        send(sender_phone=ACTIVE, to_phone=REACHABLE, type="video", content="x"),
        400,
        "invalid_type",
    )
    expect_error(
        "text without content -> 400",
        send(sender_phone=ACTIVE, to_phone=REACHABLE, type="text"),
        400,
        "missing_body",
        "body is required",
    )
    expect_error(
        "content as object -> 400",
        send(sender_phone=ACTIVE, to_phone=REACHABLE, type="text", content={"a": 1}),
        400,
        "invalid_content",
    )
    expect_error(
        "image via JSON (no file) -> 400",
        send(sender_phone=ACTIVE, to_phone=REACHABLE, type="image"),
        400,
        "missing_media",
    )
    expect_error(
        "voice without duration -> 400",
        c.post(
            "/api/v1/messages",
            headers=h(FULL),
            data={"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "voice"},
            files={"media": ("a.ogg", b"OggS", "audio/ogg")},
        ),
        400,
        "missing_duration",
    )
    for bad in ("0", "301", "4.5", "abc"):
        expect_error(
            f"voice duration {bad} -> 400",
            c.post(
                "/api/v1/messages",
                headers=h(FULL),
                data={
                    "sender_phone": ACTIVE,
                    "to_phone": REACHABLE,
                    "type": "voice",
                    "duration": bad,
                },
                files={"media": ("a.ogg", b"OggS", "audio/ogg")},
            ),
            400,
            "invalid_duration",
        )
    expect_error(
        "sender_number_id true -> 400",
        send(sender_number_id=True, to_phone=REACHABLE, type="text", content="x"),
        400,
        "invalid_sender_number_id",
    )
    expect_error(
        "huge sender_number_id -> 400 not_found",
        send(sender_number_id=10**30, to_phone=REACHABLE, type="text", content="x"),
        400,
        "not_found",
    )
    expect_error(
        "unknown sender phone -> 400 not_found", text(sender="+201009999999"), 400, "not_found"
    )
    expect_error(
        "other account's sender -> 400 not_found", text(sender=GLOBEX_SENDER), 400, "not_found"
    )
    expect_error(
        "other account's sender id -> 400 not_found",
        send(sender_number_id=ids[GLOBEX_SENDER], to_phone=REACHABLE, type="text", content="x"),
        400,
        "not_found",
    )
    for phone in (PENDING, REJECTED, SUSPENDED):
        expect_error(
            f"sender {phone} not active -> 400",
            text(sender=phone),
            400,
            "sender_not_active",
            "The sender number is not active.",
        )
    expect_error(
        "sender needing account verification -> 400 (Arabic text)",
        text(sender=NEEDS_ACCOUNT),
        400,
        "account_not_verified",
        ARABIC,
    )
    expect_error(
        "newly registered sender not active", text(sender="+201001187100"), 400, "sender_not_active"
    )
    expect_error(
        "recipient without TGO Connect -> 400", text(to=NO_ACCOUNT), 400, "recipient_unreachable"
    )
    expect_error(
        "recipient with unverified phone -> 400",
        text(to=UNVERIFIED_PHONE),
        400,
        "recipient_unreachable",
    )
    expect_error(
        "truncated multipart -> 400",
        c.post(
            "/api/v1/messages",
            headers={**h(FULL), "Content-Type": "multipart/form-data; boundary=zzz"},
            content=b'--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\nx',
        ),
        400,
        None,
    )
    expect_error(
        "garbage multipart -> 400",
        c.post(
            "/api/v1/messages",
            headers={**h(FULL), "Content-Type": b"multipart/form-data; boundary=\xe9"},
            content=b"\x00\xff--",
        ),
        400,
        None,
    )
    expect_error(
        "multipart without boundary -> 400",
        c.post(
            "/api/v1/messages",
            headers={**h(FULL), "Content-Type": "multipart/form-data"},
            content=b"xx",
        ),
        400,
        "malformed_request",
    )
    expect_error(
        "NaN in JSON -> 400",
        c.post(
            "/api/v1/messages",
            headers={**h(FULL), "Content-Type": "application/json"},
            content=b'{"duration": NaN}',
        ),
        400,
        "invalid_json",
    )
    expect_error(
        "non-UTF-8 JSON -> 400",
        c.post(
            "/api/v1/messages",
            headers={**h(FULL), "Content-Type": "application/json"},
            content=b'{"a":"\xff"}',
        ),
        400,
        "invalid_json",
    )
    expect_ok(
        "lone surrogate in content is handled",
        c.post(
            "/api/v1/messages",
            headers={**h(FULL), "Content-Type": "application/json"},
            content=json.dumps(
                {"sender_phone": ACTIVE, "to_phone": REACHABLE, "type": "text", "content": "\ud800"}
            ).encode(),
        ),
        400,
    )

    print("== message log")
    log = expect_ok("read log", c.get("/api/v1/messages", headers=h(READ)))
    check(
        "log paginated, newest first",
        log["count"] == 6
        and len(log["results"]) == 4
        and log["results"][0]["message_type"] == "document"
        and log["results"][0]["id"] > log["results"][1]["id"],
        json.dumps(log)[:300],
    )
    check(
        "log entry fields",
        {"id", "sender_number_id", "message_type", "content", "status", "sent_at"}
        <= set(log["results"][0]),
    )
    g = expect_ok("other account's log is empty", c.get("/api/v1/messages", headers=h(GLOBEX)))
    check("account isolation in log", g["count"] == 0 and g["results"] == [])

    print("== contact lookup")
    r = expect_ok(
        "lookup reachable",
        c.get(
            "/api/v1/contacts/lookup",
            headers=h(LOOKUP),
            params={"phone": REACHABLE, "sender_phone": ACTIVE},
        ),
    )
    check(
        "reachable shape",
        r["exists"]
        and r["can_receive"]
        and r["reason_code"] == "ok"
        and isinstance(r["recipient_id"], int)
        and r["is_verified"] is True
        and r["phone_verified_at"].endswith("Z"),
        json.dumps(r),
    )
    r = c.get(f"{base}/api/v1/contacts/lookup?phone=+201010000000", headers=h(LOOKUP)).json()
    check("unencoded '+' (documented curl) still works", r.get("can_receive") is True, str(r))
    r = expect_ok(
        "lookup unknown",
        c.get("/api/v1/contacts/lookup", headers=h(LOOKUP), params={"phone": NO_ACCOUNT}),
    )
    check(
        "unknown shape",
        r
        == {
            "exists": False,
            "can_receive": False,
            "reason_code": "no_account",
            "recipient_id": None,
            "is_verified": False,
            "phone_verified_at": None,
        },
        str(r),
    )
    r = expect_ok(
        "lookup unverified phone",
        c.get("/api/v1/contacts/lookup", headers=h(LOOKUP), params={"phone": UNVERIFIED_PHONE}),
    )
    check(
        "unverified phone shape",
        r["exists"] and not r["can_receive"] and r["reason_code"] == "phone_not_verified",
        str(r),
    )
    expect_error(
        "lookup without phone -> 400",
        c.get("/api/v1/contacts/lookup", headers=h(LOOKUP)),
        400,
        "missing_phone_number",
    )
    expect_error(
        "lookup bad phone -> 400",
        c.get("/api/v1/contacts/lookup", headers=h(LOOKUP), params={"phone": "abc"}),
        400,
        "invalid_phone",
    )
    expect_error(
        "lookup with foreign sender -> 400",
        c.get(
            "/api/v1/contacts/lookup",
            headers=h(LOOKUP),
            params={"phone": REACHABLE, "sender_phone": GLOBEX_SENDER},
        ),
        400,
        "not_found",
    )

    print("== usage")
    u = expect_ok("usage", c.get("/api/v1/usage", headers=h(USAGE)))
    first = u["results"][0]
    check(
        "usage grouped by sender number",
        u["count"] == 8
        and first["sender_number_id"] == ids[ACTIVE]
        and first["message_count"] == 6
        and first["by_type"] == {"text": 3, "image": 1, "voice": 1, "document": 1},
        json.dumps(u)[:400],
    )
    gu = expect_ok("globex usage", c.get("/api/v1/usage", headers=h(GLOBEX)))
    check(
        "usage is account scoped",
        gu["count"] == 2 and all(r["message_count"] == 0 for r in gu["results"]),
    )

    print("== routing and robustness")
    expect_error("unknown path -> 404", c.get("/api/v1/nothing", headers=h(FULL)), 404, "not_found")
    expect_error(
        "DELETE on usage -> 405",
        c.delete("/api/v1/usage", headers=h(FULL)),
        405,
        "method_not_allowed",
    )
    expect_ok("trailing slash accepted", c.get("/api/v1/usage/", headers=h(FULL)))
    expect_ok(
        "Accept: text/html still gets JSON",
        c.get("/api/v1/usage", headers={"X-Api-Key": FULL, "Accept": "text/html"}),
    )
    expect_error(
        "oversized body -> 413",
        c.post(
            "/api/v1/messages",
            headers={**h(FULL), "Content-Type": "application/json"},
            content=b" " * (21 * 1024 * 1024),
        ),
        413,
        "payload_too_large",
    )

    results: list[int] = []
    lock = threading.Lock()

    def worker(n):
        with httpx.Client(base_url=base, timeout=10) as cc:
            for i in range(10):
                resp = cc.post(
                    "/api/v1/sender-numbers",
                    headers=h(FULL),
                    json={"phone": f"+2011{n:02d}{i:05d}"},
                )
                with lock:
                    results.append(resp.status_code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    listing = c.get("/api/v1/sender-numbers", headers=h(FULL)).json()
    check(
        "80 concurrent registrations all succeed with unique ids",
        results.count(201) == 80 and listing["count"] == 5 + 3 + 80,
        str(listing["count"]),
    )
    c.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmpdir:
        proc, ready = start_server(Path(tmpdir))
        print(f"server up at {ready['base_url']} (pid {proc.pid})")
        try:
            run_checks(ready["base_url"], ready)
        except Exception as exc:  # report, then still stop the server
            check("checks ran to completion", False, repr(exc))
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        elapsed = time.monotonic() - t0
        check(
            f"SIGTERM stops the server promptly ({elapsed:.2f}s, rc={proc.returncode})",
            proc.returncode in (0, -signal.SIGTERM) and elapsed < 5,
        )
        check(
            "stderr is quiet (no traceback, no per-request log)",
            "Traceback" not in err and err.strip() == "",
            err[-500:],
        )
    print(f"\n{checks - len(failures)}/{checks} checks passed")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("SMOKE OK")
    return 0


if __name__ == "__main__":
    os.chdir(HERE)
    sys.exit(main())
