"""`thaiqm-bot area`: municipalities and communities."""

from __future__ import annotations

import click

from bot.cli.common import load_config, municipality_of, session_for


@click.group()
def area() -> None:
    """Municipalities and communities."""


@area.command("create-municipality")
@click.option("--name", required=True, help="Official name, e.g. เทศบาลเมืองบ้านไผ่.")
@click.option("--kind", required=True, type=click.Choice(["city", "town", "subdistrict"]), help="เทศบาลนคร / เทศบาลเมือง / เทศบาลตำบล.")
@click.option("--tambon", required=True, help="Six-digit tambon code from the official list.")
def area_create_municipality(name: str, kind: str, tambon: str) -> None:
    """Add a municipality; amphoe and province come from the official tambon list."""
    from bot.areas import find_tambon
    from bot.people.admin import create_municipality
    from storage.areas import AreaError
    from storage.models import utcnow

    with session_for(load_config()) as session:
        try:
            municipality = create_municipality(session, name, kind, tambon, utcnow())
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
    from bot.people.admin import add_community
    from storage.areas import AreaError
    from storage.models import utcnow

    with session_for(load_config()) as session:
        municipality = municipality_of(session, tambon)
        try:
            community = add_community(session, municipality, name, target_households, moo, utcnow())
        except AreaError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"added {community.name} to {municipality.name} (target {community.target_households} households)")


@area.command("import-communities")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
def area_import_communities(csv_file) -> None:  # type: ignore[no-untyped-def]
    """Add communities from a CSV (tambon_code,name,moo,target_households); all or nothing."""
    from bot.people.admin import import_communities
    from storage.models import utcnow

    with session_for(load_config()) as session:
        added, errors = import_communities(session, csv_file, utcnow())
        if errors:
            raise click.ClickException("nothing imported:\n" + "\n".join(errors))
        click.echo(f"imported {added} communities")
