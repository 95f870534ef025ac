"""The control plane: absent unless enabled, and each endpoint drives the state it names."""

from __future__ import annotations

import pytest
from tgo_mock_client import MakeMock, MockClient, TestClient, error_of

from conformance.mock import create_app

CONTROL_POSTS = [
    "/_control/reset",
    "/_control/seed",
    "/_control/keys",
    "/_control/keys/revoke",
    "/_control/senders/13/confirm-otp",
    "/_control/senders/13/reject",
    "/_control/senders/13/suspend",
    "/_control/accounts/verify",
    "/_control/accounts/unverify",
    "/_control/recipients",
]


@pytest.fixture
def control(make_mock: MakeMock) -> MockClient:
    return make_mock(control=True)


@pytest.mark.parametrize("path", CONTROL_POSTS)
def test_control_plane_is_absent_by_default(mock: MockClient, path: str) -> None:
    assert error_of(mock.client.post(path, json={})) == (404, "not_found")


def test_control_plane_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGO_MOCK_CONTROL", "1")
    with TestClient(create_app()) as client:
        assert client.post("/_control/reset").status_code == 200
    monkeypatch.setenv("TGO_MOCK_CONTROL", "0")
    with TestClient(create_app()) as client:
        assert client.post("/_control/reset").status_code == 404


def test_control_needs_no_key_and_only_post(control: MockClient) -> None:
    response = control.client.get("/_control/reset")
    assert error_of(response) == (405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


def test_reset_then_seed_restores_the_same_keys(control: MockClient) -> None:
    full = control.seeded.keys.full
    assert control.client.post("/_control/reset").status_code == 200
    assert error_of(control.get("/usage")) == (401, "invalid_api_key")
    assert control.get("/sender-numbers", key=None, headers={"X-Api-Key": full}).status_code == 401
    seeded = control.client.post("/_control/seed").json()
    assert seeded["keys"]["full"] == full
    assert seeded["senders"]["active"] == {"id": 12, "phone": "+201001187188"}
    assert seeded["recipients"]["unverified"] == "+201010000002"
    assert control.get("/usage").status_code == 200


def test_reset_forgets_messages_and_registrations(control: MockClient) -> None:
    control.send_text()
    control.register("+201005550000")
    control.client.post("/_control/reset")
    control.client.post("/_control/seed")
    assert control.get("/messages").json() == []
    phones = {s["phone"] for s in control.get("/sender-numbers").json()}
    assert "+201005550000" not in phones


def test_issue_and_revoke_keys(control: MockClient) -> None:
    response = control.client.post("/_control/keys", json={"scopes": ["usage.read"]})
    assert response.status_code == 201
    key = response.json()["key"]
    assert key.startswith("trk_") and len(key) == 36
    headers = {"X-Api-Key": key}
    assert control.client.get("/api/v1/usage", headers=headers).status_code == 200
    assert control.client.get("/api/v1/messages", headers=headers).status_code == 403
    revoked = control.client.post("/_control/keys/revoke", json={"key": key})
    assert revoked.status_code == 200
    assert error_of(control.client.get("/api/v1/usage", headers=headers)) == (
        401,
        "invalid_api_key",
    )


@pytest.mark.parametrize("body", [{"scopes": ["admin"]}, {"scopes": []}, {"scopes": "*"}, {}])
def test_issue_key_rejects_unknown_scopes(control: MockClient, body: object) -> None:
    assert error_of(control.client.post("/_control/keys", json=body))[0] == 422


def test_revoke_unknown_key_is_404(control: MockClient) -> None:
    response = control.client.post("/_control/keys/revoke", json={"key": "trk_" + "0" * 32})
    assert error_of(response) == (404, "not_found")


def test_sender_life_cycle_through_control(control: MockClient) -> None:
    created = control.register("+201005550000").json()
    base = f"/_control/senders/{created['id']}"
    assert control.client.post(base + "/confirm-otp").json()["status"] == (
        "pending_account_verification"
    )
    verify = control.client.post("/_control/accounts/verify", json={"phone": "+201005550000"})
    assert verify.json() == {"phone": "+201005550000", "account_verified": True}
    statuses = {s["id"]: s["status"] for s in control.get("/sender-numbers").json()}
    assert statuses[created["id"]] == "active"
    control.client.post("/_control/accounts/unverify", json={"phone": "+201005550000"})
    statuses = {s["id"]: s["status"] for s in control.get("/sender-numbers").json()}
    assert statuses[created["id"]] == "pending_account_verification"
    assert control.client.post(base + "/suspend").json()["status"] == "suspended"
    assert control.client.post(base + "/reject").json()["status"] == "rejected"


def test_unknown_sender_in_control_is_404(control: MockClient) -> None:
    assert error_of(control.client.post("/_control/senders/999/reject")) == (404, "not_found")
    assert error_of(control.client.post("/_control/senders/abc/reject")) == (404, "not_found")


def test_recipients_through_control(control: MockClient) -> None:
    body = {"phone": "+201010000001", "state": "reachable"}
    result = control.client.post("/_control/recipients", json=body).json()
    assert result["can_receive"] is True
    assert control.send_text(to_phone="+201010000001").status_code == 201
    body["state"] = "unverified"
    assert control.client.post("/_control/recipients", json=body).json()["can_receive"] is False
    body["state"] = "unreachable"
    assert control.client.post("/_control/recipients", json=body).json()["exists"] is False


@pytest.mark.parametrize(
    "body", [{"phone": "123", "state": "reachable"}, {"phone": "+201010000001", "state": "x"}]
)
def test_recipients_validates_its_body(control: MockClient, body: object) -> None:
    assert error_of(control.client.post("/_control/recipients", json=body))[0] == 422


def test_control_answers_stay_faithful_under_variants(make_mock: MakeMock) -> None:
    faulted = make_mock(names=["error_not_json", "compat_string_ids"], control=True)
    response = faulted.client.post("/_control/keys", json={"scopes": ["nope"]})
    assert response.headers["content-type"] == "application/json"
    assert faulted.client.post("/_control/senders/13/reject").json()["id"] == 13
