"""Configuration: every key documented in .env.example and the README; secrets stay hidden."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def example_keys() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z_]+)=", text, flags=re.M))


def test_every_setting_is_in_env_example_and_nothing_else():
    assert example_keys() == {name.upper() for name in Settings.model_fields}


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(k for k in example_keys() if f"`{k}`" not in readme and f"`{k}`," not in readme)
    assert missing == []


def test_blank_tokens_mean_unset_and_secrets_do_not_print(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "very-secret")
    settings = Settings(_env_file=None)
    assert settings.telegram_bot_token is None
    assert "very-secret" not in repr(settings) and "very-secret" not in str(settings.model_dump())


def test_a_zone_outside_indonesia_is_refused(monkeypatch):
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Paris")
    with pytest.raises(ValidationError, match="Asia/Pontianak"):  # the message names every zone accepted
        Settings(_env_file=None)
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Asia/Pontianak")
    assert Settings(_env_file=None).default_timezone == "Asia/Pontianak"


def test_wib_is_understood_as_jakarta(monkeypatch):
    monkeypatch.setenv("DEFAULT_TIMEZONE", "WIB")
    assert Settings(_env_file=None).default_timezone == "Asia/Jakarta"


@pytest.mark.parametrize("number", ["+6281234567890", "6281234567890", "+62 812-3456-7890", "+1 555 193 2345"])
def test_a_whatsapp_number_with_its_country_code_is_taken_as_written(monkeypatch, number):
    monkeypatch.setenv("WHATSAPP_NUMBER", number)  # Meta's test numbers (+1 555 …) included
    assert Settings(_env_file=None).whatsapp_number == number


@pytest.mark.parametrize("key, default", [("WEB_HOST", "127.0.0.1"), ("MEDIA_DIR", Path("./media")),
                                          ("GRAPH_API_VERSION", "23.0"),
                                          ("TELEGRAM_API_URL", "https://api.telegram.org"),
                                          ("WHATSAPP_TEMPLATE_BRIEFING", "apel_briefing")])
def test_a_key_left_blank_takes_its_default(monkeypatch, key, default):
    monkeypatch.setenv(key, " ")  # WEB_HOST= listened on every interface, MEDIA_DIR= wrote into the working dir
    assert getattr(Settings(_env_file=None), key.lower()) == default
