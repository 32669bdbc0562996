"""The `thaiqm-bot` command: serve the bot, manage the database, areas, invite codes and rich menus."""

from __future__ import annotations

import logging
import signal
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

import click

from sqlalchemy.orm import Session

from bot.config import Config, ConfigError

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger("thaiqm-bot")


def load_config() -> Config:
    """Read the configuration or stop with one clear line."""
    try:
        return Config.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@click.group()
def main() -> None:
    """ThaiQM household survey bot for LINE."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Their INFO lines (plugins loaded, a periodic job queued each minute, every state a
    # survey dialog passes through) drown ours.
    for chatty in ("alembic", "huey", "transitions"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the current schema."""
    config = load_config()
    _upgrade(config, seal=True)
    click.echo("database is at the current schema")


def _upgrade(config: Config, seal: bool = False) -> int:
    """Run migrations (and with `seal`, seal what is plain), a connection failure in one clear line; returns values sealed."""
    from sqlalchemy.exc import OperationalError

    from storage.migrate import upgrade

    try:
        upgrade(config.database_url)
    except OperationalError as error:
        raise click.ClickException(f"cannot reach the database: {error.orig.__class__.__name__}") from None
    if seal:
        return _reseal(config)
    _install_keyring(config)
    return 0


def _install_keyring(config: Config) -> None:
    """Make the data key the one sealed columns use, or stop with one line."""
    from bot.data_keys import install_keyring

    try:
        install_keyring(config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _reseal(config: Config) -> int:
    """Seal personal data still stored plain and reseal what an older key sealed (resumable)."""
    from bot.data_keys import load_keyring
    from bot.dialogs.form import forms
    from storage.db import make_engine, make_session_factory
    from storage.resealing import pending, reseal

    _install_keyring(config)
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


@main.command("make-key")
@click.option("--id", "key_id", default=None, help="Key id (letters and digits); default: k + today's date.")
def make_key(key_id: str | None) -> None:
    """Print a new data key for DATA_KEY (keep a copy in a safe place: without it the data cannot be read)."""
    from datetime import date

    from storage.crypto import DataKeyError, make_key_text

    try:
        click.echo(make_key_text(key_id or f"k{date.today():%Y%m%d}"))
    except DataKeyError as error:
        raise click.ClickException(str(error)) from None


@main.command("rotate-key")
def rotate_key() -> None:
    """Reseal all personal data under the first key of DATA_KEY (resumable: run again if interrupted)."""
    done = _upgrade(load_config(), seal=True)
    click.echo(f"{done} value(s) resealed; every value is now under the first key of DATA_KEY")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Upgrade the database, then run the bot (local LINE stand-in when no credentials are set)."""
    config = load_config()
    _upgrade(config)
    if config.local_mode:
        _start_local_line(config)
        host = "127.0.0.1"  # local mode has a development secret: never expose it
    _run(config, host, port)


@main.command()
@click.option("--port", default=8080, show_default=True, help="Port to listen on (always on 127.0.0.1).")
def demo(port: int) -> None:
    """Seed a demo municipality and serve the LINE emulator, to try the bot without LINE."""
    from bot.app import create_app
    from bot.local.demo import DemoError, seed
    from bot.i18n import _
    from bot.local.emulator.scripted_chat import ChatRefused
    from bot.local.emulator.standin_client import StandInUnavailable

    config = load_config()
    if not config.local_mode:
        raise click.ClickException(
            "the demo adds made-up people and chats through a local LINE stand-in: "
            "unset LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN to run it"
        )
    _upgrade(config)
    # The stand-in first: the demo people add the bot and register in their chats through it.
    _start_local_line(config)
    app = create_app(config)
    try:
        seeded = seed(app)
    except StandInUnavailable:
        raise click.ClickException(f"cannot seed the demo: the local LINE stand-in at {config.line_api_base_url} does not answer") from None
    except (DemoError, ChatRefused) as error:
        raise click.ClickException(f"cannot seed the demo: {error}") from None
    click.echo(f"demo data: {seeded.summary}; rich menus {seeded.rich_menus}")
    _run(
        config,
        "127.0.0.1",
        port,
        app,
        f"  a new user registers there with the volunteer invite code {seeded.newcomer_code} "
        f"(open {_('New user')!r}, add the bot as a friend, tap {_('Register')!r})",
    )


def _run(config: Config, host: str, port: int, app: Flask | None = None, emulator_note: str = "") -> None:
    """Serve the app until interrupted, saying where the emulator is when there is one."""
    from werkzeug.serving import run_simple

    from bot.app import create_app
    from bot.local.emulator import QuietPolling, emulator_enabled
    from bot.jobs import make_jobs, start_consumer
    from bot.state import close_app

    app = app or create_app(config)
    consumer = start_consumer(make_jobs(config, app=app).huey)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop cleanly under a supervisor
    click.echo(f"bot listening on http://{host}:{port}  (webhook: /callback, health: /healthz)")
    if emulator_enabled(config):
        logging.getLogger("werkzeug").addFilter(QuietPolling())
        click.echo(f"LINE emulator: open http://127.0.0.1:{port}/emulator in a browser")
        if emulator_note:
            click.echo(emulator_note)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        consumer.stop(graceful=True)  # let a running job finish before its connections close
        close_app(app)  # send what is queued and record its outcomes before leaving


@main.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run the background and scheduled jobs (Huey consumer); one or more per deployment."""
    from bot.jobs import make_jobs

    config = load_config()
    make_jobs(config).huey.create_consumer(workers=workers, worker_type="thread").run()


def _start_local_line(config: Config) -> None:
    """Start the local LINE stand-in where the config expects it and say so loudly."""
    from urllib.parse import urlparse

    from bot.local.line_standin import LineStandIn, StandInServer

    port = urlparse(config.line_api_base_url).port or 80
    try:
        server = StandInServer(LineStandIn(access_token=config.line_channel_access_token), port=port).start()
    except OSError as error:
        raise click.ClickException(f"cannot start the local LINE stand-in on port {port}: {error.strerror}") from None
    click.echo(
        "LOCAL MODE: no LINE credentials are set.\n"
        f"  channel secret for signing test webhooks: {config.line_channel_secret}\n"
        f"  LINE API calls go to a local stand-in at {server.url} that records them."
    )


@contextmanager
def _session(config: Config) -> Iterator[Session]:
    """One transaction for a CLI command, on an upgraded database."""
    from storage.db import make_engine, make_session_factory, transaction

    _upgrade(config)
    engine = make_engine(config.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _municipality(session: Session, tambon: str):  # type: ignore[no-untyped-def]
    """The municipality of a tambon code, or one clear line saying it is not set up."""
    from storage.areas import municipality_by_tambon

    municipality = municipality_by_tambon(session, tambon)
    if municipality is None:
        raise click.ClickException(f"no municipality has tambon code {tambon} (create it with `thaiqm-bot area create-municipality`)")
    return municipality


@main.group()
def area() -> None:
    """Municipalities and communities."""


@area.command("create-municipality")
@click.option("--name", required=True, help="Official name, e.g. เทศบาลเมืองบ้านไผ่.")
@click.option("--kind", required=True, type=click.Choice(["city", "town", "subdistrict"]), help="เทศบาลนคร / เทศบาลเมือง / เทศบาลตำบล.")
@click.option("--tambon", required=True, help="Six-digit tambon code from the official list.")
def area_create_municipality(name: str, kind: str, tambon: str) -> None:
    """Add a municipality; amphoe and province come from the official tambon list."""
    from bot.areas import find_tambon
    from storage.areas import AreaError, create_municipality

    with _session(load_config()) as session:
        try:
            municipality = create_municipality(session, name, kind, tambon)
        except AreaError as error:
            raise click.ClickException(str(error)) from None
        found = find_tambon(municipality.tambon_code)
        click.echo(f"created {municipality.name} ({kind}) in ต.{found.name} อ.{found.amphoe_name} จ.{found.province_name}")


@area.command("add-community")
@click.option("--tambon", required=True, help="Tambon code of the municipality.")
@click.option("--name", required=True, help="Community name.")
@click.option("--target", "target_households", required=True, type=click.IntRange(min=0), help="Households to survey.")
@click.option("--moo", type=click.IntRange(min=1), default=None, help="หมู่ number, if any.")
def area_add_community(tambon: str, name: str, target_households: int, moo: int | None) -> None:
    """Add one community to a municipality."""
    from storage.areas import AreaError, add_community

    with _session(load_config()) as session:
        municipality = _municipality(session, tambon)
        try:
            community = add_community(session, municipality, name, target_households, moo)
        except AreaError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"added {community.name} to {municipality.name} (target {community.target_households} households)")


@area.command("import-communities")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
def area_import_communities(csv_file) -> None:  # type: ignore[no-untyped-def]
    """Add communities from a CSV (tambon_code,name,moo,target_households); all or nothing."""
    from storage.areas import import_communities

    with _session(load_config()) as session:
        added, errors = import_communities(session, csv_file)
        if errors:
            raise click.ClickException("nothing imported:\n" + "\n".join(errors))
        click.echo(f"imported {added} communities")


@main.group()
def invite() -> None:
    """Invite codes for registration."""


@invite.command("create")
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "volunteer"]))
@click.option("--tambon", required=True, help="Tambon code of the municipality.")
@click.option("--community", default=None, help="Community name, to bind the code to one community.")
@click.option("--days", default=7, show_default=True, type=click.IntRange(min=1), help="Days the code stays valid.")
@click.option("--uses", default=1, show_default=True, type=click.IntRange(min=1), help="How many people it can register.")
def invite_create(role: str, tambon: str, community: str | None, days: int, uses: int) -> None:
    """Make an invite code bound to a role and an area."""
    from sqlalchemy import select

    from storage import audit
    from storage.invites import create_invite, display_code
    from storage.models import Community
    from storage.models import utcnow

    with _session(load_config()) as session:
        municipality = _municipality(session, tambon)
        community_id = None
        if community is not None:
            community_id = session.scalars(
                select(Community.id).where(Community.municipality_id == municipality.id, Community.name == " ".join(community.split()))
            ).first()
            if community_id is None:
                raise click.ClickException(f"{municipality.name} has no community named {community!r}")
        now = utcnow()
        code = create_invite(session, role, municipality.id, community_id, now, days, uses)
        audit.record(session, "invite.create", now, invite_code_id=code.id, role=role)
        click.echo(f"{display_code(code.code)}  ({role}, {municipality.name}{', ' + community if community else ''}; {uses} use(s), valid {days} day(s))")


