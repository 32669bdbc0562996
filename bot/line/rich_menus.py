"""Rich menus per role: draw the image with Thai labels, create it at LINE, link it.

Used by `thaiqm-bot richmenu` and the demo, through `publish_menus_at`. The layout comes from bot.people.menus, so the rich menu and the
`menu` quick replies always offer the same commands. Thai needs a font with Thai glyphs:
the TLWG fonts from Debian (`apt-get install fonts-tlwg-loma-ttf`), or any .ttf given
with --font.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    MessageAction,
    MessagingApi,
    MessagingApiBlob,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.i18n import _
from bot.line.gateway import sdk_configuration
from bot.people.menus import MENUS, MenuItem, menu_key
from storage.models import LineUser, Municipality, Person, RichMenu

WIDTH = 2500
ROW_HEIGHT = 843  # LINE's half-height menu; two rows make the full 1686
COLUMNS = 3
# Thai fonts from Debian's fonts-tlwg-*-ttf (fonts-thai-tlwg) and Noto, in order of preference.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda.ttf",
    "/usr/share/fonts/truetype/tlwg/Waree-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
)
BACKGROUND = (0, 84, 147)  # a government blue
CELL = (255, 255, 255)
INK = (0, 58, 112)


class FontMissing(RuntimeError):
    """No font with Thai glyphs was found: the message says what to install."""


class RichMenuRefused(RuntimeError):
    """LINE (or the local stand-in) refused a rich menu request; `status` is its HTTP status."""

    def __init__(self, status: int | None) -> None:
        super().__init__(f"rich menu request refused with status {status}")
        self.status = status


def find_thai_font(explicit: str | None = None) -> Path:
    """The font to draw Thai labels with, or FontMissing saying how to get one."""
    candidates = (explicit,) if explicit else FONT_CANDIDATES
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    if explicit:
        raise FontMissing(f"font file {explicit} does not exist")
    raise FontMissing(
        "no Thai font found: install Debian's fonts-tlwg-loma-ttf (apt-get install fonts-tlwg-loma-ttf) "
        "or pass --font /path/to/a-thai-font.ttf"
    )


def grid(count: int) -> tuple[int, int]:
    """Columns and rows for a number of buttons (at most two rows of three; four make a square)."""
    columns = 2 if count == 4 else min(COLUMNS, count)
    return columns, math.ceil(count / columns)


def draw_menu(items: Sequence[MenuItem], font_path: Path) -> bytes:
    """The menu image as PNG: one white tile per item with its Thai label."""
    return _drawn(tuple(items), font_path)


@lru_cache(maxsize=16)
def _drawn(items: tuple[MenuItem, ...], font_path: Path) -> bytes:
    """Drawing a menu takes a quarter of a second and the labels never change while running: once each."""
    from PIL import Image, ImageDraw, ImageFont

    columns, rows = grid(len(items))
    height = ROW_HEIGHT * rows
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path), 110)
    for index, item in enumerate(items):
        left, top, right, bottom = _bounds(index, columns, rows, len(items))
        draw.rounded_rectangle((left + 18, top + 18, right - 18, bottom - 18), radius=40, fill=CELL)
        label = _(item.label)
        box = draw.textbbox((0, 0), label, font=font)
        x = left + (right - left - (box[2] - box[0])) / 2 - box[0]
        y = top + (bottom - top - (box[3] - box[1])) / 2 - box[1]
        draw.text((x, y), label, font=font, fill=INK)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def menu_request(role: str, items: Sequence[MenuItem]) -> RichMenuRequest:
    """The rich menu object: one tappable area per item, sending the item's Thai command."""
    columns, rows = grid(len(items))
    areas = []
    for index, item in enumerate(items):
        left, top, right, bottom = _bounds(index, columns, rows, len(items))
        areas.append(
            RichMenuArea(
                bounds=RichMenuBounds(x=left, y=top, width=right - left, height=bottom - top),
                action=MessageAction(label=_(item.label)[:20], text=_(item.command)),
            )
        )
    return RichMenuRequest(
        size=RichMenuSize(width=WIDTH, height=ROW_HEIGHT * rows),
        selected=True,
        name=f"thaiqm-{role}",
        chatBarText=_("Menu")[:14],
        areas=areas,
    )


def create_menus(client: ApiClient, font_path: Path) -> dict[str, str]:
    """Create, upload and return the LINE rich menu id of every role (the guest menu becomes the default)."""
    api, blob = MessagingApi(client), MessagingApiBlob(client)
    created: dict[str, str] = {}
    for role, items in MENUS.items():
        rich_menu_id = api.create_rich_menu(menu_request(role, items)).rich_menu_id
        blob.set_rich_menu_image(rich_menu_id, draw_menu(items, font_path), _headers={"Content-Type": "image/png"})
        created[role] = rich_menu_id
    api.set_default_rich_menu(created["guest"])
    return created


def link_users(client: ApiClient, links: Sequence[tuple[str, str]]) -> None:
    """Link already registered users (LINE user id, rich menu id) to their role's new menu."""
    api = MessagingApi(client)
    for line_user_id, rich_menu_id in links:
        api.link_rich_menu_id_to_user(line_user_id, rich_menu_id)


def publish_menus(session: Session, client: ApiClient, font_path: Path, now: datetime) -> tuple[dict[str, str], int]:
    """Create every role's menu at LINE, remember their ids, relink active registered people; (menus, people linked)."""
    created = create_menus(client, font_path)
    users = session.execute(
        select(LineUser.line_user_id, Person.role, Municipality.kind)
        .join(Person, Person.line_user_id == LineUser.id)
        .join(Municipality, Municipality.id == Person.municipality_id)
        .where(Person.active.is_(True))
    ).all()
    keys = [(user_id, menu_key(role, kind)) for user_id, role, kind in users]
    link_users(client, [(user_id, created[key]) for user_id, key in keys if key in created])
    for role, rich_menu_id in created.items():
        row = session.get(RichMenu, role) or RichMenu(role=role)
        row.line_rich_menu_id, row.created_at = rich_menu_id, now
        session.add(row)
    return created, len(users)


def publish_menus_at(config: Config, session: Session, font_path: Path, now: datetime) -> tuple[dict[str, str], int]:
    """Publish every role's menu at the LINE API this configuration points to (RichMenuRefused when refused)."""
    with ApiClient(sdk_configuration(config)) as client:
        try:
            return publish_menus(session, client, font_path, now)
        except ApiException as error:
            raise RichMenuRefused(error.status) from None


def _bounds(index: int, columns: int, rows: int, count: int) -> tuple[int, int, int, int]:
    """The tile of an item: rows fill left to right; a short last row spreads over the width."""
    row = index // columns
    in_row = columns if row < rows - 1 else count - columns * (rows - 1)
    column = index - row * columns
    width = WIDTH // in_row
    left = column * width
    right = WIDTH if column == in_row - 1 else left + width
    return left, row * ROW_HEIGHT, right, (row + 1) * ROW_HEIGHT
