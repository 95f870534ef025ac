"""The target config contract: loading, env overrides, defaults and one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance.config import ConfigError, Sender, TargetConfig, load_config, mask_key

FULL_KEY = "trk_FULLfull0123456789abcdefghijKLMN"
SEND_KEY = "trk_SENDsend0123456789abcdefghijOPQR"

MINIMAL = f"""\
base_url = "https://staging.example.com"

[keys]
full = "{FULL_KEY}"

[senders]
active = {{ id = 12, phone = "+201001187188" }}

[recipients]
reachable = "+201010000000"
"""


def write(tmp_path: Path, text: str, name: str = "tgo-conformance.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path | None, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, env=env or {})
    message = str(info.value)
    assert "\n" not in message, message
    assert FULL_KEY not in message and SEND_KEY not in message, message
    assert info.value.exit_status == 2
    return message


def test_minimal_file_gives_contract_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    config = load_config(path, env={})
    assert config.base_url == "https://staging.example.com"
    assert (config.timeout, config.rate_limit, config.allow_writes) == (10.0, 10.0, False)
    assert config.key("full") == FULL_KEY
    assert config.key("messages_send") is None
    assert config.sender("active") == Sender(id=12, phone="+201001187188")
    assert config.sender("rejected") is None
    assert config.recipient("reachable") == "+201010000000"
    assert config.recipient("unverified") is None
    assert config.secrets() == (FULL_KEY,)
    assert config.source == str(path)


def test_full_example_from_the_contract_loads(tmp_path: Path) -> None:
    text = f"""\
base_url = "http://127.0.0.1:8000/prefix"
timeout = 2
rate_limit = 0
allow_writes = true

[keys]
full = "{FULL_KEY}"
messages_send = "{SEND_KEY}"
messages_read = "trk_READ0123456789abcdefghijklmnopqr"
contacts_lookup = "trk_LOOK0123456789abcdefghijklmnopqr"
usage_read = "trk_USAG0123456789abcdefghijklmnopqr"
revoked = "trk_REVO0123456789abcdefghijklmnopqr"

[senders]
active = {{ id = 12, phone = "+201001187188" }}
pending_verification = {{ id = "sn_13" }}
pending_account_verification = {{ phone = "+201001187190" }}
rejected = {{ id = 15, phone = "+201001187191" }}

[senders.suspended]
id = 16
phone = "+201001187192"

