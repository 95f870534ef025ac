"""Smoke check: start serve.py with the example world, exercise every operation, stop it.

Run: /work/main/.venv/bin/python tests/blind/aiohttp_vendor/smoke.py
Exits 0 only if every check passed.
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
REACHABLE = "+201010000000"
UNVERIFIED_PHONE = "+201010000002"
UNKNOWN = "+201099999999"

ARABIC = "يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال."

BROKEN_MULTIPART = (
    b'--xx\r\nContent-Disposition: form-data; name="type"\r\n\r\ntext\r\n--xx\r\nCont'
)

results: list[tuple[bool, str]] = []


def check(name: str, ok: bool, detail: Any = "") -> bool:
    results.append((ok, name))
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + ("" if ok else f"   -> {detail}"))
    return ok


class Api:
    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=10.0)

    def call(self, method: str, path: str, key: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Accept": "application/json", **kw.pop("headers", {})}
        if key is not None:
            headers["X-Api-Key"] = key
        return self.client.request(method, path, headers=headers, **kw)


def body(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def expect(name: str, resp: httpx.Response, status: int, code: str | None = None) -> dict:
    data = body(resp)
    ok = resp.status_code == status and (code is None or data.get("code") == code)
    ok = ok and isinstance(data.get("request_id"), str) and data["request_id"].startswith("req_")
    if status >= 400:
        ok = ok and isinstance(data.get("error"), str) and isinstance(data.get("code"), str)
    check(f"{name} -> {status}{' ' + code if code else ''}", ok, f"{resp.status_code} {data}")
    return data


def start_server(tmp: Path) -> tuple[subprocess.Popen, dict[str, Any]]:
    ready = tmp / "ready.json"
    proc = subprocess.Popen(
        [
            sys.executable,
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
    deadline = time.monotonic() + 15
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            raise SystemExit(f"server did not become ready: {err}")
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())


def text_msg(sender: dict[str, Any], to: str = REACHABLE, content: Any = "Hello") -> dict:
    return {**sender, "to_phone": to, "type": "text", "content": content}


def media_form(sender_phone: str, mtype: str, **extra: str) -> dict[str, str]:
    return {"sender_phone": sender_phone, "to_phone": REACHABLE, "type": mtype, **extra}


def run_checks(api: Api, ready: dict[str, Any]) -> None:
    sender_ids = ready["sender_ids"]
    check(
        "ready file lists every sender number",
        set(sender_ids)
        == {ACTIVE, PENDING_OTP, PENDING_ACCOUNT, REJECTED, SUSPENDED, GLOBEX_ACTIVE},
        sender_ids,
    )

    # --- authentication and scopes ---
    expect("no key", api.call("GET", "/api/v1/usage"), 401, "missing_api_key")
    expect(
        "key in Authorization header",
        api.call("GET", "/api/v1/usage", headers={"Authorization": f"Bearer {FULL}"}),
        401,
        "missing_api_key",
    )
    expect(
        "unknown key", api.call("GET", "/api/v1/usage", "trk_" + "x" * 32), 401, "invalid_api_key"
    )
    expect("revoked key", api.call("GET", "/api/v1/usage", REVOKED), 401, "invalid_api_key")
    expect("read-only key sends", api.call("POST", "/api/v1/messages", READ, json={}), 403)
    expect("send-only key reads log", api.call("GET", "/api/v1/messages", SEND), 403)
    lookup_url = f"/api/v1/contacts/lookup?phone={REACHABLE}"
    expect("usage-only key looks up", api.call("GET", lookup_url, USAGE), 403, "insufficient_scope")
    expect("lookup-only key reads usage", api.call("GET", "/api/v1/usage", LOOKUP), 403)
    expect("usage-only key lists senders", api.call("GET", "/api/v1/sender-numbers", USAGE), 403)
    expect(
        "lookup-only key registers sender",
        api.call("POST", "/api/v1/sender-numbers", LOOKUP, json={"phone": REACHABLE}),
        403,
    )

    # --- sender numbers: list ---
    data = expect(
        "list sender numbers (read key)", api.call("GET", "/api/v1/sender-numbers", READ), 200
    )
    senders = data.get("sender_numbers", [])
    by_phone = {s["phone"]: s for s in senders}
    check("list is account-scoped", GLOBEX_ACTIVE not in by_phone and len(senders) == 5, senders)
    check(
        "list is newest first",
        [s["id"] for s in senders] == sorted((s["id"] for s in senders), reverse=True),
        senders,
    )
    check("ids match ready file", all(sender_ids[p] == s["id"] for p, s in by_phone.items()))
    shown = {p: (s["status"], s["verification_status"]) for p, s in by_phone.items()}
    check(
        "statuses shown as documented",
        shown
        == {
            ACTIVE: ("active", "verified"),
            PENDING_OTP: ("pending_verification", "pending_verification"),
            PENDING_ACCOUNT: ("active", "pending_account_verification"),
            REJECTED: ("rejected", "rejected"),
            SUSPENDED: ("suspended", "verified"),
        },
        shown,
    )
    check("display_name null kept", by_phone.get(REJECTED, {}).get("display_name", "?") is None)

    # --- sender numbers: register ---
    reg = "/api/v1/sender-numbers"
    new = expect(
        "register sender number",
        api.call("POST", reg, SEND, json={"phone": REACHABLE, "display_name": "Marketing"}),
        201,
    )
    check(
        "new sender is pending_verification",
        new.get("status") == "pending_verification" and new.get("display_name") == "Marketing",
        new,
    )
    first = body(api.call("GET", reg, FULL)).get("sender_numbers", [{}])[0]
    check("new sender listed first", first.get("id") == new.get("id"), first)
    expect("register duplicate", api.call("POST", reg, FULL, json={"phone": REACHABLE}), 409)
    expect(
        "same phone in another account",
        api.call("POST", reg, GLOBEX, json={"phone": REACHABLE}),
        201,
    )
    expect(
        "register without phone", api.call("POST", reg, FULL, json={}), 422, "missing_phone_number"
    )
    for bad in ("201001187188", "+0123", "+20 100 118 7188", 201001187188, "+٢٠١٠٠١١٨٧١٨٨"):
        expect(
            f"register phone {bad!r}",
            api.call("POST", reg, FULL, json={"phone": bad}),
            422,
            "invalid_phone",
        )
    expect(
        "register phone without TGO Connect account",
        api.call("POST", reg, FULL, json={"phone": UNKNOWN}),
        422,
        "phone_not_on_tgo_connect",
    )
    expect(
        "register display_name too long",
        api.call("POST", reg, FULL, json={"phone": UNVERIFIED_PHONE, "display_name": "x" * 256}),
        422,
        "name_too_long",
    )
    expect(
        "register display_name wrong type",
        api.call("POST", reg, FULL, json={"phone": UNVERIFIED_PHONE, "display_name": 5}),
        422,
        "invalid_display_name",
    )
    headers = {"Content-Type": "application/json"}
    expect(
        "malformed JSON",
        api.call("POST", reg, FULL, content=b"{", headers=headers),
        400,
        "invalid_json",
    )
    expect("JSON array body", api.call("POST", reg, FULL, json=[1]), 422, "invalid_body")
    expect(
        "text/plain body",
        api.call("POST", reg, FULL, content=b"x", headers={"Content-Type": "text/plain"}),
        415,
    )

    # --- send messages ---
    msg = "/api/v1/messages"
    by_phone_sender = {"sender_phone": ACTIVE}
    by_id_sender = {"sender_number_id": sender_ids[ACTIVE]}
    sent = expect(
        "send text by sender_phone",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender)),
        201,
    )
    check(
        "sent message shape",
        str(sent.get("id", "")).startswith("msg_")
        and sent.get("sender_number_id") == sender_ids[ACTIVE]
        and sent.get("message_type") == "text"
        and sent.get("content") == "Hello"
        and sent.get("status") == "sent"
        and isinstance(sent.get("sent_at"), str),
        sent,
    )
    expect(
        "send text by sender_number_id",
        api.call("POST", msg, SEND, json=text_msg(by_id_sender)),
        201,
    )
    expect(
        "send text with id as string",
        api.call("POST", msg, SEND, json=text_msg({"sender_number_id": str(sender_ids[ACTIVE])})),
        201,
    )
    odd = 'مرحبا 👋 <b>&amp;</b> "quoted"\nline 2'
    echoed = expect(
        "send odd characters",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender, content=odd)),
        201,
    )
    check("odd characters round-trip", echoed.get("content") == odd, echoed.get("content"))
    img = expect(
        "send image (multipart)",
        api.call(
            "POST",
            msg,
            SEND,
            data=media_form(ACTIVE, "image"),
            files={"media": ("image.png", b"\x89PNG fake", "image/png")},
        ),
        201,
    )
    check("image media recorded", (img.get("media") or {}).get("size") == 9, img)
    voice = expect(
        "send voice (multipart)",
        api.call(
            "POST",
            msg,
            SEND,
            data=media_form(ACTIVE, "voice", duration="45"),
            files={"media": ("audio.ogg", b"OggS fake", "application/octet-stream")},
        ),
        201,
    )
    check("voice duration recorded", voice.get("duration") == 45, voice)
    expect(
        "send document (multipart)",
        api.call(
            "POST",
            msg,
            SEND,
            data=media_form(ACTIVE, "document"),
            files={"media": ("report.pdf", b"%PDF-1.4", "application/pdf")},
        ),
        201,
    )
    good_sends = 7

    ogg = {"media": ("audio.ogg", b"OggS", "audio/ogg")}
    expect(
        "voice without duration",
        api.call("POST", msg, SEND, data=media_form(ACTIVE, "voice"), files=ogg),
        422,
        "missing_duration",
    )
    for bad in ("0", "301", "4.5", "abc", "99999999999999999999999"):
        expect(
            f"voice duration {bad}",
            api.call("POST", msg, SEND, data=media_form(ACTIVE, "voice", duration=bad), files=ogg),
            422,
            "invalid_duration",
        )
    expect(
        "image without media",
        api.call("POST", msg, SEND, json={**text_msg(by_phone_sender), "type": "image"}),
        422,
        "missing_media",
    )
    expect(
        "image with a text file",
        api.call(
            "POST",
            msg,
            SEND,
            data=media_form(ACTIVE, "image"),
            files={"media": ("a.txt", b"hi", "text/plain")},
        ),
        422,
        "invalid_media_type",
    )
    expect(
        "empty media file",
        api.call(
            "POST",
            msg,
            SEND,
            data=media_form(ACTIVE, "document"),
            files={"media": ("a.pdf", b"", "application/pdf")},
        ),
        422,
        "empty_media",
    )
    expect(
        "both sender fields",
        api.call("POST", msg, SEND, json=text_msg({**by_phone_sender, **by_id_sender})),
        422,
        "sender_conflict",
    )
    expect("no sender", api.call("POST", msg, SEND, json=text_msg({})), 422, "missing_sender")
    expect(
        "no to_phone",
        api.call("POST", msg, SEND, json={**by_phone_sender, "type": "text", "content": "x"}),
        422,
        "missing_to",
    )
    expect(
        "bad to_phone",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender, to="0101")),
        422,
        "invalid_phone",
    )
    expect(
        "bad sender_phone",
        api.call("POST", msg, SEND, json=text_msg({"sender_phone": "abc"})),
        422,
        "invalid_phone",
    )
    expect(
        "no type",
        api.call("POST", msg, SEND, json={**by_phone_sender, "to_phone": REACHABLE}),
        422,
        "missing_type",
    )
    expect(
        "unknown type",
        api.call("POST", msg, SEND, json={**text_msg(by_phone_sender), "type": "video"}),
        422,
        "invalid_type",
    )
    expect(
        "text without content",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender, content="  ")),
        422,
        "missing_body",
    )
    expect(
        "content wrong type",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender, content=["x"])),
        422,
        "invalid_content",
    )
    expect(
        "content too long",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender, content="x" * 1601)),
        422,
        "message_too_long",
    )
    expect(
        "content with lone surrogate",
        api.call(
            "POST",
            msg,
            SEND,
            content=b'{"sender_phone":"+201001187188","to_phone":"+201010000000","type":"text","content":"\\ud800"}',
            headers=headers,
        ),
        422,
        "invalid_content",
    )
    expect(
        "sender_number_id true",
        api.call("POST", msg, SEND, json=text_msg({"sender_number_id": True})),
        422,
        "invalid_sender_number_id",
    )
    expect(
        "sender_number_id huge",
        api.call("POST", msg, SEND, json=text_msg({"sender_number_id": 10**40})),
        404,
        "not_found",
    )
    expect(
        "NaN in JSON",
        api.call("POST", msg, SEND, content=b'{"duration": NaN}', headers=headers),
        400,
        "invalid_json",
    )
    expect(
        "deeply nested JSON",
        api.call("POST", msg, SEND, content=b"[" * 200000, headers=headers),
        400,
        "invalid_json",
    )
    expect(
        "broken multipart",
        api.call(
            "POST",
            msg,
            SEND,
            content=BROKEN_MULTIPART,
            headers={"Content-Type": "multipart/form-data; boundary=xx"},
        ),
        400,
        "invalid_multipart",
    )
    expect(
        "unregistered sender",
        api.call("POST", msg, SEND, json=text_msg({"sender_phone": UNKNOWN})),
        404,
        "not_found",
    )
    expect(
        "other account's sender id",
        api.call("POST", msg, SEND, json=text_msg({"sender_number_id": sender_ids[GLOBEX_ACTIVE]})),
        404,
        "not_found",
    )
    for phone in (PENDING_OTP, REJECTED, SUSPENDED):
        err = expect(
            f"sender {phone} not active",
            api.call("POST", msg, SEND, json=text_msg({"sender_phone": phone})),
            422,
            "sender_not_active",
        )
        check(
            f"sender {phone}: documented message",
            err.get("message") == "The sender number is not active.",
            err,
        )
    err = expect(
        "sender awaiting account verification",
        api.call("POST", msg, SEND, json=text_msg({"sender_phone": PENDING_ACCOUNT})),
        422,
        "sender_account_not_verified",
    )
    check(
        "account verification message is the documented Arabic text",
        err.get("error") == ARABIC,
        err,
    )
    err = expect(
        "recipient without TGO Connect",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender, to=UNKNOWN)),
        422,
        "recipient_unreachable",
    )
    check("reason no_tgo_connect_account", err.get("reason_code") == "no_tgo_connect_account", err)
    err = expect(
        "recipient phone unverified",
        api.call("POST", msg, SEND, json=text_msg(by_phone_sender, to=UNVERIFIED_PHONE)),
        422,
        "recipient_unreachable",
    )
    check("reason phone_not_verified", err.get("reason_code") == "phone_not_verified", err)
    expect(
        "globex sends from its own number",
        api.call("POST", msg, GLOBEX, json=text_msg({"sender_phone": GLOBEX_ACTIVE})),
        201,
    )

    # --- concurrency ---
    def one(i: int) -> httpx.Response:
        with httpx.Client(base_url=str(api.client.base_url), timeout=10.0) as c:
            return c.post(
                msg, headers={"X-Api-Key": SEND}, json=text_msg(by_phone_sender, content=f"c{i}")
            )

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(one, range(40)))
    ids = {body(r).get("id") for r in responses}
    check(
        "40 concurrent sends all 201 with unique ids",
        all(r.status_code == 201 for r in responses) and len(ids) == 40,
    )
    good_sends += 40

    # --- message log ---
    data = expect("read message log", api.call("GET", msg, READ), 200)
    log = data.get("messages", [])
    check("log holds exactly the accepted messages", len(log) == good_sends, len(log))
    check(
        "log is newest first",
        log and log[-1].get("id") == sent.get("id") and log[0]["content"].startswith("c"),
        log[:1],
    )
    check(
        "log entries carry the documented fields",
        all(
            {"id", "sender_number_id", "message_type", "content", "status", "sent_at"} <= set(m)
            for m in log
        ),
    )
    glog = body(api.call("GET", msg, GLOBEX)).get("messages", [])
    check(
        "log is account-scoped", len(glog) == 1 and glog[0]["sender_phone"] == GLOBEX_ACTIVE, glog
    )

    # --- contact lookup ---
    lk = "/api/v1/contacts/lookup"
    data = expect(
        "lookup reachable (raw + in query)", api.call("GET", f"{lk}?phone={REACHABLE}", LOOKUP), 200
    )
    check(
        "reachable contact",
        data.get("phone") == REACHABLE
        and data.get("exists") is True
        and data.get("can_receive") is True
        and data.get("reason_code") == "ok"
        and isinstance(data.get("recipient_id"), int)
        and data.get("is_verified") is True
        and isinstance(data.get("phone_verified_at"), str),
        data,
    )
    data = expect(
        "lookup with %2B-encoded phone",
        api.call("GET", lk, LOOKUP, params={"phone": REACHABLE}),
        200,
    )
    check("encoded plus works", data.get("can_receive") is True, data)
    data = expect("lookup unknown", api.call("GET", lk, LOOKUP, params={"phone": UNKNOWN}), 200)
    check(
        "unknown contact",
        data.get("exists") is False
        and data.get("can_receive") is False
        and data.get("reason_code") == "no_tgo_connect_account"
        and data.get("recipient_id") is None,
        data,
    )
    data = expect(
        "lookup unverified phone",
        api.call("GET", lk, LOOKUP, params={"phone": UNVERIFIED_PHONE}),
        200,
    )
    check(
        "unverified phone",
        data.get("exists") is True
        and data.get("can_receive") is False
        and data.get("reason_code") == "phone_not_verified",
        data,
    )
    data = expect(
        "lookup with sender_phone",
        api.call("GET", f"{lk}?phone={REACHABLE}&sender_phone={ACTIVE}", LOOKUP),
        200,
    )
    check("active sender: can_receive", data.get("can_receive") is True, data)
    data = expect(
        "lookup with unverified sender",
        api.call("GET", lk, LOOKUP, params={"phone": REACHABLE, "sender_phone": PENDING_ACCOUNT}),
        200,
    )
    check(
        "sender problem predicted",
        data.get("can_receive") is False
        and data.get("reason_code") == "sender_account_not_verified",
        data,
    )
    expect("lookup without phone", api.call("GET", lk, LOOKUP), 422, "missing_phone_number")
    expect(
        "lookup bad phone",
        api.call("GET", lk, LOOKUP, params={"phone": "12ab"}),
        422,
        "invalid_phone",
    )
    expect(
        "lookup unknown sender",
        api.call("GET", lk, LOOKUP, params={"phone": REACHABLE, "sender_phone": UNKNOWN}),
        404,
        "not_found",
    )

    # --- usage ---
    data = expect("read usage", api.call("GET", "/api/v1/usage", USAGE), 200)
    rows = {r["phone"]: r for r in data.get("usage", [])}
    active_row = rows.get(ACTIVE, {})
    check(
        "usage grouped by sender number",
        active_row.get("message_count") == good_sends
        and active_row.get("by_type")
        == {"text": good_sends - 3, "image": 1, "voice": 1, "document": 1}
        and rows.get(PENDING_OTP, {}).get("message_count") == 0
        and GLOBEX_ACTIVE not in rows,
        data,
    )

    # --- routing ---
    expect("unknown route", api.call("GET", "/api/v1/nothing", FULL), 404, "not_found")
    expect("wrong method", api.call("DELETE", "/api/v1/usage", FULL), 405, "method_not_allowed")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proc, ready = start_server(Path(tmp))
        print(f"server ready at {ready['base_url']}")
        try:
            api = Api(ready["base_url"])
            run_checks(api, ready)
            api.client.close()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                _, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
                err = "did not stop on SIGTERM\n" + err
        check(
            "SIGTERM stops the server cleanly",
            proc.returncode in (0, -signal.SIGTERM),
            proc.returncode,
        )
        check("stderr has no traceback", "Traceback" not in err, err)
    failed = [name for ok, name in results if not ok]
    print(f"\n{len(results) - len(failed)}/{len(results)} checks passed")
    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    print("SMOKE OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
