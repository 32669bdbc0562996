"""Contract checks for what the bot sends to LINE and what tests pretend LINE sends.

Requests are matched against LINE's official OpenAPI specs (``messaging-api.yml``,
``webhook.yml``), with ``discriminator`` polymorphism implemented here because plain
JSON Schema has no such keyword. On top of the schemas, documented limits that the
specs do not encode (label lengths, Flex sizes, datetime formats, rich menu sizes...)
are enforced. Every violation names the JSON path it was found at.

The specs live in ``../shared/line-openapi`` beside the repository root, or in
``$LINE_OPENAPI_DIR``. Where they are absent, schema checks are skipped
(``SPECS_AVAILABLE`` is False) and only the documented limits are checked.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SPEC_DIR = Path(
    os.environ.get("LINE_OPENAPI_DIR")
    or Path(__file__).resolve().parents[3] / "shared" / "line-openapi"
)
MESSAGING_SPEC = SPEC_DIR / "messaging-api.yml"
WEBHOOK_SPEC = SPEC_DIR / "webhook.yml"
SPECS_AVAILABLE: bool = MESSAGING_SPEC.is_file() and WEBHOOK_SPEC.is_file()

_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
_REF_PREFIX = "#/components/schemas/"

# Documented limits (https://developers.line.biz/en/reference/messaging-api/).
MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_MEDIA_URL = 2000
MAX_ALT_TEXT = 1500
MAX_QUICK_REPLY_ITEMS = 13
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_BUBBLE_BYTES = 30 * 1024
MAX_CAROUSEL_BYTES = 50 * 1024
MAX_CAROUSEL_BUBBLES = 12
# Action label limits by where the action sits ("Specifications of the label").
LABEL_LIMITS = {
    "quickReply": 20,
    "template": 20,
    "imageCarousel": 12,
    "flex": 40,
    "richmenu": 20,
}
TEMPLATE_ACTION_LIMITS = {"buttons": 4, "confirm": 2}
MAX_TEMPLATE_COLUMNS = 10
MAX_CAROUSEL_COLUMN_ACTIONS = 3
RICH_MENU_WIDTH = 2500
RICH_MENU_HEIGHTS = (1686, 843)
MAX_RICH_MENU_AREAS = 20
MAX_CHAT_BAR_TEXT = 14
MAX_RICH_MENU_NAME = 300
RICH_MENU_REQUIRED = ("size", "selected", "name", "chatBarText", "areas")
# LINE's quick-reply docs exclude the rich menu switch action; it works only in rich menus.
QUICK_REPLY_ACTIONS = frozenset(
    {"postback", "message", "uri", "datetimepicker", "camera", "cameraRoll", "location", "clipboard"}
)
QUICK_REPLY_ONLY_ACTIONS = frozenset({"camera", "cameraRoll", "location"})
RICH_MENU_PATHS = {"/v2/bot/richmenu", "/v2/bot/richmenu/validate"}
DATETIME_FORMATS = {
    "date": (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d", "YYYY-MM-DD"),
    "time": (re.compile(r"\d{2}:\d{2}"), "%H:%M", "HH:mm"),
    "datetime": (re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}"), "%Y-%m-%dT%H:%M", "YYYY-MM-DDTHH:mm"),
}
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")


# ---------------------------------------------------------------- paths and messages


def _key(path: str, name: str) -> str:
    """Return the JSON path of property ``name`` under ``path``."""
    return f"{path}.{name}" if path else name


def _index(path: str, i: int) -> str:
    """Return the JSON path of item ``i`` of the array at ``path``."""
    return f"{path}[{i}]"


def _where(path: str) -> str:
    """Return a printable JSON path, naming the root explicitly."""
    return path or "(body)"


def _utf16_len(s: str) -> int:
    """Return the length of ``s`` in UTF-16 code units, as LINE counts characters."""
    return len(s.encode("utf-16-le")) // 2


def _too_long(path: str, n: int, limit: int) -> str:
    """Format a max-length violation (shared by schema and limit checks, so they dedupe)."""
    return f"{_where(path)}: length {n} > {limit}"


def _too_many(path: str, n: int, limit: int) -> str:
    """Format a max-items violation (shared by schema and limit checks, so they dedupe)."""
    return f"{_where(path)}: {n} items > {limit}"


def _missing(path: str, name: str) -> str:
    """Format a missing-required-property violation."""
    return f"{_key(path, name)}: missing required property"


def _json_type(value: Any) -> str:
    """Return the JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _dedupe(items: list[str]) -> list[str]:
    """Drop repeated violations, keeping first-seen order."""
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------- spec loading


