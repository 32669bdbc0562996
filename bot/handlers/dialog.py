"""A chat dialog declared as data: its entry words, its answers, its fallbacks, its buttons.

Every dialog registers one `Dialog` (see bot.handlers.conversation for how they are asked).
A user is in at most one dialog at a time: their conversation row names it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from gettext import GNUTranslations
from typing import Callable, Mapping

from bot.chat.replies import Reply
from bot.chat.text_input import fold
from bot.handlers.context import EventContext
from bot.i18n import _, translations
from storage.models import Conversation

# An entry gets what follows its word ("" when nothing does) or its pattern's first group.
EntryHandler = Callable[[EventContext, str], list[Reply]]
# A typed text or a fallback inside the dialog; None means "not mine" (the layer carries on).
AnswerHandler = Callable[[EventContext, Conversation, str], "list[Reply] | None"]
FallbackHandler = Callable[[EventContext, Conversation], "list[Reply] | None"]
# A sticker, picture, location… inside the dialog: its kind's name, the location if it is one.
MessageHandler = Callable[[EventContext, str, "tuple[float, float] | None"], "list[Reply] | None"]
# A postback gets the data's parameters and the channel's params (e.g. {"date": "2024-01-15"}).
PostbackHandler = Callable[[EventContext, dict[str, str], dict[str, str]], list[Reply]]

# The words every dialog answers (message ids): cancel, help and back in the dialog's own way,
# menu the same everywhere. Outside a dialog help shows the help and the others are not understood.
FALLBACKS: dict[str, str] = {"cancel": "cancel", "help": "help", "back": "Back", "menu": "menu"}

# Thai words the catalog once had for a command: people learned them, so they keep working.
FORMER_WORDS: dict[str, tuple[str, ...]] = {
    "help": ("ช่วยเหลือ",),
    "reassign": ("โอนครัวเรือน",),
    "deactivate": ("ปิดการใช้งาน",),
    "invite code": ("รหัสเชิญ",),
}


@dataclass(frozen=True)
class Entry:
    """A typed command or menu text that starts (or re-enters) a dialog."""

    words: tuple[str, ...]  # message ids: the Thai word and the English id both work
    handler: EntryHandler
    argument: bool = False  # "reassign 12345678901": the word may be followed by an argument
    pattern: re.Pattern[str] | None = None  # matched against the folded text instead of words
    anywhere: bool = False  # works inside any other dialog too (register)

    def match(self, command: str) -> str | None:
        """The argument when the folded text is this entry ("" for none), else None."""
        if self.pattern is not None:
            found = self.pattern.match(command)
            return found[1] if found else None
        return argument_of(command, self.words, self.argument)


@dataclass(frozen=True)
class Dialog:
    """One dialog: how it is entered, what it answers while the user is in it, its buttons."""

    name: str  # stored in conversations.dialog; a dialog without `answer` is never stored
    entries: tuple[Entry, ...] = ()
    answer: AnswerHandler | None = None
    fallbacks: Mapping[str, FallbackHandler] = field(default_factory=dict)
    on_message: MessageHandler | None = None
    routes: Mapping[str, PostbackHandler] = field(default_factory=dict)
    members_only: bool = True  # entries and buttons for active registered people only


def argument_of(command: str, words: tuple[str, ...], with_argument: bool = True) -> str | None:
    """What follows one of the words in a folded text ("" when nothing does), else None."""
    for message_id in words:
        for word in _spellings(message_id, translations()):
            if command == word:
                return ""
            if with_argument and command.startswith(word + " "):
                return command[len(word) + 1 :]
    return None


@functools.cache
def _spellings(message_id: str, catalog: GNUTranslations) -> tuple[str, ...]:
    """The folded words a command is known by in a catalog: its Thai, its English id, its former words.

    Every typed text is compared with every command of the dialogs: folding and translating
    their words each time cost a survey step several per cent. (The catalog is a key, so a
    catalog read again is never answered from the old one.)
    """
    return (fold(_(message_id)), fold(message_id), *FORMER_WORDS.get(message_id, ()))


def fallback_of(command: str) -> str | None:
    """Which fallback a folded text is (cancel, help, back, menu), if any."""
    return next((name for name, message_id in FALLBACKS.items() if argument_of(command, (message_id,), False) is not None), None)
