"""`tracker score FILE --format json` runs on a short path (no typer, database layer or pandas):
it rejects every bad row with the row checks' own message, and scores good files exactly as
the pandas path does."""

import copy
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.scoring.test_score_file_checks import (
    BAD_ROWS,
    mixed_document,
    plain_document,
    row_check_message,
)
from tracker.cli.quick import _score_file
from tracker.scoring.document_arrays import exact_row_sums
from tracker.scoring.document_typed import typed_scoring_input
from tracker.scoring.leaderboard import leaderboard
from tracker.scoring.report import score_input
from tracker.scoring.report_json import _floats, dumps_report, dumps_tables
from tracker.scoring.score_table import grouped_means, score_columns, user_columns

ROOT = Path(__file__).resolve().parents[2]


def quick(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "score", str(path), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("problem", "change", "expected"),
    [b for b in BAD_ROWS if b[2] is not None],
    ids=[b[0] for b in BAD_ROWS if b[2] is not None],
)
def test_the_short_path_rejects_each_bad_row_with_the_row_checks_message(
    problem: str, change, expected: str, tmp_path: Path
) -> None:
    doc = plain_document()
    doc["forecasts"][7] = change(copy.deepcopy(doc["forecasts"][7]))
    message = row_check_message(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = quick(path, "--format", "json")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"error: {message}\n"


def test_a_missing_file_and_a_broken_document_are_one_line(tmp_path: Path) -> None:
    result = quick(tmp_path / "nope.json", "--format", "json")
    assert result.returncode == 1 and result.stderr.startswith("error: No such file")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "forecast-tracker/1", "questions": [', encoding="utf-8")
    result = quick(broken, "--format", "json")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize("make", [plain_document, mixed_document])
def test_the_short_path_prints_what_the_pandas_path_prints(make, tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(make()), encoding="utf-8")
    data = typed_scoring_input(path.read_bytes())
    assert data is not None
    expected = json.dumps(score_input(data).to_dict(), indent=2) + "\n"
    result = quick(path, "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected
    assert quick(path, "--format=json").stdout == expected


def test_the_command_lines_it_takes_and_those_it_leaves_to_typer() -> None:
    assert _score_file(["score", "f.json", "--format", "json"]) == "f.json"
    assert _score_file(["score", "--format", "json", "f.json"]) == "f.json"
    assert _score_file(["score", "--format=json", "f.json"]) == "f.json"
    for other in (
        ["score", "f.json"],  # the table
        ["score", "--format", "json"],  # the database
        ["score", "f.json", "--format", "json", "--help"],
        ["score", "a.json", "b.json", "--format", "json"],
        ["--help"],
        ["export", "--format", "json"],
        [],
    ):
        assert _score_file(other) is None


def test_user_means_are_pandas_grouped_means_bit_for_bit() -> None:
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 40, 3000)
    values = rng.normal(size=(3000, 4)) * rng.choice([1e-9, 1.0, 1e9], size=(3000, 4))
    values[rng.random((3000, 4)) < 0.2] = np.nan
    values[5, 0] = np.inf
    frame = pd.DataFrame(values, columns=list("abcd")).assign(g=groups)
    expected = frame.groupby("g", sort=True)[list("abcd")].mean().to_numpy()
    assert np.array_equal(grouped_means(groups, values, 40), expected, equal_nan=True)


def test_the_numpy_tables_are_the_pandas_tables_bit_for_bit() -> None:
    data = typed_scoring_input(json.dumps(mixed_document()).encode())
    assert data is not None
    report = score_input(data)
    scores = score_columns(data)
    users = user_columns(scores)
    assert dumps_tables(scores, users) == dumps_report(report)
    board = leaderboard(report.scores)
    for name in ("questions", "mean_daily_brier", "relative_brier", "baseline_score"):
        assert np.array_equal(users.values[name], board[name].to_numpy(), equal_nan=True)


def test_row_sums_are_math_fsum_exactly() -> None:
    rng = np.random.default_rng(5)
    raw = rng.gamma(1.0, 1.0, (20_000, 6))
    raw[rng.random((20_000, 6)) < 0.3] = 0.0
    raw[:, 0] += 1e-300
    rows = raw / raw.sum(axis=1, keepdims=True)
    tricky = np.array([[0.1, 0.2, 0.7, 0, 0, 0], [1e-17, 1.0, 0, 0, 0, 0],
                       [0.5, 0.5 - 2**-54, 2**-54, 0, 0, 0], [0.0] * 6,
                       [1 / 3, 1 / 3, 1 / 3, 1e-16, 1e-16, 0]])  # fmt: skip
    binary = np.zeros((20_000, 4))  # two terms, often exactly on a midpoint of 1's neighbours
    binary[:, 0] = rng.random(20_000)
    binary[:, 2] = 1.0 - binary[:, 0]
    binary[::2, 2] = np.nextafter(binary[::2, 2], 0.0)
    for matrix in (rows, tricky, rows[:, :2], binary):
        expected = [math.fsum(r) for r in matrix.tolist()]
        assert exact_row_sums(np.ascontiguousarray(matrix)).tolist() == expected


def test_floats_are_written_as_json_dumps_writes_them() -> None:
    rng = np.random.default_rng(8)
    values = np.concatenate([
        rng.random(5000), rng.normal(size=5000) * 100, 10.0 ** rng.uniform(-30, 30, 5000),
        [0.0, -0.0, 1.0, 1e16, 1e-5, 1e-4, 9.999999999999999e15, 5e-324, math.inf, -math.inf,
         math.nan, 1.7976931348623157e308, -2.5e-7],
    ])  # fmt: skip
    expected = [json.dumps(v) if math.isfinite(v) else json.dumps(v).replace("NaN", "null")
                for v in values.tolist()]  # fmt: skip
    assert _floats(values) == expected
