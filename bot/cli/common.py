"""What the commands share: the configuration, an upgraded database, one transaction, the municipality of a tambon."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

import click

from bot.config import Config, ConfigError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.models import Municipality


def load_config() -> Config:
    """Read the configuration or stop with one clear line."""
    try:
        return Config.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def upgrade(config: Config) -> None:
    """Run migrations and load the data key, turning a failure into one clear line."""
    from sqlalchemy.exc import OperationalError

    from bot.data_keys import install_keyring
    from storage.migrate import upgrade as upgrade_schema

    try:
        upgrade_schema(config.database_url)
        install_keyring(config)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database: {error.orig.__class__.__name__}") from None
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@contextmanager
def session_for(config: Config) -> Iterator[Session]:
    """One transaction for a CLI command, on an upgraded database."""
    from storage.db import make_engine, make_session_factory, transaction

    upgrade(config)
    engine = make_engine(config.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def municipality_of(session: Session, tambon: str) -> Municipality:
    """The municipality of a tambon code, or one clear line saying it is not set up."""
    from storage.areas import municipality_by_tambon

    municipality = municipality_by_tambon(session, tambon)
    if municipality is None:
        raise click.ClickException(f"no municipality has tambon code {tambon} (create it with `thaiqm-bot area create-municipality`)")
    return municipality
