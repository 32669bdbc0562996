"""Hypothesis strategies for webhook bodies read from LINE's OpenAPI description, and hostile mutations."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.support import webhooks

# A few users, so that events of one body and of successive examples meet in one chat.
USERS = [webhooks.new_user_id() for _ in range(3)]
# Postback data the bot makes, and forgeries of it.
POSTBACKS = ["do=reg", "do=help", "do=s&h=1&a=ans&v=1", "do=s&h=²", "do=s&h=" + "9" * 30, "do=sup.off&p=" + "9" * 30, "do=sup.move.to&h=x&p=", "do=&&=", "%00", "do=s&h=-1"]
TEXTS = ["ลงทะเบียน", "ช่วยเหลือ", "ทำต่อ", "ยกเลิก", "สำรวจ", "12/3", "a\x00b", "\ud800", "๑๒๓", "9" * 40, ""]
HOSTILE = [
    None, 0, -1, 10**30, 1.5, True, "", "\x00", "²", "x" * 300, "A" * 65, [], {}, "\ud800", "\n\r%s{}",
    {"type": "user", "userId": 5}, {"type": "user"}, "deep",
]
# Nested past any real event (json itself refuses far deeper bodies).
HOSTILE[-1] = __import__("functools").reduce(lambda inner, _: [inner], range(60), "deep")


class WebhookSchema:
    """The schemas of webhook.yml as strategies: $ref, allOf and discriminators followed."""

    def __init__(self, path: Path):
        self.schemas: dict[str, Any] = yaml.safe_load(path.read_text())["components"]["schemas"]
        self._cache: dict[str, st.SearchStrategy[Any]] = {}

    def event(self) -> st.SearchStrategy[dict[str, Any]]:
        """Any event LINE describes, with ids and texts the bot can act on."""
        return self.named("Event")

    def named(self, name: str) -> st.SearchStrategy[Any]:
        """The strategy of a named schema (a discriminated parent: one of its children)."""
        if name not in self._cache:
            self._cache[name] = st.deferred(lambda: self._build_named(name))
        return self._cache[name]

    def _build_named(self, name: str) -> st.SearchStrategy[Any]:
        schema = self.schemas[name]
        mapping = (schema.get("discriminator") or {}).get("mapping")
        if mapping:
            key = schema["discriminator"]["propertyName"]
            return st.one_of([self._object(_ref_name(ref), {key: st.just(value)}) for value, ref in mapping.items()])
        return self.of(schema, name)

    def of(self, schema: dict[str, Any], name: str = "") -> st.SearchStrategy[Any]:
        """The strategy of an inline schema."""
        if "$ref" in schema:
            return self.named(_ref_name(schema["$ref"]))
        if "allOf" in schema or schema.get("type") == "object" or "properties" in schema:
            return self._object(name, {}, schema)
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        kind = schema.get("type")
        if kind == "integer":
            return st.integers(-(2**63), 2**63 - 1)
        if kind == "number":
            return st.floats(allow_nan=False, allow_infinity=False)
        if kind == "boolean":
            return st.booleans()
        if kind == "array":
            return st.lists(self.of(schema.get("items", {})), max_size=2)
        return st.text(max_size=20)

    def _object(self, name: str, fixed: dict[str, st.SearchStrategy[Any]], schema: dict[str, Any] | None = None) -> st.SearchStrategy[dict]:
        """An object of a schema (merged over allOf), with `fixed` values; optional keys sometimes."""
        properties, required = self._fields(schema if schema is not None else self.schemas[name])
        strategies = {key: fixed[key] if key in fixed else _known(key) if key in KNOWN else self.of(spec, key) for key, spec in properties.items()}
        return st.fixed_dictionaries(
            {key: strategies[key] for key in properties if key in required or key in fixed or key in ALWAYS},
            optional={key: strategies[key] for key in properties if key not in required and key not in fixed and key not in ALWAYS},
        )

    def _fields(self, schema: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
        """Properties and required keys of a schema, through $ref and allOf (not discriminators)."""
        if "$ref" in schema:
            return self._fields(self.schemas[_ref_name(schema["$ref"])])
        properties = dict(schema.get("properties", {}))
        required = set(schema.get("required", []))
        for part in schema.get("allOf", []):
            more, needed = self._fields(part)
            properties.update(more)
            required |= needed
        return properties, required


# Keys the bot needs to act on an event: usually present, so handlers run (mutations remove them).
ALWAYS = {"webhookEventId", "source", "userId", "replyToken", "text", "data"}


def _known(key: str) -> st.SearchStrategy[Any]:
    """Realistic values for the keys the bot reads."""
    return KNOWN[key]()


KNOWN = {
    "webhookEventId": lambda: st.builds(webhooks.new_event_id),
    "userId": lambda: st.sampled_from(USERS),
    "replyToken": lambda: st.text("abcdef0123456789", min_size=8, max_size=32),
    "text": lambda: st.one_of(st.sampled_from(TEXTS), st.text(max_size=30)),
    "data": lambda: st.one_of(st.sampled_from(POSTBACKS), st.text(max_size=30)),
}


def _ref_name(ref: str) -> str:
    """The schema name of a local $ref."""
    return ref.rsplit("/", 1)[-1]


@st.composite
def mutated(draw: st.DrawFn, events: st.SearchStrategy[dict[str, Any]]) -> Any:
    """An event with up to three of its values (at any depth) replaced by hostile ones, or the event itself replaced."""
    event = draw(events)
    if draw(st.integers(0, 9)) == 0:
        return copy.deepcopy(draw(st.sampled_from(HOSTILE)))
    for _ in range(draw(st.integers(0, 3))):
        holder = event
        while True:
            children = [key for key, value in holder.items() if isinstance(value, dict)]
            if not children or draw(st.booleans()):
                break
            holder = holder[draw(st.sampled_from(sorted(children)))]
        keys = sorted(holder) + ["extra"]
        holder[draw(st.sampled_from(keys))] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
    return event
