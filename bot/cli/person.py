"""`thaiqm-bot person`: registered people (ids, roles and standing; names stay in the chat and the database)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.cli.common import load_config, municipality_of, session_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.config import Config
    from storage.models import Person


@click.group()
def person() -> None:
    """Registered people: list, change role, deactivate, reactivate."""


@person.command("list")
@click.option("--tambon", required=True, help="Tambon code of the municipality.")
def person_list(tambon: str) -> None:
    """Registered people of a municipality: id, role, community, active (names stay in the chat and the database)."""
    from bot.people.admin import people_of

    with session_for(load_config()) as session:
        municipality = municipality_of(session, tambon)
        for line in people_of(session, municipality.id):
            state = "active" if line.active else "deactivated"
            click.echo(f"{line.id}\t{line.role}\t{line.community}\t{state}")


@person.command("set-role")
@click.argument("person_id", type=int)
@click.argument("role", type=click.Choice(["admin", "supervisor", "volunteer"]))
def person_set_role(person_id: int, role: str) -> None:
    """Change a person's role (audited); they get the new menu the next time menus are published or they type "menu"."""
    from bot.people.admin import change_role
    from storage.models import utcnow

    with session_for(load_config()) as session:
        change_role(session, _person(session, person_id), role, utcnow())
        click.echo(f"person {person_id} is now {role}")


@person.command("activate")
@click.argument("person_id", type=int)
def person_activate(person_id: int) -> None:
    """Let a deactivated person work again (audited)."""
    from bot.people.admin import activate_person
    from storage.models import utcnow

    with session_for(load_config()) as session:
        activate_person(session, _person(session, person_id), utcnow())
        click.echo(f"person {person_id} is active")


@person.command("deactivate")
@click.argument("person_id", type=int)
def person_deactivate(person_id: int) -> None:
    """Stop a person (audited), as a supervisor does in the chat: no access, any draft out of their hand, no role menu."""
    from bot.people.admin import deactivate_person
    from storage.models import utcnow

    config = load_config()
    with session_for(config) as session:
        target = _person(session, person_id)
        if deactivate_person(session, target, utcnow()) and not _unlink_rich_menu(config, session, target):
            click.echo("their rich menu could not be taken away at LINE now; its buttons answer that they are deactivated")
        click.echo(f"person {person_id} is deactivated")


def _person(session: Session, person_id: int) -> Person:
    """The person with this id, or one clear line saying there is none."""
    from storage.models import Person

    found = session.get(Person, person_id)
    if found is None:
        raise click.ClickException(f"no person with id {person_id}")
    return found


def _unlink_rich_menu(config: Config, session: Session, target: Person) -> bool:
    """Take the person's role menu away at LINE (they see the guest menu); True when done or nothing to do."""
    from bot.line.gateway import Delivery, LineGateway
    from storage.models import LineUser

    line_user = session.get(LineUser, target.line_user_id) if target.line_user_id else None
    if line_user is None:
        return True
    gateway = LineGateway(config)
    try:
        return gateway.unlink_rich_menu(line_user.line_user_id) is Delivery.SENT
    finally:
        gateway.close()