class _Spec:
    """One OpenAPI document: its component schemas and its path templates."""

    def __init__(self, doc: dict, filename: str) -> None:
        """Index the document's schemas and compile its path templates."""
        self.filename = filename
        self.schemas: dict[str, dict] = doc.get("components", {}).get("schemas", {})
        routes = []
        for template, item in doc.get("paths", {}).items():
            ops = {m.upper(): op for m, op in item.items() if m in _HTTP_METHODS}
            pattern = re.compile(
                "".join(
                    "[^/]+" if part.startswith("{") else re.escape(part)
                    for part in re.split(r"(\{[^}]+\})", template)
                    if part
                )
            )
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            routes.append((literal, template, pattern, ops))
        # Literal paths such as /v2/bot/richmenu/list win over /v2/bot/richmenu/{richMenuId}.
        routes.sort(key=lambda r: -r[0])
        self.routes = [(template, pattern, ops) for _, template, pattern, ops in routes]

    def match(self, path: str) -> tuple[str, dict] | None:
        """Return the path template and its operations for a concrete URL path."""
        for template, pattern, ops in self.routes:
            if pattern.fullmatch(path):
                return template, ops
        return None

    def resolve(self, ref: str) -> tuple[str, dict]:
        """Return the name and schema a local ``$ref`` points to."""
        if not ref.startswith(_REF_PREFIX):
            raise ValueError(f"{self.filename}: unsupported $ref {ref!r}")
        name = ref[len(_REF_PREFIX):]
        return name, self.schemas[name]


@lru_cache(maxsize=None)
def _load(filename: str) -> _Spec | None:
    """Load and index one spec file once per process; None when specs are absent."""
    if not SPECS_AVAILABLE:
        return None
    import yaml  # Only needed when the specs are there.

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(SPEC_DIR / filename, encoding="utf-8") as f:
        return _Spec(yaml.load(f, Loader=loader), filename)


# ---------------------------------------------------------------- schema validation


