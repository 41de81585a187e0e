"""The Telegram Bot API reference, as a checker of the calls the bot makes.

The machine-readable spec sits beside the project (../shared/reference) only in the developers'
workplace and CI; a user's clone lacks it. Without it, check_call still applies the rules that need
no spec (text and caption limits, HTML, inline keyboards) and tests that need the spec skip."""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.domain.html import utf16_len

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "reference" / "telegram-bot-api-10.1.json"

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX_BYTES = 64
# Not in the Bot API reference, but enforced by Telegram (tginfo/Telegram-Limits): more inline buttons in one
# message, or more in one row, and the whole message is refused with "reply markup is too long".
INLINE_BUTTONS_MAX = 100
INLINE_ROW_MAX = 8

# Telegram's HTML: these tags only, and only these named entities (numeric ones are all accepted).
HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
    "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Fields of an inline button that are not its action ("exactly one of the other fields must be used").
INLINE_BUTTON_NON_ACTIONS = {"text", "icon_custom_emoji_id", "style"}
TEXT_METHODS = {"sendmessage", "editmessagetext"}  # lower-cased: their text is required and 1-4096 characters


def spec_available() -> bool:
    return SPEC_PATH.is_file()


def require_spec() -> None:
    if not spec_available():
        pytest.skip(
            f"the Bot API spec at ../shared/reference is absent ({SPEC_PATH} not found; it sits beside "
            "the project only in the developers' workplace and CI)"
        )


@functools.cache
def load_spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@functools.cache
def _methods_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in load_spec()["methods"]}


def canonical_method(name: str) -> str | None:
    """The spec's spelling of a method name (Telegram matches them case-insensitively), or None."""
    return _methods_by_lower_name().get(name.lower())


def method_fields(method: str) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in load_spec()["methods"][method].get("fields", [])}


def type_fields(type_name: str) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in load_spec()["types"].get(type_name, {}).get("fields", [])}


class HtmlError(ValueError):
    """The text is not HTML that Telegram accepts; the message is Telegram's wording where known."""


