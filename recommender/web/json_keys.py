"""Repeated keys in a JSON body: orjson keeps the last value of a repeated key without a word.

A quiz body naming `interests` twice is two answers to one question, and the form refuses the same
("Choose one answer."), so the API names such a key instead of ranking whichever came last. The
check is cheap (about 1 us): every string token of a body is a key or a string value of the object parsed from
it unless a repeated key dropped one, so the two counts differ exactly when a key repeats.
"""

from __future__ import annotations

import json
import re
from typing import Any

STRING_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _strings_in(value: Any) -> int:
    count, stack = 0, [value]  # a loop, not recursion: orjson accepts 1,024 levels of nesting
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            count += 1
        elif isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def repeated_keys(body: bytes, data: dict[str, Any]) -> list[str] | None:
    """None when no key repeats anywhere in `body` (which orjson parsed as `data`); else the
    top-level keys that repeat, sorted (empty when only a nested object repeats one)."""
    # Without a backslash every string token has exactly its two quotes (a fifth of the regex's cost).
    tokens = body.count(b'"') // 2 if b"\\" not in body else len(STRING_TOKEN.findall(body))
    if tokens == _strings_in(data):
        return None
    try:  # only now, to name them: the standard library hands over every pair
        pairs = json.loads(body, object_pairs_hook=lambda items: items)
    except (ValueError, RecursionError):
        return []
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    return sorted(key[:40] for key, n in counts.items() if n > 1)
