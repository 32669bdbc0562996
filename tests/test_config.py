"""Configuration: read once from the environment, checked, with one-line errors."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import LINE_API_DEFAULT, LOCAL_CHANNEL_SECRET, Config, ConfigError
from tests.conftest import DATA_KEY


def test_no_credentials_means_local_mode_with_a_local_line_api():
    config = Config.from_env({"THAIQM_INSTANCE_PATH": "/tmp/x"})
    assert config.local_mode
    assert config.line_channel_secret == LOCAL_CHANNEL_SECRET
    assert config.line_api_base_url.startswith("http://127.0.0.1:")
    assert config.database_url == "sqlite:////tmp/x/thaiqm.db"
    assert config.timezone == "Asia/Bangkok"


def test_real_credentials_use_line_itself():
    config = Config.from_env({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "DATA_KEY": DATA_KEY})
    assert not config.local_mode
    assert config.line_api_base_url == LINE_API_DEFAULT
    assert (config.public_base_url, config.line_basic_id) == (None, None)  # codes then come without link and picture


def test_the_public_address_and_basic_id_make_the_confirmation_link_and_picture():
    env = {"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "DATA_KEY": DATA_KEY, "PUBLIC_BASE_URL": "https://bot.example.org/", "LINE_BASIC_ID": "@123abcde"}
    config = Config.from_env(env)
    assert (config.public_base_url, config.line_basic_id) == ("https://bot.example.org", "@123abcde")
    local = Config.from_env({"THAIQM_INSTANCE_PATH": "/tmp/x"})
    assert local.public_base_url == "http://127.0.0.1:8080" and local.line_basic_id.startswith("@")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LINE_CHANNEL_SECRET": "s"}, "LINE_CHANNEL_ACCESS_TOKEN is not set"),
        ({"LINE_CHANNEL_ACCESS_TOKEN": "t"}, "LINE_CHANNEL_SECRET is not set"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "only sqlite and postgresql"),
        ({"DATABASE_URL": "postgresql://u@h:5432"}, "names no database"),
        ({"TZ": "Mars/Olympus"}, "not a known time zone"),
        ({"LINE_API_BASE_URL": "ftp://x"}, "must start with http"),
        ({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t"}, "DATA_KEY is not set"),
        ({"DATA_KEY": "k1:tooshort"}, "must be 32 bytes"),
        ({"AUDIT_RETENTION_DAYS": "0"}, "AUDIT_RETENTION_DAYS='0' must be a whole number of at least 1"),
        ({"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "DATA_KEY": DATA_KEY, "PUBLIC_BASE_URL": "http://bot.example.org"}, "PUBLIC_BASE_URL must start with https://"),
        ({"LINE_BASIC_ID": "123abcde"}, "LINE_BASIC_ID='123abcde' must look like @123abcde"),
        ({"THAIQM_FORMS_DIR": "/nonexistent/forms"}, "THAIQM_FORMS_DIR=/nonexistent/forms is not a folder"),
        ({"THAIQM_LOCALES_DIR": "/nonexistent/locales"}, "THAIQM_LOCALES_DIR=/nonexistent/locales is not a folder"),
        ({"THAIQM_PREPARE_STATEMENTS": "sometimes"}, "THAIQM_PREPARE_STATEMENTS='sometimes' must be on or off"),
    ],
)
def test_unusable_settings_raise_one_clear_line(env, message):
    with pytest.raises(ConfigError, match=message) as raised:
        Config.from_env(env)
    assert "\n" not in str(raised.value)


def test_postgres_urls_use_psycopg2():
    assert Config.from_env({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+psycopg2://u@h/db"


def test_config_is_frozen():
    config = Config.from_env({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.database_url = "sqlite://"  # type: ignore[misc]


def test_a_wsgi_server_without_line_credentials_refuses_to_start(monkeypatch):
    """gunicorn could listen on every address: the published local secret must not be served there."""
    from bot.app import create_app

    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="a production server needs them"):
        create_app()


def test_production_without_a_data_key_refuses_to_start_in_one_line(monkeypatch):
    from bot.app import create_app

    monkeypatch.setenv("LINE_CHANNEL_SECRET", "s")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "t")
    monkeypatch.delenv("DATA_KEY", raising=False)
    with pytest.raises(ConfigError, match="DATA_KEY is not set") as raised:
        create_app()
    assert "\n" not in str(raised.value)


def test_local_mode_without_a_data_key_makes_one_in_the_instance_folder_once(tmp_path):
    from bot.data_keys import load_keyring, local_key_path

    config = Config.from_env({"THAIQM_INSTANCE_PATH": str(tmp_path)})
    first = load_keyring(config)
    assert local_key_path(config).stat().st_mode & 0o077 == 0  # readable by its owner only
    again = load_keyring(config)
    assert again.open(first.seal("0812345678")) == "0812345678"


def test_push_times_and_reminder_days_come_from_the_environment():
    from datetime import time

    from bot.config import Config, ConfigError

    config = Config.from_env({"THAIQM_DIGEST_TIME": "06:45", "THAIQM_PROGRESS_TIME": "18:00", "THAIQM_REMINDER_DAYS": "1, 7,30", "THAIQM_IDLE_DAYS": "5"})
    assert (config.digest_time, config.progress_time, config.reminder_days, config.idle_days) == (time(6, 45), time(18, 0), (30, 7, 1), 5)
    assert Config.from_env({}).reminder_days == (30, 14, 7, 3, 1)
    for bad in ({"THAIQM_DIGEST_TIME": "7h"}, {"THAIQM_REMINDER_DAYS": "7,x"}, {"THAIQM_PROGRESS_TIME": "21:00"}):
        try:
            Config.from_env(bad)
        except ConfigError as error:
            assert next(iter(bad)) in str(error)
        else:
            raise AssertionError(f"{bad} was accepted")


def test_an_engine_for_a_bare_postgresql_url_uses_psycopg2():
    from storage.db import make_engine

    engine = make_engine("postgresql://u@127.0.0.1:1/db")  # nothing connects until used
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg2")
    engine.dispose()


def test_a_sqlite_transaction_holds_the_write_lock_from_its_start_and_a_read_only_one_does_not(tmp_path):
    """BEGIN IMMEDIATE: one user's events never interleave on SQLite, even when their first statement only reads."""
    import sqlite3

    from sqlalchemy import text

    from storage.db import make_engine

    path = tmp_path / "lock.db"
    for read_only, locked in ((False, True), (True, False)):
        engine = make_engine(f"sqlite:///{path}", timeout=0.05, read_only=read_only)
        with engine.begin() as connection:
            connection.execute(text("SELECT 1"))
            other = sqlite3.connect(path, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.rollback()
                took_it = True
            except sqlite3.OperationalError:  # "database is locked"
                took_it = False
            other.close()
        assert took_it is not locked
        engine.dispose()


def test_the_sending_process_is_on_unless_switched_off():
    assert Config.from_env({"THAIQM_INSTANCE_PATH": "/tmp/x"}).sending_process
    assert not Config.from_env({"THAIQM_INSTANCE_PATH": "/tmp/x", "THAIQM_SENDING_PROCESS": "off"}).sending_process


def test_prepared_statements_are_on_unless_switched_off():
    assert Config.from_env({"THAIQM_INSTANCE_PATH": "/tmp/x"}).prepare_statements
    assert not Config.from_env({"THAIQM_INSTANCE_PATH": "/tmp/x", "THAIQM_PREPARE_STATEMENTS": "off"}).prepare_statements
