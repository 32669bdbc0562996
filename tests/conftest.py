"""Fixtures: app → client → a LINE user, a fake LINE API, a migrated database.

The suite runs on SQLite always; set THAIQM_TEST_DATABASE_URL to a PostgreSQL URL
to run the same tests against PostgreSQL (CI does both).
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import Engine, text

from bot.app import create_app
from bot.state import app_state, close_app
from bot.config import Config, normalize_database_url
from bot.local.line_standin import LineStandIn, RecordedRequest
from bot.local.standin_server import StandInServer
from storage.crypto import Keyring
from storage import prepared
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Base
from storage.recent import forget
from storage.sealed import use_keyring
from tests.support.line_chat import LineChat, flask_poster
from tests.support.line_contract import check_request

CHANNEL_SECRET = "test-channel-secret-0123456789ab"
# A fixed data key for the tests (a real one comes from `thaiqm-bot make-key`).
DATA_KEY = "test1:" + "A" * 43
ACCESS_TOKEN = "test-access-token"


class _Unprepared(logging.Handler):
    """Keeps the names of statements the app could not prepare (storage/prepared.py)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.names: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.names.append(record.getMessage())


_UNPREPARED = _Unprepared()
logging.getLogger("storage.prepared").addHandler(_UNPREPARED)
# On the PostgreSQL run every statement is prepared from its second run on: a statement the
# app cannot prepare fails the test that runs it (below), not a volunteer's step in production.
prepared.PREPARE_AFTER = 1


@pytest.fixture(autouse=True)
def _every_statement_prepares(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test whose statements PostgreSQL could not prepare (they would run unprepared, slower)."""
    _UNPREPARED.names.clear()
    yield
    if not request.node.get_closest_marker("unprepared"):
        assert not _UNPREPARED.names, "statements the app could not prepare:\n" + "\n".join(_UNPREPARED.names)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `once` run on the SQLite run only: the PostgreSQL run would repeat them unchanged."""
    if not os.environ.get("THAIQM_TEST_DATABASE_URL", "").strip():
        return
    skip = pytest.mark.skip(reason="marked once: database-independent, runs on the SQLite run")
    for item in items:
        if item.get_closest_marker("once"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database: PostgreSQL if THAIQM_TEST_DATABASE_URL is set, else SQLite."""
    given = os.environ.get("THAIQM_TEST_DATABASE_URL", "").strip()
    url = normalize_database_url(given) if given else f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if given:
        _drop_everything(url)
    upgrade(url)
    return url


def _drop_everything(url: str) -> None:
    """Empty a PostgreSQL test database so migrations start from nothing."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def db_engine(database_url: str) -> Iterator[Engine]:
    """An engine for tests to look at rows directly."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row, children before parents."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    forget()  # areas and rounds kept by the survey steps (storage/recent.py)


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the database starts with empty tables, unless it builds on a shared seeding."""
    if "database_url" in request.fixturenames and "shared_database" not in request.fixturenames:
        empty_tables(request.getfixturevalue("db_engine"))
    yield


@pytest.fixture(scope="module")
def shared_database(database_url: str, db_engine: Engine) -> str:
    """The database emptied once for a module whose tests share one costly seeding (the demo).

    Its tests see each other's changes: they run in file order, and each is written to pass
    both on a fresh seeding and after the tests above it.
    """
    empty_tables(db_engine)
    return database_url


@pytest.fixture(scope="session")
def _line_server() -> Iterator[StandInServer]:
    """One fake LINE API server for the session."""
    standin = LineStandIn(access_token=ACCESS_TOKEN, validator=check_request)
    server = StandInServer(standin).start()
    yield server
    server.stop()


@contextmanager
def refused_by_line(standin: LineStandIn) -> Iterator[list[str]]:
    """Collect the requests the bot sends meanwhile that LINE would refuse (empty when all is well)."""
    violations: list[str] = []

    def check(entry: RecordedRequest) -> None:
        for problem in check_request(entry.method, entry.path, entry.body if isinstance(entry.body, dict) else None):
            violations.append(f"{entry.method} {entry.path}: {problem}")

    standin.on_request.append(check)
    try:
        yield violations
    finally:
        standin.on_request.remove(check)


@pytest.fixture
def line_api(_line_server: StandInServer) -> Iterator[LineStandIn]:
    """The fake LINE API, emptied; the test fails if the bot sent anything LINE would refuse."""
    _line_server.standin.reset()
    with refused_by_line(_line_server.standin) as violations:
        yield _line_server.standin
    assert not violations, "the bot sent requests LINE would refuse:\n" + "\n".join(violations)


@pytest.fixture(scope="module")
def shared_line_server(_line_server: StandInServer) -> StandInServer:
    """The fake LINE API emptied once for a module that shares one seeding (chats, rich menus)."""
    _line_server.standin.reset()
    return _line_server


@pytest.fixture
def shared_line_api(shared_line_server: StandInServer) -> Iterator[LineStandIn]:
    """The module's fake LINE API, as earlier tests left it; the test fails if the bot sent anything LINE would refuse."""
    with refused_by_line(shared_line_server.standin) as violations:
        yield shared_line_server.standin
    assert not violations, "the bot sent requests LINE would refuse:\n" + "\n".join(violations)


@pytest.fixture
def line_api_url(_line_server: StandInServer, line_api: LineStandIn) -> str:
    """Base URL of the fake LINE API."""
    return _line_server.url


@pytest.fixture
def config(database_url: str, line_api_url: str) -> Config:
    """A production-shaped configuration pointing at the test database and fake LINE."""
    return Config(
        line_channel_secret=CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
        database_url=database_url,
        line_api_base_url=line_api_url,
        data_key=DATA_KEY,
    )


@pytest.fixture(autouse=True, scope="session")
def _keyring() -> None:
    """Rows written by tests directly (not through the app) are sealed with the tests' key too."""
    use_keyring(Keyring.parse(DATA_KEY))


@pytest.fixture
def app(config: Config):  # type: ignore[no-untyped-def]
    """The real Flask app."""
    app = create_app(config)
    app.config["TESTING"] = True
    yield app
    close_app(app)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def line_user(client, line_api: LineStandIn):  # type: ignore[no-untyped-def]
    """A make-a-user function: each call is a new LINE user chatting with the app."""

    def make(user_id: str | None = None) -> LineChat:
        return LineChat(flask_poster(client), CHANNEL_SECRET, line_api, user_id)

    return make


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the repository, or a skip where it is absent (a user's own clone)."""
    path = Path(__file__).resolve().parents[2] / "shared"
    if not path.is_dir():
        pytest.skip("../shared is not beside the repository")
    return path


@pytest.fixture
def live_server(app):  # type: ignore[no-untyped-def]
    """The app served over HTTP by a threaded server, for tests that need real concurrency."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def run(database_url: str, line_api_url: str):  # type: ignore[no-untyped-def]
    """Run a thaiqm-bot command with the test configuration (typed input as `stdin`); returns the click result."""
    from click.testing import CliRunner

    from bot.cli import main

    env = {"DATABASE_URL": database_url, "LINE_CHANNEL_SECRET": CHANNEL_SECRET, "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN, "LINE_API_BASE_URL": line_api_url, "DATA_KEY": DATA_KEY}

    def invoke(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)

    return invoke