[recipients]
reachable = "+201010000000"
unreachable = "+201010000001"
unverified = "+201010000002"
"""
    config = load_config(write(tmp_path, text), env={})
    assert (config.timeout, config.rate_limit, config.allow_writes) == (2.0, 0.0, True)
    assert len(config.secrets()) == 6
    assert config.sender("pending_verification") == Sender(id="sn_13", phone=None)
    assert config.sender("pending_account_verification") == Sender(id=None, phone="+201001187190")
    assert config.sender("suspended") == Sender(id=16, phone="+201001187192")
    assert config.recipient("unverified") == "+201010000002"


def test_env_overrides_file_entry_by_entry(tmp_path: Path) -> None:
    env = {
        "TGO_BASE_URL": "http://10.0.0.5:9000",
        "TGO_TIMEOUT": "2.5",
        "TGO_RATE_LIMIT": "0",
        "TGO_ALLOW_WRITES": "Yes",
        "TGO_KEY_FULL": SEND_KEY + "\n",  # a secret saved with its newline
        "TGO_KEY_MESSAGES_SEND": SEND_KEY,
        "TGO_KEY_REVOKED": "",  # CI expands a missing secret to "": unset
        "TGO_SENDER_ACTIVE_PHONE": "+201001187199",
        "TGO_SENDER_REJECTED_ID": "15",
        "TGO_SENDER_SUSPENDED_ID": "sn_16",
        "TGO_RECIPIENT_UNREACHABLE": "+201010000001",
        "TGO_API_KEY": "not a config entry",
        "TGO_RATE_LIMIT_FILE": "/tmp/not-a-config-entry",
    }
    config = load_config(write(tmp_path, MINIMAL), env=env)
    assert config.base_url == "http://10.0.0.5:9000"
    assert (config.timeout, config.rate_limit, config.allow_writes) == (2.5, 0.0, True)
    assert config.key("full") == SEND_KEY
    assert config.key("messages_send") == SEND_KEY
    assert config.key("revoked") is None
    # The file's id survives; only the phone is overridden.
    assert config.sender("active") == Sender(id=12, phone="+201001187199")
    assert config.sender("rejected") == Sender(id=15, phone=None)
    assert config.sender("suspended") == Sender(id="sn_16", phone=None)
    assert config.recipient("unreachable") == "+201010000001"


@pytest.mark.parametrize(
    ("word", "expected"),
    [("true", True), ("1", True), ("YES", True), ("false", False), ("0", False), ("no", False)],
)
def test_allow_writes_env_words(tmp_path: Path, word: str, expected: bool) -> None:
    config = load_config(write(tmp_path, MINIMAL), env={"TGO_ALLOW_WRITES": word})
    assert config.allow_writes is expected


def test_config_entirely_from_env() -> None:
    env = {
        "TGO_BASE_URL": "https://staging.example.com",
        "TGO_KEY_FULL": FULL_KEY,
        "TGO_SENDER_ACTIVE_ID": "12",
        "TGO_RECIPIENT_REACHABLE": "+201010000000",
    }
    config = load_config(None, env=env)
    assert config.source == "<env>"
    assert config.sender("active") == Sender(id=12, phone=None)
    assert config.key("full") == FULL_KEY


def test_load_config_reads_os_environ_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TGO_TIMEOUT", "3")
    assert load_config(write(tmp_path, MINIMAL)).timeout == 3.0
    assert os.environ["TGO_TIMEOUT"] == "3"


def replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


FILE_ERRORS = [
    # (file text, expected fragments of the one-line message)
    ("base_url = [", ["invalid TOML", "line 1"]),
    ("colour = 1\n" + MINIMAL, ["unknown entry colour"]),
    ("timout = 1\n" + MINIMAL, ["unknown entry timout", "did you mean 'timeout'?"]),
    (
        replace("[keys]\n", "[keys]\nmessage_send = 'x'\n"),
        ["[keys].message_send", "did you mean 'messages_send'?"],
    ),
    (replace("active =", "actve ="), ["[senders].actve", "did you mean 'active'?"]),
    (replace('reachable = "', 'reachble = "'), ["[recipients].reachble", "'reachable'"]),
    (
        replace('phone = "+201001187188"', 'phone = "+201001187188", name = "x"'),
        ["[senders].active.name", "expected id and/or phone"],
    ),
    (replace("[keys]\n", "keys = 3\n[other]\n"), ["[keys] must be a table"]),
    (replace("active = {", "active = 12 #{"), ["[senders].active must be a table"]),
    (
        replace('"+201001187188"', '"+0123"'),
        [
            "tgo-conformance.toml: [senders].active.phone '+0123' is not an E.164 phone number "
            "(expected +, then 2 to 15 digits, the first not 0)"
        ],
    ),
    (replace('"+201010000000"', '"201010000000"'), ["[recipients].reachable", "E.164"]),
    (replace('"+201010000000"', '"+2010100000001234"'), ["[recipients].reachable", "E.164"]),
    (replace('"+201010000000"', '"+20101\\n"'), ["[recipients].reachable", "E.164"]),
    (replace('"+201010000000"', "201010000000"), ["[recipients].reachable", "a string"]),
    (replace("id = 12", "id = 1.5"), ["[senders].active.id", "an integer or a string"]),
    (replace("id = 12", "id = true"), ["[senders].active.id", "not a boolean"]),
    (replace("id = 12, phone", "phone"), []),  # phone alone is enough: no error (checked below)
    (replace('{ id = 12, phone = "+201001187188" }', "{}"), ["[senders].active needs an id"]),
    (replace('"https://staging.example.com"', '"ftp://x.example"'), ["base_url", "http(s)"]),
    (replace('"https://staging.example.com"', '"staging.example.com"'), ["base_url", "http(s)"]),
    (replace('"https://staging.example.com"', '"http://x:port"'), ["base_url", "not a valid URL"]),
    (
        replace('"https://staging.example.com"', '"https://bob:hunter2@x.example"'),
        ["base_url must not contain user:password credentials"],
    ),
    (replace('"https://staging.example.com"', "8080"), ["base_url must be a string"]),
    ("timeout = 0\n" + MINIMAL, ["timeout must be a finite number > 0"]),
    ("timeout = -1.0\n" + MINIMAL, ["timeout"]),
    ("timeout = inf\n" + MINIMAL, ["timeout"]),
    ("timeout = '10'\n" + MINIMAL, ["timeout must be a number, not a string"]),
    ("rate_limit = -0.5\n" + MINIMAL, ["rate_limit must be a finite number >= 0"]),
    ("allow_writes = 'yes'\n" + MINIMAL, ["allow_writes must be true or false"]),
    (replace(f'full = "{FULL_KEY}"', "full = 42"), ["[keys].full must be a string"]),
    (replace(f'full = "{FULL_KEY}"', f'full = "{FULL_KEY} "'), ["[keys].full", "value not shown"]),
    (replace(f'full = "{FULL_KEY}"', 'full = ""'), ["[keys].full", "not usable"]),
    (replace('base_url = "https://staging.example.com"\n', ""), ["base_url is required"]),
    (replace(f'full = "{FULL_KEY}"', f'revoked = "{FULL_KEY}"'), ["[keys].full is required"]),
    (replace("active =", "rejected ="), ["[senders].active is required"]),
    (replace("reachable =", "unverified ="), ["[recipients].reachable is required"]),
]


@pytest.mark.parametrize(
    ("text", "fragments"), FILE_ERRORS, ids=[f[0] if f else "valid" for _, f in FILE_ERRORS]
)
def test_file_errors_are_one_line_naming_the_entry(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, text)
    if not fragments:
        assert load_config(path, env={}).sender("active") == Sender(phone="+201001187188")
        return
    message = load_error(path)
    assert message.startswith(f"{path}: "), message
    for fragment in fragments:
        assert fragment in message


def test_credentials_in_base_url_are_not_repeated(tmp_path: Path) -> None:
    message = load_error(
        write(tmp_path, replace("https://staging", "https://bob:hunter2@staging")), {}
    )
    assert "hunter2" not in message


def test_a_key_put_where_a_phone_belongs_is_masked(tmp_path: Path) -> None:
    # The operator pasted the key into the wrong entry: the error must not echo it.
    message = load_error(write(tmp_path, replace('"+201010000000"', f'"{SEND_KEY}"')))
    assert "[recipients].reachable" in message
    assert mask_key(SEND_KEY) in message


def test_a_configured_key_is_masked_wherever_it_reappears(tmp_path: Path) -> None:
    text = replace('"https://staging.example.com"', f'"https://x.example?k={FULL_KEY}"')
    text = text.replace("https://x.example", "ftp://x.example")
    message = load_error(write(tmp_path, text))
    assert "base_url" in message and mask_key(FULL_KEY) in message


def test_a_key_used_as_an_entry_name_is_masked(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, replace("[keys]\n", f'[keys]\n"{SEND_KEY}" = "x"\n')))
    assert "unknown entry [keys]." in message and mask_key(SEND_KEY) in message


def test_missing_file(tmp_path: Path) -> None:
    message = load_error(tmp_path / "nope.toml")
    assert message == f"{tmp_path / 'nope.toml'}: config file not found"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert "is a directory" in load_error(tmp_path)


def test_unreadable_path(tmp_path: Path) -> None:
    # An OSError other than "not found" (root may read a chmod 000 file, so not that one).
    path = write(tmp_path, MINIMAL) / "inner.toml"
    assert load_error(path) == f"{path}: cannot read the config file (Not a directory)"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'base_url = "caf\xe9"\n')
    assert "not UTF-8" in load_error(path)


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, MINIMAL + "\n\nrate_limit = = 3\n"))
    assert "invalid TOML" in message and "line 13" in message


ENV_ERRORS = [
    ({"TGO_TIMEOUT": "soon"}, ["TGO_TIMEOUT 'soon' is not a number"]),
    ({"TGO_TIMEOUT": "-1"}, ["TGO_TIMEOUT must be a finite number > 0"]),
    ({"TGO_RATE_LIMIT": "nan"}, ["TGO_RATE_LIMIT"]),
    ({"TGO_ALLOW_WRITES": "maybe"}, ["TGO_ALLOW_WRITES 'maybe' is not one of"]),
    ({"TGO_BASE_URL": "localhost:8000"}, ["TGO_BASE_URL", "http(s)"]),
    ({"TGO_SENDER_ACTIVE_PHONE": "+0123"}, ["TGO_SENDER_ACTIVE_PHONE '+0123' is not an E.164"]),
    ({"TGO_RECIPIENT_REACHABLE": "0100"}, ["TGO_RECIPIENT_REACHABLE"]),
    ({"TGO_KEY_MESSAGE_SEND": SEND_KEY}, ["TGO_KEY_MESSAGE_SEND", "did you mean 'messages_send'"]),
    ({"TGO_SENDER_ACTIV_ID": "3"}, ["TGO_SENDER_ACTIV_ID", "did you mean 'active'"]),
    ({"TGO_SENDER_ACTIVE_NAME": "x"}, ["TGO_SENDER_ACTIVE_NAME", "TGO_SENDER_<STATE>_ID"]),
    ({"TGO_RECIPIENT_OTHER": "+201010000000"}, ["TGO_RECIPIENT_OTHER", "unknown variable"]),
    ({"TGO_KEY_FULL": FULL_KEY + " x"}, ["TGO_KEY_FULL is not usable", "value not shown"]),
]


@pytest.mark.parametrize(
    ("env", "fragments"), ENV_ERRORS, ids=[next(iter(e)) for e, _ in ENV_ERRORS]
)
def test_env_errors_name_the_variable(
    tmp_path: Path, env: dict[str, str], fragments: list[str]
) -> None:
    message = load_error(write(tmp_path, MINIMAL), env)
    for fragment in fragments:
        assert fragment in message


def test_env_only_config_needs_base_url() -> None:
    message = load_error(None, {"TGO_KEY_FULL": FULL_KEY})
    assert message == "<env>: base_url is required; set it in the file or in TGO_BASE_URL"


def test_missing_reason_names_entry_and_variable(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), env={})
    assert (
        config.missing_reason("keys", "messages_send")
        == "no [keys].messages_send in the target config (or TGO_KEY_MESSAGES_SEND)"
    )
    assert config.missing_reason("senders", "rejected") == (
        "no [senders].rejected in the target config "
        "(or TGO_SENDER_REJECTED_ID / TGO_SENDER_REJECTED_PHONE)"
    )
    assert config.missing_reason("senders", "active.phone") == (
        "no [senders].active.phone in the target config (or TGO_SENDER_ACTIVE_PHONE)"
    )
    assert config.missing_reason("recipients", "unverified") == (
        "no [recipients].unverified in the target config (or TGO_RECIPIENT_UNVERIFIED)"
    )


def test_unknown_names_in_code_fail_loudly(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), env={})
    with pytest.raises(ValueError, match="messages_sent"):
        config.key("messages_sent")
    with pytest.raises(ValueError):
        config.sender("activ")
    with pytest.raises(ValueError):
        config.missing_reason("senders", "active.name")


def test_repr_never_shows_keys() -> None:
    config = TargetConfig(base_url="http://mock", keys={"full": FULL_KEY})
    assert FULL_KEY not in repr(config)
    assert "trk_…KLMN" in repr(config)


@pytest.mark.parametrize(
    ("key", "mask"),
    [
        (FULL_KEY, "trk_…KLMN"),
        ("abcdefghijklmnopqrstuvwxyz", "…wxyz"),
        ("ab_cdefghijk", "…hijk"),  # prefix would leave under 8 hidden: not shown
        ("abcdefgh", "…efgh"),
        ("abcdefg", "…"),
        ("", "…"),
    ],
)
def test_mask_key(key: str, mask: str) -> None:
    assert mask_key(key) == mask


OTHER_KEY = "trk_OTHERother123456789abcdefghijST"
OTHER = f"""
[other_account]
key = "{OTHER_KEY}"
sender = {{ id = 17, phone = "+201001187193" }}
"""


def test_other_account_loads_from_the_file_and_from_the_environment(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL + OTHER), env={})
    assert config.other_account is not None
    assert config.other_account.key == OTHER_KEY
    assert config.other_account.sender == Sender(id=17, phone="+201001187193")
    assert OTHER_KEY in config.secrets()  # masked like every other key
    env = {
        "TGO_OTHER_ACCOUNT_KEY": OTHER_KEY,
        "TGO_OTHER_ACCOUNT_SENDER_PHONE": "+201001187194",
    }
    from_env = load_config(write(tmp_path, MINIMAL, "env.toml"), env=env).other_account
    assert from_env is not None and from_env.sender.phone == "+201001187194"
    assert load_config(write(tmp_path, MINIMAL, "none.toml"), env={}).other_account is None


@pytest.mark.parametrize(
    ("other", "names"),
    [
        (OTHER.replace(OTHER_KEY, FULL_KEY), "[keys].full"),
        (OTHER.replace("id = 17", "id = 12"), "[senders].active"),
        (OTHER.replace('phone = "+201001187193"', 'phone = "+201001187188"'), "[senders].active"),
    ],
    ids=["same-key", "same-sender-id", "same-sender-phone"],
)
def test_two_names_for_one_account_are_a_configuration_error(
    other: str, names: str, tmp_path: Path
) -> None:
    message = load_error(write(tmp_path, MINIMAL + other))
    assert "[other_account]" in message and names in message, message
    assert OTHER_KEY not in message
