"""A Mermaid state diagram of a form's dialog, generated from the engine's machine.

    python -m bot.dialogs.diagram        # rewrite <form>.mmd beside each form (bot/forms/)
"""

from __future__ import annotations

from bot.dialogs.engine import FINAL, Engine
from bot.dialogs.form import Form, forms
from bot.resources import forms_dir


def mermaid(engine: Engine) -> str:
    """The dialog as a Mermaid stateDiagram, read from the machine itself: its moves and their conditions."""
    lines = ["stateDiagram-v2", f"    %% generated from {engine.form.id} version {engine.form.version} by bot/dialogs/diagram.py; do not edit", f"    [*] --> {_id(engine.states[0])}"]
    for trigger, event in engine.machine.events.items():
        sources = [source for source, moves in event.transitions.items() if moves]
        if len(sources) > 3 and len({t.dest for source in sources for t in event.transitions[source]}) == 1:
            # One move from every question (cancel): a note, not an arrow per question.
            lines.append(f"    note right of {_id(event.transitions[sources[0]][0].dest)}: {trigger} from any question")
            continue
        for source in sources:
            for move in event.transitions[source]:
                guard = [str(c.func) if c.target else f"not {c.func}" for c in move.conditions]
                lines.append(f"    {_id(source)} --> {_id(move.dest)}: {trigger}" + (f" [{', '.join(guard)}]" if guard else ""))
    for final in FINAL:
        lines.append(f"    {final} --> [*]")
    return "\n".join(lines) + "\n"


def _id(state: str) -> str:
    """A Mermaid-safe state id (no dots)."""
    return state.replace(".", "_")


def diagram_path(form: Form):  # type: ignore[no-untyped-def]
    """Where a form's diagram lives: beside the form file."""
    return forms_dir() / f"{form.id}-v{form.version}.mmd"


def main() -> None:
    """Regenerate every form's diagram."""
    for form in forms().values():
        diagram_path(form).write_text(mermaid(Engine(form)), encoding="utf-8")
        print(f"wrote {diagram_path(form)}")


if __name__ == "__main__":
    main()
