"""The export's JSON text: orjson's speed, `json.dumps(indent=2, ensure_ascii=False)`'s bytes.

The two agree on layout, escapes and every value; they spell some floats differently (orjson
writes 1.5e-7 and 0.00001, Python 1.5e-07 and 1e-05). Those few numbers are respelled with
`repr`, found by a pattern that only matches a number standing alone as a value at the end of
its line (a string never does: its text is quoted, and newlines in it are escaped). Anything
orjson refuses (a lone surrogate, an integer past 64 bits) is written by `json` itself.
"""

import json
import re
from typing import Any

import orjson

#: A line holding one such number as a value: `  "key": 1.5e-7,` or `    1.5e-7`.
_NUMBER_LINE = re.compile(
    rb' *(?:"(?:[^"\\\n]|\\.)*": )?(-?(?:0\.0000[0-9]*|[0-9](?:\.[0-9]+)?e-[0-9]+)),?'
)
_NEEDLES = (b"0.0000", b"e-")


def dumps_indented(document: Any) -> str:
    """`json.dumps(document, indent=2, ensure_ascii=False)`, byte for byte, only faster."""
    try:
        text = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(document, indent=2, ensure_ascii=False)
    return respell(text).decode("utf-8")


def respell(text: bytes) -> bytes:
    """Python's spelling for the numbers that orjson spells otherwise. Candidates are found
    with `bytes.find` (fast, and rare in real files); each candidate's line is then checked."""
    starts = set()
    for needle in _NEEDLES:
        at = text.find(needle)
        while at != -1:
            starts.add(text.rfind(b"\n", 0, at) + 1)
            at = text.find(needle, at + 1)
    if not starts:
        return text
    parts, done = [], 0
    for start in sorted(starts):
        end = text.find(b"\n", start)
        line = _NUMBER_LINE.fullmatch(text, start, len(text) if end == -1 else end)
        if line is not None:
            parts += [text[done : line.start(1)], repr(float(line[1])).encode()]
            done = line.end(1)
    return b"".join([*parts, text[done:]])
