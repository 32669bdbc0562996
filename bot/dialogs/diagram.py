"""A Mermaid state diagram of a form's dialog, generated from the engine's machine.

    python -m bot.dialogs.diagram        # rewrite <form>.mmd beside each form (bot/forms/)
"""

from __future__ import annotations

from bot.resources import forms_dir
from bot.dialogs.engine import CANCELLED, REFUSED, SUBMITTED, Engine
from bot.dialogs.form import Form, forms


def mermaid(engine: Engine) -> str:
    """The dialog as a Mermaid stateDiagram (states, moves and their conditions)."""
    lines = ["stateDiagram-v2", f"    %% generated from {engine.form.id} version {engine.form.version} by bot/dialogs/diagram.py; do not edit", f"    [*] --> {_id(engine.states[0])}"]
    for transition in engine.transitions:
        sources = transition["source"] if isinstance(transition["source"], list) else [transition["source"]]
        guard = [str(c) for c in transition.get("conditions", [])] + [f"not {c}" for c in transition.get("unless", [])]
        label = transition["trigger"] + (f" [{', '.join(guard)}]" if guard else "")
        if len(sources) > 3:
            lines.append(f"    note right of {_id(transition['dest'])}: {label} from any question")
            continue
        for source in sources:
            lines.append(f"    {_id(source)} --> {_id(transition['dest'])}: {label}")
    for final in (SUBMITTED, REFUSED, CANCELLED):
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
