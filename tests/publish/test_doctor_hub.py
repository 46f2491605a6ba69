"""`openswe doctor` asks the Hub (here the loopback stand-in the real client talks to) who the token belongs
to: ok only when it answers and accepts the token; a rejected, missing or unreachable one is said so."""

from __future__ import annotations

from openswe_data.doctor import check_hub
from openswe_data.settings import Settings
from publish_helpers import free_port


def test_the_hub_check_reaches_the_hub_and_names_the_tokens_user(hub_server, monkeypatch):
    monkeypatch.setenv("HF_HOME", "/nonexistent-hf-home")
    good = check_hub(Settings(hf_endpoint=hub_server.url, hf_token=hub_server.token))
    assert good.ok and "belongs to fixture-user" in good.detail
    assert hub_server.token not in good.detail
    bad = check_hub(Settings(hf_endpoint=hub_server.url, hf_token="hf_wrong_token_0000000000"))
    assert not bad.ok and "rejects the token" in bad.detail and "hf_wrong" not in bad.detail
    none = check_hub(Settings(hf_endpoint=hub_server.url, hf_token=None))
    assert not none.ok and "no token" in none.detail and none.fix


def test_an_unreachable_hub_is_a_warning_with_a_fix_not_ok():
    down = check_hub(Settings(hf_endpoint=f"http://127.0.0.1:{free_port()}", hf_token="hf_x_000000000000"), timeout=2)
    assert not down.ok and not down.required
    assert "does not answer" in down.detail and "HF_ENDPOINT" in down.fix
