"""The API answer as bytes, from pieces encoded once: each item's fixed fields are spliced in, not re-encoded.

A program's JSON holds about 25 fields; only seven depend on the answers (score, band, fit, its
misses and unknowns, reasons, general). Each program's other fields are encoded the first time it
is shown, by the API's own shaping (`program_to_api`) run on a match whose answer-dependent fields
hold markers; the bytes between the markers are kept and the request fills the gaps. The result is
byte for byte `orjson.dumps(to_api(...))` (tests hold it to that), including field order.

Fixed fields that depend on the date (a tuition's age) are encoded again when the academic year
turns. Pieces are kept per item object (each version has its own), so a new version gets its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from recommender.domain.catalog import sources
from recommender.ml.results import ProgramMatch, SpecializationMatch

MAX_ITEMS = 250_000  # pieces kept; far above any catalogue this serves, so never a slow path in use
_MARK = "\x00"

_pieces: dict[int, tuple[object, int, tuple[bytes, ...]]] = {}
_texts: dict[tuple[str, ...], bytes] = {}
# Encoded answers of recent recommendations, as many as the recommenders' caches keep (1,024 each).
MAX_BODIES = 2048
_bodies: dict[int, tuple[object, int, bytes]] = {}


def _marked(text: str) -> bytes:
    """How orjson writes a marker string, to find it in the encoded bytes."""
    return orjson.dumps(_MARK + text)


def _split(encoded: bytes, marks: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The bytes around each marker, in order (each marker appears exactly once)."""
    pieces, rest = [], encoded
    for mark in marks:
        before, found, rest = rest.partition(mark)
        if not found:
            raise ValueError(f"marker {mark!r} not found once in the encoded item")
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


def _cached(item: object, build: Callable[[], tuple[bytes, ...]], year: int) -> tuple[bytes, ...]:
    found = _pieces.get(id(item))
    # The entry holds the item itself, so its id cannot be reused by another object meanwhile.
    if found is not None and found[0] is item and found[1] == year:
        return found[2]
    if len(_pieces) > MAX_ITEMS:
        _pieces.clear()
    pieces = build()
    _pieces[id(item)] = (item, year, pieces)
    return pieces


# The answer-dependent fields of a program, in the order `program_to_api` writes them.
_PROGRAM_MARKS = (
    _marked("score"),
    _marked("band"),
    _marked("fit"),
    orjson.dumps([_MARK + "misses"]),
    orjson.dumps([_MARK + "unknowns"]),
    orjson.dumps([_MARK + "reasons"]),
    _marked("general"),
)


def strings_bytes(texts: tuple[str, ...]) -> bytes:
    """A tuple of sentences as a JSON list; kept by content (the same sentences recur across requests)."""
    found = _texts.get(texts)
    if found is None:
        if len(_texts) > MAX_ITEMS:
            _texts.clear()
        found = _texts[texts] = orjson.dumps(list(texts))
    return found


def program_pieces(m: ProgramMatch, shape: Callable[[ProgramMatch], dict[str, Any]]) -> tuple[bytes, ...]:
    """A program's fixed JSON around its seven answer-dependent fields (the caller keeps them)."""
    marked = m._replace(
        score=_MARK + "score",
        band=_MARK + "band",
        fit=_MARK + "fit",
        constraint_misses=(_MARK + "misses",),
        constraint_unknowns=(_MARK + "unknowns",),
        reasons=(_MARK + "reasons",),
        constraint_notes=(),
        general=_MARK + "general",
    )
    return _split(orjson.dumps(shape(marked)), _PROGRAM_MARKS)


_SPEC_MARKS = (_marked("score"), _marked("band"), orjson.dumps([_MARK + "reasons"]))


def specialization_pieces(
    m: SpecializationMatch, shape: Callable[[SpecializationMatch], dict[str, Any]]
) -> tuple[bytes, ...]:
    """A specialization's fixed JSON around its score, band and reasons (the caller keeps them)."""
    marked = m._replace(score=_MARK + "score", band=_MARK + "band", reasons=(_MARK + "reasons",))
    return _split(orjson.dumps(shape(marked)), _SPEC_MARKS)


def fixed_bytes(item: object, shape: Callable[[Any], dict[str, Any]], year: int) -> bytes:
    """An item whose API form depends on nothing but itself (a role), encoded once."""
    return _cached(item, lambda: (orjson.dumps(shape(item)),), year)[0]


def fixed_list_bytes(items: tuple[Any, ...], shape: Callable[[Any], dict[str, Any]], year: int) -> bytes:
    """A kept tuple of such items (a version keeps each list of roles it gives), as one JSON list."""
    return _cached(items, lambda: (b"[" + b",".join(fixed_bytes(i, shape, year) for i in items) + b"]",), year)[0]


def body_bytes(recommendation: object, result_url: str, encode: Callable[[int], bytes]) -> bytes:
    """The whole answer: a recent recommendation's bytes (all but its link) are kept, as it is."""
    year = sources.academic_year()
    found = _bodies.get(id(recommendation))
    if found is None or found[0] is not recommendation or found[1] != year:
        if len(_bodies) > MAX_BODIES:
            _bodies.clear()
        found = _bodies[id(recommendation)] = (recommendation, year, encode(year))
    head = found[2]
    return b"".join((head, b',"result_url":', orjson.dumps(result_url), b"}"))
