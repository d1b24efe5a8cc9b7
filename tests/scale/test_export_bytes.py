"""The export's fast JSON writer gives exactly `json.dumps(indent=2, ensure_ascii=False)`."""

import json

import numpy as np

from tracker.interchange.jsonwrite import dumps_indented


def test_floats_of_every_magnitude_are_spelled_as_python_spells_them() -> None:
    rng = np.random.default_rng(7)
    values = (rng.random(20_000) * 10.0 ** rng.integers(-12, 20, 20_000)).tolist()
    values += [0.0, -0.0, 1e-05, 1.5e-07, 1e16, 5e-324, 0.1 + 0.2, 1 / 3, -2.5e-10, 12345.0]
    document = {"forecasts": [{"p": {"A": v, "B": -v}, "n": i} for i, v in enumerate(values)]}
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_text_that_looks_like_numbers_and_every_escape_is_unchanged() -> None:
    tricky = "".join(chr(i) for i in range(0x30)) + '\x7f\u2028é€😀\\"/ : 1e-7'
    document = {
        "rows": [tricky, "x: 0.00001", "1.5e-7", {"k: 1e-7": 1e-7, 'q": 1e-9': "v"}],
        "empty": [[], {}, None, True, False, 10**18],
    }
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_what_orjson_refuses_is_written_by_json() -> None:
    document = {"big": 10**30, "surrogate": "\ud800"}
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)
