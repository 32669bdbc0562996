"""`thaiqm-bot invite`: invite codes for registration."""

from __future__ import annotations

import click

from bot.cli.common import load_config, municipality_of, session_for


@click.group()
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
    from bot.people.admin import community_named, issue_invite
    from storage.invites import display_code
    from storage.models import utcnow

    with session_for(load_config()) as session:
        municipality = municipality_of(session, tambon)
        community_id = None
        if community is not None:
            community_id = community_named(session, municipality, community)
            if community_id is None:
                raise click.ClickException(f"{municipality.name} has no community named {community!r}")
        code = issue_invite(session, role, municipality.id, community_id, utcnow(), days, uses)
        click.echo(f"{display_code(code.code)}  ({role}, {municipality.name}{', ' + community if community else ''}; {uses} use(s), valid {days} day(s))")