def _validate(
    spec: _Spec,
    value: Any,
    schema: dict,
    path: str,
    out: list[str],
    name: str | None = None,
    parent_of: str | None = None,
) -> None:
    """Validate ``value`` against an OpenAPI 3.0 schema, appending violations to ``out``."""
    # ``name`` is the component name of ``schema`` when reached through $ref; ``parent_of``
    # names the subclass whose allOf led here (see _discriminate).
    if "$ref" in schema:
        ref_name, target = spec.resolve(schema["$ref"])
        _validate(spec, value, target, path, out, ref_name, parent_of)
        return
    if value is None and schema.get("nullable"):
        return
    if "discriminator" in schema and isinstance(value, dict):
        if _discriminate(spec, value, schema, path, out, name, parent_of):
            return
    if not _check_type(value, schema, path, out):
        return
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{_where(path)}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        _check_string(value, schema, path, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{_where(path)}: {value} < minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{_where(path)}: {value} > maximum {schema['maximum']}")
    elif isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(_too_many(path, len(value), schema["maxItems"]))
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(f"{_where(path)}: {len(value)} items < {schema['minItems']}")
        if "items" in schema:
            for i, item in enumerate(value):
                _validate(spec, item, schema["items"], _index(path, i), out)
    elif isinstance(value, dict):
        _check_object(spec, value, schema, path, out)

    for sub in schema.get("allOf", ()):
        # A subclass allOf's its parent: validate the parent's part without dispatching.
        _validate(spec, value, sub, path, out, parent_of=name if "$ref" in sub else None)
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            _check_alternatives(spec, value, schema[keyword], keyword, path, out)


def _discriminate(
    spec: _Spec, value: dict, schema: dict, path: str, out: list[str], name: str | None, parent_of: str | None
) -> bool:
    """Apply a discriminator; return True when validation of ``value`` is finished."""
    disc = schema["discriminator"]
    prop = disc["propertyName"]
    mapping = {tag: ref[len(_REF_PREFIX):] for tag, ref in disc.get("mapping", {}).items()}
    tag = value.get(prop)
    if parent_of is not None:
        # Reached from a subclass's allOf: dispatching again would recurse forever, so only
        # check the tag names that subclass (catches a FlexText where a FlexSpan belongs).
        expected = sorted(t for t, target in mapping.items() if target == parent_of)
        if expected and tag not in expected:
            wanted = " or ".join(map(repr, expected))
            out.append(f"{_key(path, prop)}: {tag!r} is not a {parent_of} (expected {wanted})")
        return False
    if prop not in value:
        out.append(_missing(path, prop))
        return False  # Still check the common properties.
    if not isinstance(tag, str) or tag not in mapping:
        kinds = ", ".join(sorted(mapping))
        out.append(f"{_key(path, prop)}: unknown {name or 'object'} type {tag!r} (expected one of: {kinds})")
        return True
    _validate(spec, value, spec.schemas[mapping[tag]], path, out, mapping[tag])
    return True


def _check_type(value: Any, schema: dict, path: str, out: list[str]) -> bool:
    """Check the ``type`` keyword; return False (after reporting) on a mismatch."""
    expected = schema.get("type")
    if expected is None:
        return True
    actual = _json_type(value)
    ok = actual == expected or (expected == "number" and actual == "integer")
    if not ok:
        out.append(f"{_where(path)}: expected {expected}, got {actual}")
    return ok


def _check_string(value: str, schema: dict, path: str, out: list[str]) -> None:
    """Check string length (UTF-16 units), pattern and a loose ``uri`` format."""
    n = _utf16_len(value)
    if "maxLength" in schema and n > schema["maxLength"]:
        out.append(_too_long(path, n, schema["maxLength"]))
    if "minLength" in schema and n < schema["minLength"]:
        out.append(f"{_where(path)}: length {n} < {schema['minLength']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        out.append(f"{_where(path)}: {value!r} does not match {schema['pattern']!r}")
    if schema.get("format") == "uri" and not _URI.fullmatch(value):
        out.append(f"{_where(path)}: {value!r} is not a URI")


def _check_object(spec: _Spec, value: dict, schema: dict, path: str, out: list[str]) -> None:
    """Check ``required``, ``properties`` and ``additionalProperties`` of an object."""
    for prop in schema.get("required", ()):
        if prop not in value:
            out.append(_missing(path, prop))
    props = schema.get("properties", {})
    for prop, sub in props.items():
        if prop in value:
            _validate(spec, value[prop], sub, _key(path, prop), out)
    extra = schema.get("additionalProperties", True)
    if extra is True:
        return  # LINE ignores unknown properties.
    for prop in sorted(value.keys() - props.keys()):
        if extra is False:
            out.append(f"{_key(path, prop)}: unknown property")
        else:
            _validate(spec, value[prop], extra, _key(path, prop), out)


def _check_alternatives(spec: _Spec, value: Any, subs: list, keyword: str, path: str, out: list[str]) -> None:
    """Check ``anyOf`` (at least one branch) or ``oneOf`` (exactly one branch)."""
    passing = 0
    for sub in subs:
        errors: list[str] = []
        _validate(spec, value, sub, path, errors)
        passing += not errors
    if passing == 0 or (keyword == "oneOf" and passing > 1):
        out.append(f"{_where(path)}: matches {passing} of the {keyword} alternatives")


# ---------------------------------------------------------------- documented limits


def _check_len(obj: dict, prop: str, limit: int, path: str, out: list[str]) -> None:
    """Check that string property ``prop`` of ``obj`` is at most ``limit`` characters."""
    value = obj.get(prop)
    if isinstance(value, str) and _utf16_len(value) > limit:
        out.append(_too_long(_key(path, prop), _utf16_len(value), limit))


def _check_count(obj: dict, prop: str, limit: int, path: str, out: list[str]) -> None:
    """Check that array property ``prop`` of ``obj`` has at most ``limit`` items."""
    value = obj.get(prop)
    if isinstance(value, list) and len(value) > limit:
        out.append(_too_many(_key(path, prop), len(value), limit))


def _check_action(action: Any, path: str, where: str, out: list[str]) -> None:
    """Check an action object against the limits of the place it sits (``LABEL_LIMITS`` key)."""
    if not isinstance(action, dict):
        return
    kind = action.get("type")
    if kind in QUICK_REPLY_ONLY_ACTIONS and where != "quickReply":
        out.append(f"{_key(path, 'type')}: {kind!r} action is only allowed in quick reply")
    if kind == "richmenuswitch" and where not in ("richmenu", "quickReply"):  # Quick reply reports it itself.
        out.append(f"{_key(path, 'type')}: 'richmenuswitch' action is only allowed in rich menus")
    _check_len(action, "label", LABEL_LIMITS[where], path, out)
    if kind in ("postback", "datetimepicker", "richmenuswitch"):
        _check_len(action, "data", MAX_POSTBACK_DATA, path, out)
    if kind == "postback":
        _check_len(action, "displayText", MAX_DISPLAY_TEXT, path, out)
    if kind == "datetimepicker":
        _check_datetimepicker(action, path, out)


def _check_datetimepicker(action: dict, path: str, out: list[str]) -> None:
    """Check a datetime picker's mode and its initial/max/min formats and order."""
    mode = action.get("mode")
    if mode not in DATETIME_FORMATS:
        out.append(f"{_key(path, 'mode')}: {mode!r} is not one of {sorted(DATETIME_FORMATS)}")
        return
    regex, fmt, shown = DATETIME_FORMATS[mode]
    parsed = {}
    for prop in ("initial", "max", "min"):
        value = action.get(prop)
        if value is None:
            continue
        try:
            if not isinstance(value, str) or not regex.fullmatch(value):
                raise ValueError
            parsed[prop] = datetime.strptime(value.replace("t", "T"), fmt)
        except ValueError:
            out.append(f"{_key(path, prop)}: {value!r} is not a valid {mode} ({shown})")
    low, high, initial = parsed.get("min"), parsed.get("max"), parsed.get("initial")
    if low and high and low >= high:
        out.append(f"{_key(path, 'min')}: must be earlier than max")
    if initial and ((low and initial < low) or (high and initial > high)):
        out.append(f"{_key(path, 'initial')}: must be between min and max")


def _check_quick_reply(quick: Any, path: str, out: list[str]) -> None:
    """Check a quick reply: item count, item type, allowed action types, labels."""
    if not isinstance(quick, dict):
        return
    _check_count(quick, "items", MAX_QUICK_REPLY_ITEMS, path, out)
    items = quick.get("items")
    for i, item in enumerate(items if isinstance(items, list) else ()):
        item_path = _index(_key(path, "items"), i)
        if not isinstance(item, dict):
            continue
        if item.get("type") != "action":
            out.append(f"{_key(item_path, 'type')}: must be 'action', got {item.get('type')!r}")
        action = item.get("action")
        action_path = _key(item_path, "action")
        if not isinstance(action, dict):
            out.append(_missing(item_path, "action"))
            continue
        if action.get("type") not in QUICK_REPLY_ACTIONS:
            allowed = ", ".join(sorted(QUICK_REPLY_ACTIONS))
            kind = action.get("type")
            out.append(f"{_key(action_path, 'type')}: {kind!r} is not allowed in quick reply (allowed: {allowed})")
        _check_action(action, action_path, "quickReply", out)


def _check_template(template: Any, path: str, out: list[str]) -> None:
    """Check a template's action counts, column counts and action labels."""
    if not isinstance(template, dict):
        return
    kind = template.get("type")
    if kind in TEMPLATE_ACTION_LIMITS:
        _check_count(template, "actions", TEMPLATE_ACTION_LIMITS[kind], path, out)
    owners = [(template, path)]
    if kind in ("carousel", "image_carousel"):
        _check_count(template, "columns", MAX_TEMPLATE_COLUMNS, path, out)
        columns = template.get("columns")
        owners = [
            (column, _index(_key(path, "columns"), i))
            for i, column in enumerate(columns if isinstance(columns, list) else ())
            if isinstance(column, dict)
        ]
    where = "imageCarousel" if kind == "image_carousel" else "template"
    for owner, owner_path in owners:
        if kind == "carousel":
            _check_count(owner, "actions", MAX_CAROUSEL_COLUMN_ACTIONS, owner_path, out)
        actions = owner.get("actions")
        for i, action in enumerate(actions if isinstance(actions, list) else ()):
            _check_action(action, _index(_key(owner_path, "actions"), i), where, out)
        for prop in ("action", "defaultAction"):
            if prop in owner:
                _check_action(owner[prop], _key(owner_path, prop), where, out)


def _serialized_size(obj: Any) -> int:
    """Return the UTF-8 size of ``obj`` as JSON, the way Flex size limits are measured."""
    return len(json.dumps(obj, ensure_ascii=False).encode("utf-8"))


def _check_flex(container: Any, path: str, out: list[str]) -> None:
    """Check Flex bubble/carousel sizes and counts and every action inside."""
    if not isinstance(container, dict):
        return
    if container.get("type") == "carousel":
        _check_count(container, "contents", MAX_CAROUSEL_BUBBLES, path, out)
        size = _serialized_size(container)
        if size > MAX_CAROUSEL_BYTES:
            out.append(f"{_where(path)}: flex carousel is {size} bytes > {MAX_CAROUSEL_BYTES}")
        bubbles = container.get("contents")
        for i, bubble in enumerate(bubbles if isinstance(bubbles, list) else ()):
            _check_bubble_size(bubble, _index(_key(path, "contents"), i), out)
    else:
        _check_bubble_size(container, path, out)
    _walk_flex_actions(container, path, out)


def _check_bubble_size(bubble: Any, path: str, out: list[str]) -> None:
    """Check that one Flex bubble serializes to at most 30 KB."""
    size = _serialized_size(bubble)
    if size > MAX_BUBBLE_BYTES:
        out.append(f"{_where(path)}: flex bubble is {size} bytes > {MAX_BUBBLE_BYTES}")


def _walk_flex_actions(node: Any, path: str, out: list[str]) -> None:
    """Check every ``action`` found anywhere inside a Flex container."""
    if isinstance(node, dict):
        for prop, value in node.items():
            if prop == "action":
                _check_action(value, _key(path, prop), "flex", out)
            else:
                _walk_flex_actions(value, _key(path, prop), out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_flex_actions(value, _index(path, i), out)


def _check_message(message: Any, path: str, out: list[str]) -> None:
    """Check one message object against the documented limits."""
    if not isinstance(message, dict):
        return
    kind = message.get("type")
    if kind in ("text", "textV2"):
        _check_len(message, "text", MAX_TEXT, path, out)
    if kind in ("template", "flex", "imagemap"):
        _check_len(message, "altText", MAX_ALT_TEXT, path, out)
    if kind == "template":
        _check_template(message.get("template"), _key(path, "template"), out)
    if kind == "flex":
        _check_flex(message.get("contents"), _key(path, "contents"), out)
    if kind in ("image", "video"):
        # "Protocol: HTTPS (TLS 1.2 or later)", "Max character limit: 2000".
        for prop in ("originalContentUrl", "previewImageUrl"):
            url = message.get(prop)
            if isinstance(url, str) and not url.startswith("https://"):
                out.append(f"{_key(path, prop)}: LINE fetches media only over https")
            _check_len(message, prop, MAX_MEDIA_URL, path, out)
    if "quickReply" in message:
        _check_quick_reply(message["quickReply"], _key(path, "quickReply"), out)


def _check_rich_menu(body: dict, out: list[str]) -> None:
    """Check a rich menu object: required fields, size, areas, texts, actions."""
    for prop in RICH_MENU_REQUIRED:
        if prop not in body:
            out.append(_missing("", prop))
    size = body.get("size")
    if isinstance(size, dict):
        width, height = size.get("width"), size.get("height")
        if width != RICH_MENU_WIDTH or height not in RICH_MENU_HEIGHTS:
            allowed = " or ".join(f"{RICH_MENU_WIDTH}x{h}" for h in RICH_MENU_HEIGHTS)
            out.append(f"size: {width}x{height} is not {allowed}")
    _check_count(body, "areas", MAX_RICH_MENU_AREAS, "", out)
    _check_len(body, "chatBarText", MAX_CHAT_BAR_TEXT, "", out)
    _check_len(body, "name", MAX_RICH_MENU_NAME, "", out)
    areas = body.get("areas")
    for i, area in enumerate(areas if isinstance(areas, list) else ()):
        if isinstance(area, dict) and "action" in area:
            _check_action(area["action"], _key(_index("areas", i), "action"), "richmenu", out)


def _check_limits(method: str, path: str, body: Any) -> list[str]:
    """Check a request body against the documented limits the specs do not encode."""
    out: list[str] = []
    if not isinstance(body, dict):
        return out
    messages = body.get("messages")
    if isinstance(messages, list):
        _check_count(body, "messages", MAX_MESSAGES, "", out)
        for i, message in enumerate(messages):
            _check_message(message, _index("messages", i), out)
    if method == "POST" and path in RICH_MENU_PATHS:
        _check_rich_menu(body, out)
    return out


# ---------------------------------------------------------------- public API


def _normalize_path(path: str) -> str:
    """Reduce a URL or a path with a query string to the bare URL path."""
    return urlsplit(path).path or "/"


def _check_operation(spec: _Spec, method: str, path: str, body: Any) -> list[str]:
    """Check the path and method exist in the spec and the body fits the operation."""
    found = spec.match(path)
    if found is None:
        return [f"{method} {path}: no such path in {spec.filename}"]
    template, ops = found
    op = ops.get(method)
    if op is None:
        return [f"{method} {path}: method not allowed for {template} (spec has {', '.join(sorted(ops))})"]
    request_body = op.get("requestBody")
    if request_body is None:
        if body not in (None, {}):
            return [f"{method} {path}: {template} takes no request body"]
        return []
    content = request_body.get("content", {})
    if "application/json" not in content:
        if isinstance(body, (dict, list)):
            return [f"{method} {path}: {template} takes a binary body ({', '.join(content)}), not JSON"]
        return []
    if body is None:
        return [f"{method} {path}: missing JSON request body"] if request_body.get("required") else []
    out: list[str] = []
    _validate(spec, body, content["application/json"]["schema"], "", out)
    return out


def check_request(method: str, path: str, body: dict | None) -> list[str]:
    """Return every violation in one request to the Messaging API (empty means OK)."""
    method = method.upper()
    path = _normalize_path(path)
    out: list[str] = []
    spec = _load(MESSAGING_SPEC.name)
    if spec is not None:
        out += _check_operation(spec, method, path, body)
    out += _check_limits(method, path, body)
    return _dedupe(out)


def check_webhook_body(body: dict) -> list[str]:
    """Return every violation of a webhook body against ``CallbackRequest`` (empty means OK)."""
    spec = _load(WEBHOOK_SPEC.name)
    if spec is None:
        return []
    out: list[str] = []
    _validate(spec, body, spec.schemas["CallbackRequest"], "", out, "CallbackRequest")
    return _dedupe(out)


def assert_valid_request(method: str, path: str, body: dict | None) -> None:
    """Raise AssertionError listing every violation in one Messaging API request."""
    violations = check_request(method, path, body)
    if violations:
        raise AssertionError(f"{method.upper()} {path} breaks the LINE contract:\n  " + "\n  ".join(violations))


def assert_valid_webhook(body: dict) -> None:
    """Raise AssertionError listing every violation in a webhook body."""
    violations = check_webhook_body(body)
    if violations:
        raise AssertionError("webhook body breaks the LINE contract:\n  " + "\n  ".join(violations))
