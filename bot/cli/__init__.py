"""The `thaiqm-bot` command: manage the database, areas, invite codes, people and rich menus, import rounds, run the jobs, serve."""

from __future__ import annotations

import logging

import click

from bot.cli import area, db, export, import_round, invite, keys, person, privacy, pushes, report, richmenu, round, worker


class BotCommands(click.Group):
    """The command group; the local mode's `serve` and `demo` are loaded only when asked for."""

    LOCAL_COMMANDS = ("demo", "serve")

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, the local ones included (for --help)."""
        return sorted({*super().list_commands(ctx), *self.LOCAL_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A command by name; the local ones from bot.local.commands."""
        if name in self.LOCAL_COMMANDS:
            # The stand-in, the emulator and the demo live in bot.local: importing them only
            # here keeps `worker`, `db upgrade` and the rest free of local tooling.
            from bot.local import commands

            return getattr(commands, name)
        return super().get_command(ctx, name)


@click.group(cls=BotCommands)
def main() -> None:
    """ThaiQM household survey bot for LINE."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Their INFO lines (plugins loaded, a periodic job queued each minute, every state a
    # survey dialog passes through) drown ours.
    for chatty in ("alembic", "huey", "transitions"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


for command in (db.db, area.area, invite.invite, person.person, report.report, richmenu.richmenu, round.round_group, worker.worker, keys.make_key, keys.rotate_key, privacy.forget, privacy.audit, import_round.import_round, export.export, pushes.remind, pushes.push_status):
    main.add_command(command)
