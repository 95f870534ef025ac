"""An exchange carries what the report and the plan need as data: its operation, its body's
fields, the key it sent (by config name, and as the request shows it), the files its curl
command uploads and the key variables it reads. Against the bundled mock, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.generation.payloads import media_body, text_body
from conformance.http.bodies import BodyStore
from conformance.http.client import OTHER_ACCOUNT_KEY, TargetClient
from conformance.http.curl import CURL_KEY_VARIABLE, CURL_OTHER_KEY_VARIABLE
from conformance.http.evidence import SentRequest
from conformance.mock.embedded import RunningMock, embedded_mock


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with embedded_mock() as running:
        yield running


def test_a_call_names_its_operation_fields_key_and_uploads(
    mock: RunningMock, tmp_path: Path
) -> None:
    config = mock.config
    with TargetClient(config, bodies=BodyStore(tmp_path, config.redactor())) as client:
        sent = client.call("sendMessage", **media_body(config, "voice").kwargs())
    assert sent.operation == "sendMessage"
    assert ("type", "voice") in sent.request_fields
    assert len(sent.uploads) == 1 and (tmp_path / sent.uploads[0]).is_file()
    assert f"@{sent.uploads[0]};" in sent.curl()
    assert sent.key_variables == (CURL_KEY_VARIABLE,)
    key = config.keys["full"]
    assert sent.key_shown is not None and key not in sent.key_shown
    assert sent.key_shown.endswith(key[-4:])
    evidence = sent.evidence()
    assert evidence["operation"] == "sendMessage"
    assert evidence["key_entry"] == "[keys].full"
    assert evidence["uploads"] == list(sent.uploads)
    assert evidence["key_variables"] == [CURL_KEY_VARIABLE]
    assert key not in json.dumps(evidence)


def test_a_file_the_report_could_not_keep_is_not_listed_as_an_upload(mock: RunningMock) -> None:
    with TargetClient(mock.config) as client:  # no body store: nothing saved
        sent = client.call("sendMessage", **media_body(mock.config, "voice").kwargs())
    assert sent.uploads == ()
    assert "uploads" not in sent.evidence()
    assert "not saved with the report" in sent.curl()


def test_a_request_by_path_and_a_next_page_keep_their_operation(mock: RunningMock) -> None:
    config = mock.config
    path = "/api/v1/messages"
    with TargetClient(config) as client:
        by_path = client.request("GET", path, key=OTHER_ACCOUNT_KEY)
        next_page = client.request(
            "GET", f"{config.base_url}{path}?page=2", operation="listMessages"
        )
        nowhere = client.request("GET", "/api/v1/nowhere")
        sent = client.take_sent()
    assert by_path.operation == "listMessages"
    assert by_path.key_variables == (CURL_OTHER_KEY_VARIABLE,)
    assert by_path.evidence()["key_entry"] == "[other_account].key"
    assert next_page.operation == "listMessages"
    assert nowhere.operation is None
    assert [s.operation for s in sent] == ["listMessages", "listMessages", None]
    assert client.take_sent() == []  # taken once


def test_what_a_test_sent_crosses_workers_as_data(mock: RunningMock) -> None:
    with TargetClient(mock.config) as client:
        client.call("sendMessage", json=text_body(mock.config))
        (sent,) = client.take_sent()
    assert sent.status is not None and 200 <= sent.status < 300
    assert sent.field("to_phone") == mock.config.recipient("reachable")
    assert SentRequest.from_json(json.loads(json.dumps(sent.to_json()))) == sent