@main.group()
def person() -> None:
    """Registered people: list, change role, reactivate."""


@person.command("list")
@click.option("--tambon", required=True, help="Tambon code of the municipality.")
def person_list(tambon: str) -> None:
    """Registered people of a municipality: id, role, community, active (names stay in the chat and the database)."""
    from sqlalchemy import select

    from storage.areas import names_of
    from storage.models import Person

    with _session(load_config()) as session:
        municipality = _municipality(session, tambon)
        people = list(session.scalars(select(Person).where(Person.municipality_id == municipality.id).order_by(Person.id)))
        communities = names_of(session, (p.community_id for p in people if p.community_id))
        for p in people:
            state = "active" if p.active else "deactivated"
            click.echo(f"{p.id}\t{p.role}\t{communities.get(p.community_id or 0, '-')}\t{state}")


@person.command("set-role")
@click.argument("person_id", type=int)
@click.argument("role", type=click.Choice(["admin", "supervisor", "volunteer"]))
def person_set_role(person_id: int, role: str) -> None:
    """Change a person's role (audited); they get the new menu the next time menus are published or they type "menu"."""
    from storage import audit
    from storage.models import Person, utcnow

    with _session(load_config()) as session:
        target = session.get(Person, person_id)
        if target is None:
            raise click.ClickException(f"no person with id {person_id}")
        if target.role != role:
            audit.record(session, "role.change", utcnow(), subject_id=target.id, old_role=target.role, new_role=role)
            target.role = role
            if role != "volunteer":
                target.volunteer_type = None
        click.echo(f"person {person_id} is now {role}")


