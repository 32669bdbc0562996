"""What a handler gets: the event, the locked user row, the open transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.chat.effects import Effect
from bot.chat.incoming import Incoming
from bot.config import Config
from storage.models import Conversation, Household, LineUser, Person
from storage.people import person_and_conversation


@dataclass
class EventContext:
    """One webhook event being handled inside its own transaction."""

    session: Session
    user: LineUser
    event: Incoming
    now: datetime
    config: Config
    # What to change at LINE once the transaction has committed (never inside it).
    effects: list[Effect] = field(default_factory=list)
    _person: Person | None = field(default=None, init=False, repr=False)
    # The conversation row loaded with the person, held so that the session still has it when asked.
    _conversation: Conversation | None = field(default=None, init=False, repr=False)
    # Likewise the survey draft the conversation holds (storage.surveys.draft_in_hand finds it there).
    _draft: Household | None = field(default=None, init=False, repr=False)

    def person(self) -> Person | None:
        """The person registered with this LINE user (active or not), queried once per event.

        The conversation layer and the survey both need it for every typed answer. Only a found
        person is kept: registration may create one later in the same event. Its conversation row
        comes in the same statement (the dialog layer reads it next), and so does the survey draft
        it holds (the survey reads that next).
        """
        if self._person is None:
            self._person, self._conversation, self._draft = person_and_conversation(self.session, self.user.id)
        return self._person
