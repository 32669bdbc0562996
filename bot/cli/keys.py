"""`thaiqm-bot make-key` and `rotate-key`, and the sealing `db upgrade` runs: the data key of personal data."""

from __future__ import annotations

import sys
from datetime import date

import click

from bot.cli.common import load_config, upgrade
from bot.config import Config


def seal_personal_data(config: Config) -> int:
    """Seal what is still plain and reseal what an older key sealed, with a progress bar; returns how many."""
    from bot.data_keys import load_keyring
    from bot.dialogs.form import forms
    from storage.db import make_engine, make_session_factory
    from storage.resealing import pending, reseal

    upgrade(config)
    ring = load_keyring(config)
    sensitive = {q.code for form in forms().values() for q in form.questions() if q.sensitive}
    engine = make_engine(config.database_url)
    try:
        factory = make_session_factory(engine)
        total = pending(factory, ring, sensitive)
        if not total:
            return 0
        with click.progressbar(length=total, label="sealing personal data", file=sys.stderr) as bar:
            return reseal(factory, ring, sensitive, bar.update)
    finally:
        engine.dispose()


@click.command("make-key")
@click.option("--id", "key_id", default=None, help="Key id (letters and digits); default: k + today's date.")
def make_key(key_id: str | None) -> None:
    """Print a new data key for DATA_KEY (keep a copy in a safe place: without it the data cannot be read)."""
    from storage.crypto import DataKeyError, make_key_text

    try:
        click.echo(make_key_text(key_id or f"k{date.today():%Y%m%d}"))
    except DataKeyError as error:
        raise click.ClickException(str(error)) from None


@click.command("rotate-key")
def rotate_key() -> None:
    """Reseal all personal data under the first key of DATA_KEY (resumable: run again if interrupted)."""
    done = seal_personal_data(load_config())
    click.echo(f"{done} value(s) resealed; every value is now under the first key of DATA_KEY")