@person.command("activate")
@click.argument("person_id", type=int)
def person_activate(person_id: int) -> None:
    """Let a deactivated person work again (audited)."""
    from storage import audit
    from storage.models import Person, utcnow

    with _session(load_config()) as session:
        target = session.get(Person, person_id)
        if target is None:
            raise click.ClickException(f"no person with id {person_id}")
        if not target.active:
            target.active, target.deactivated_at = True, None
            audit.record(session, "person.activate", utcnow(), subject_id=target.id)
        click.echo(f"person {person_id} is active")


@main.command()
@click.option("--font", default=None, help="A .ttf with Thai glyphs (default: the TLWG fonts from Debian).")
def richmenu(font: str | None) -> None:
    """Create the rich menu of every role at LINE, make the guest one the default, relink registered users."""
    from linebot.v3.messaging import ApiClient, ApiException

    from bot.line.gateway import sdk_configuration
    from bot.line.rich_menus import FontMissing, find_thai_font, publish_menus
    from storage.models import utcnow

    config = load_config()
    try:
        font_path = find_thai_font(font)
    except FontMissing as error:
        raise click.ClickException(str(error)) from None
    with ApiClient(sdk_configuration(config)) as client, _session(config) as session:
        try:
            created, linked = publish_menus(session, client, font_path, utcnow())
        except ApiException as error:
            raise click.ClickException(f"LINE refused the rich menu request (status {error.status})") from None
        click.echo(f"created rich menus for {', '.join(created)}; linked {linked} registered user(s)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