_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);")
_ATTRIBUTE = re.compile(r"""\s*([A-Za-z-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


def html_visible_text(text: str) -> str:
    """The text a reader sees for parse_mode=HTML; raises HtmlError where Telegram would refuse it.

    Stricter than Telegram on one point: the documentation requires every <, > and & that is not part
    of a tag or entity to be escaped, and Telegram tolerates a stray & or >; we hold the bot to the
    documented rule, since a stray < is refused and the same unescaped source produces all three."""
    out: list[str] = []
    stack: list[str] = []
    i = 0

    def offset(at: int) -> int:  # Telegram reports UTF-8 byte offsets
        return len(text[:at].encode())

    while i < len(text):
        ch = text[i]
        if ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise HtmlError(f'unescaped "&" at byte offset {offset(i)}: write &amp;')
            name = m.group(1)
            if name.startswith("#"):
                code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
                out.append(chr(code) if 0 < code < 0x110000 else "\ufffd")
            elif name in NAMED_ENTITIES:
                out.append(NAMED_ENTITIES[name])
            else:
                raise HtmlError(f'unsupported HTML entity "&{name};" at byte offset {offset(i)}')
            i = m.end()
        elif ch == ">":
            raise HtmlError(f'unescaped ">" at byte offset {offset(i)}: write &gt;')
        elif ch != "<":
            out.append(ch)
            i += 1
        elif text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                raise HtmlError(f"Unclosed end tag at byte offset {offset(i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {offset(i)}")
            if name != stack[-1]:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {offset(i)}, expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
            i = end + 1
        else:
            m = re.compile(r"<([^\s>]*)").match(text, i)
            name = m.group(1).lower()
            if m.end() >= len(text):
                raise HtmlError(f"Unclosed start tag at byte offset {offset(i)}")
            if name not in HTML_TAGS:
                raise HtmlError(f'Unsupported start tag "{name}" at byte offset {offset(i)}')
            attributes, j = {}, m.end()
            while True:
                while j < len(text) and text[j].isspace():
                    j += 1
                if j >= len(text):
                    raise HtmlError(f"Unclosed start tag at byte offset {offset(i)}")
                if text[j] == ">":
                    break
                a = _ATTRIBUTE.match(text, j)
                if not a or a.end() == j:
                    raise HtmlError(f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                                    f"at byte offset {offset(j)}")
                value = a.group(2) or ""
                attributes[a.group(1).lower()] = html.unescape(value.strip("\"'"))
                j = a.end()
            if name == "span" and attributes.get("class") != "tg-spoiler":
                raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset(i)}')
            if name == "tg-emoji" and not attributes.get("emoji-id"):
                raise HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset(i)}')
            stack.append(name)
            i = j + 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What the reader sees; raises HtmlError for bad HTML. Markdown is counted as written."""
    if parse_mode and parse_mode.lower() == "html":
        return html_visible_text(text)
    return text


def as_json(value: Any) -> Any:
    """Nested objects arrive as JSON strings in form and multipart bodies."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _check_text(field: str, params: dict[str, Any], limit: int, *, allow_empty: bool) -> list[str]:
    label = "message text" if field == "text" else "message caption"
    if field not in params:
        return [] if allow_empty else [f"{label} is empty"]
    parse_mode = params.get("parse_mode")
    if parse_mode is not None and str(parse_mode).lower() not in {"html", "markdown", "markdownv2"}:
        return [f"unsupported parse_mode {parse_mode!r}"]
    try:
        seen = visible_text(str(params[field]), parse_mode)
    except HtmlError as exc:
        return [f"can't parse entities: {exc}"]
    if not seen.strip() and not allow_empty:
        return [f"{label} is empty"]
    # Telegram counts its limits as it counts entity offsets, in UTF-16 code units: an emoji such as 📋 is two.
    if utf16_len(seen) > limit:
        return [f"{label} is too long ({utf16_len(seen)} UTF-16 units after entities parsing, at most {limit})"]
    return []


def _check_markup(markup: Any) -> list[str]:
    markup = as_json(markup)
    if not isinstance(markup, dict):
        return ["can't parse reply keyboard markup JSON object"]
    problems: list[str] = []
    inline_fields = type_fields("InlineKeyboardButton") if spec_available() else {}
    reply_fields = type_fields("KeyboardButton") if spec_available() else {}
    for key, fields in (("inline_keyboard", inline_fields), ("keyboard", reply_fields)):
        if key not in markup:
            continue
        rows = markup[key]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            problems.append(f"field \"{key}\" of the reply markup must be an Array of Arrays")
            continue
        if key == "inline_keyboard":
            count = sum(len(r) for r in rows)
            if count > INLINE_BUTTONS_MAX or any(len(r) > INLINE_ROW_MAX for r in rows):
                problems.append(f"reply markup is too long ({count} inline buttons, widest row "
                                f"{max(map(len, rows), default=0)}; at most {INLINE_BUTTONS_MAX} and {INLINE_ROW_MAX} a row)")
        for button in (b for row in rows for b in row):
            if key == "keyboard" and isinstance(button, str):
                continue  # a reply button may be given as its bare text
            if not isinstance(button, dict) or not button.get("text"):
                problems.append(f"can't parse keyboard button: text is empty in {button!r}")
                continue
            unknown = sorted(set(button) - set(fields)) if fields else []
            if unknown:
                problems.append(f"unknown field(s) {unknown} in keyboard button {button['text']!r}")
            if key != "inline_keyboard":
                continue
            actions = set(button) - INLINE_BUTTON_NON_ACTIONS
            if not actions:
                problems.append(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    f" (button {button['text']!r} has no action)"
                )
            elif len(actions) > 1:
                problems.append(f"can't parse inline keyboard button: {button['text']!r} has several actions "
                                f"{sorted(actions)}")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode())
                if not 1 <= size <= CALLBACK_DATA_MAX_BYTES:
                    problems.append(f"BUTTON_DATA_INVALID: callback_data of {button['text']!r} is {size} bytes "
                                    f"(1-{CALLBACK_DATA_MAX_BYTES} allowed)")
    return problems


def check_call(method: str, params: dict[str, Any]) -> list[str]:
    """Problems that make Telegram refuse (or that the spec forbids) in a call; empty when fine.

    The first problem is worded as Telegram words its 400 description where that is known."""
    problems: list[str] = []
    if spec_available():
        name = canonical_method(method)
        if name is None:
            return [f"method {method!r} does not exist in the Bot API"]
        method, fields = name, method_fields(name)
        for field in fields.values():
            if field["required"] and field["name"] not in params and not (
                field["name"] == "text" and method.lower() in TEXT_METHODS  # reported below, as Telegram words it
            ):
                problems.append(f"required parameter {field['name']!r} of {method} is missing")
        problems += [f"unknown parameter {key!r} of {method}" for key in params if key not in fields]
    if method.lower() in TEXT_METHODS:
        problems[:0] = _check_text("text", params, TEXT_MAX, allow_empty=False)
    elif "caption" in params:
        problems[:0] = _check_text("caption", params, CAPTION_MAX, allow_empty=True)
    media = as_json(params.get("media"))
    for item in media if isinstance(media, list) else [media] if isinstance(media, dict) else []:
        if isinstance(item, dict) and "caption" in item:
            problems += _check_text("caption", item, CAPTION_MAX, allow_empty=True)
    if "reply_markup" in params:
        problems += _check_markup(params["reply_markup"])
    return problems
