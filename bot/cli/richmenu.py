"""`thaiqm-bot richmenu`: every role's rich menu at LINE."""

from __future__ import annotations

import click

from bot.cli.common import load_config, session_for


@click.command()
@click.option("--font", default=None, help="A .ttf with Thai glyphs (default: the TLWG fonts from Debian).")
def richmenu(font: str | None) -> None:
    """Create the rich menu of every role at LINE, make the guest one the default, relink registered users."""
    from bot.line.rich_menus import FontMissing, RichMenuRefused, find_thai_font, publish_menus_at
    from storage.models import utcnow

    config = load_config()
    try:
        font_path = find_thai_font(font)
    except FontMissing as error:
        raise click.ClickException(str(error)) from None
    with session_for(config) as session:
        try:
            created, linked = publish_menus_at(config, session, font_path, utcnow())
        except RichMenuRefused as error:
            raise click.ClickException(f"LINE refused the rich menu request (status {error.status})") from None
        click.echo(f"created rich menus for {', '.join(created)}; linked {linked} registered user(s)")
