"""The simulated LINE users of the emulator; the demo seeds the people behind them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.i18n import N_


def demo_line_user_id(key: str) -> str:
    """A stable LINE user id (U + 32 hex digits) for a persona, the same on every run."""
    return "U" + hashlib.sha256(f"thaiqm-demo-persona:{key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Persona:
    """One simulated LINE account: its id, the name LINE shows and the role it plays."""

    key: str
    display_name: str  # a LINE display name: data, not a translatable text
    role_label: str  # a message id, translated when the page asks for it

    @property
    def line_user_id(self) -> str:
        """The LINE user id this persona chats with."""
        return demo_line_user_id(self.key)


# In the order the emulator lists them. The "new user" is made in the browser (a fresh
# random id each time), so it is not here.
PERSONAS: tuple[Persona, ...] = (
    Persona("volunteer", "สมชาย ใจดี", N_("Volunteer")),
    Persona("volunteer2", "มาลี ศรีสุข", N_("Volunteer")),
    Persona("supervisor", "วันดี มีสุข", N_("Supervisor")),
    Persona("household", "บุญมี รักบ้าน", N_("Household")),
)

PERSONAS_BY_KEY = {persona.key: persona for persona in PERSONAS}
