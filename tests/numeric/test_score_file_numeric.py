"""`tracker score FILE` scores numeric and date questions (DESIGN §4): each member's CRPS and
log score of the last forecast standing, Metaculus's continuous baseline and peer scores
time-averaged; hand-checkable cases, and the categorical rows unchanged beside them."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.scoring.report import NUMERIC_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
OPEN, CLOSE = "2025-01-01T00:00:00Z", "2025-01-11T00:00:00Z"  # 10 scored days
UNIFORM = [k / 200 for k in range(201)]
# 75 % of the mass evenly on [0, 50], 25 % on [50, 100]: pdf 1.5 at 25.
SHARP = [0.0075 * k if k <= 100 else 0.75 + 0.0025 * (k - 100) for k in range(201)]


def numeric_question(**extra: object) -> dict:
    return {"id": "n", "type": "numeric", "range": [0, 100], "open_time": OPEN,
            "close_time": CLOSE, "resolution": 25, "resolved_time": CLOSE} | extra  # fmt: skip


def cdf_forecast(user: str, cdf: list[float], question: str = "n", time: str = OPEN) -> dict:
    return {"question_id": question, "user": user, "time": time, "cdf": cdf}


BINARY = {"id": "b", "type": "binary", "open_time": OPEN, "close_time": CLOSE,
          "resolution": "Yes", "resolved_time": CLOSE}  # fmt: skip
BINARY_FORECASTS = [
    {"question_id": "b", "user": "alice", "time": OPEN, "probability": 0.8},
    {"question_id": "b", "user": "bob", "time": "2025-01-03T12:00:00Z", "probability": 0.4},
]


def document(questions: list[dict], forecasts: list[dict]) -> dict:
    return {"format": "forecast-tracker/1", "questions": questions, "forecasts": forecasts}


def score(doc: dict, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`tracker score FILE` through the console entry point, in a fresh process."""
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", "from tracker.cli import main; main()", "score", str(path), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )  # fmt: skip


def rows(doc: dict, tmp_path: Path) -> dict:
    result = score(doc, tmp_path, "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    out = json.loads(result.stdout)
    return {(r["question_id"], r["user"]): r for r in out["scores"]} | {"users": out["users"]}


def test_uniform_and_sharper_forecasts_score_their_hand_computed_values(tmp_path: Path) -> None:
    got = rows(
        document(
            [numeric_question()], [cdf_forecast("alice", UNIFORM), cdf_forecast("bob", SHARP)]
        ),
        tmp_path,
    )
    alice, bob = got[("n", "alice")], got[("n", "bob")]
    # Uniform on [0, 100], outcome 25: ∫₀²⁵(x/100)² + ∫₂₅¹⁰⁰(1 − x/100)² = 100·(0.25³ + 0.75³)/3.
    assert alice["crps"] == pytest.approx(100 * (0.25**3 + 0.75**3) / 3, rel=1e-12)
    # F = 0.015x on [0, 50], then 0.75 + 0.005(x − 50): 1.171875 + 5.078125 + 1.0416…
    assert bob["crps"] == pytest.approx(1.171875 + 5.078125 + 200 * 0.25**3 / 3, rel=1e-12)
    assert alice["log_score"] == pytest.approx(0.0, abs=1e-12)  # pdf 1 per position unit
    assert bob["log_score"] == pytest.approx(math.log(1.5), rel=1e-9)
    # Both stood the whole window: baseline 100·(ln pdf − ln 1)/2, peer ±100·ln 1.5/2.
    assert alice["baseline_score"] == pytest.approx(0.0, abs=1e-9)
    assert bob["baseline_score"] == pytest.approx(50 * math.log(1.5), rel=1e-9)
    assert bob["peer_score"] == pytest.approx(50 * math.log(1.5), rel=1e-9)
    assert alice["peer_score"] == pytest.approx(-50 * math.log(1.5), rel=1e-9)
    for row in (alice, bob):
        assert row["brier"] is None and row["mean_daily_brier"] is None
        assert row["relative_brier"] is None and row["median_daily_brier"] is None
        assert (row["active_days"], row["scored_days"], row["participation"]) == (10, 10, 1.0)
    users = {u["user"]: u for u in got["users"]}
    assert users["bob"]["questions"] == 1 and users["bob"]["relative_brier"] is None
    assert users["bob"]["baseline_score"] == pytest.approx(50 * math.log(1.5), rel=1e-9)


def test_a_late_forecast_earns_only_its_share_of_the_window(tmp_path: Path) -> None:
    late = cdf_forecast("bob", SHARP, time="2025-01-06T00:00:00Z")  # half the window
    got = rows(document([numeric_question()], [late]), tmp_path)[("n", "bob")]
    assert got["baseline_score"] == pytest.approx(25 * math.log(1.5), rel=1e-9)
    assert got["peer_score"] == 0.0  # nobody to compare with
    assert (got["active_days"], got["scored_days"], got["participation"]) == (5, 10, 0.5)


def test_an_outcome_above_an_open_bound_and_a_date_question(tmp_path: Path) -> None:
    leaky = [0.9 * k / 200 for k in range(201)]  # 10 % above 100
    above = numeric_question(open_upper=True, resolution="above")
    date = {"id": "d", "type": "date", "range": ["2026-01-01", "2026-01-21"],
            "open_time": OPEN, "close_time": CLOSE, "resolution": "2026-01-06",
            "resolved_time": CLOSE}  # fmt: skip
    got = rows(
        document(
            [above, date], [cdf_forecast("alice", leaky), cdf_forecast("alice", UNIFORM, "d")]
        ),
        tmp_path,
    )
    high = got[("n", "alice")]
    assert high["log_score"] == pytest.approx(math.log(0.1), rel=1e-9)  # the mass above
    assert high["baseline_score"] == pytest.approx(50 * math.log(0.1 / 0.05), rel=1e-9)
    assert high["crps"] == pytest.approx(0.9**2 * 100 / 3, rel=1e-12)  # ∫₀¹⁰⁰ (0.009x)²
    # 20 days, uniform, outcome a quarter of the way: CRPS in days.
    assert got[("d", "alice")]["crps"] == pytest.approx(20 * (0.25**3 + 0.75**3) / 3, rel=1e-9)


def test_the_last_forecast_standing_gives_crps_and_log(tmp_path: Path) -> None:
    forecasts = [
        cdf_forecast("bob", UNIFORM),
        cdf_forecast("bob", SHARP, time="2025-01-02T00:00:00Z"),
        cdf_forecast("bob", UNIFORM, time=CLOSE),
    ]  # fmt: skip  (at the end: ignored)
    got = rows(document([numeric_question()], forecasts), tmp_path)[("n", "bob")]
    assert got["log_score"] == pytest.approx(math.log(1.5), rel=1e-9)
    assert got["baseline_score"] == pytest.approx(0.9 * 50 * math.log(1.5), rel=1e-9)


def test_categorical_rows_are_unchanged_beside_numeric_ones(tmp_path: Path) -> None:
    alone = score(document([BINARY], BINARY_FORECASTS), tmp_path, "--format", "json")
    numeric = [cdf_forecast("carol", UNIFORM), cdf_forecast("dan", SHARP)]
    both = score(
        document([BINARY, numeric_question()], BINARY_FORECASTS + numeric), tmp_path,
        "--format", "json",
    )  # fmt: skip
    before, after = json.loads(alone.stdout), json.loads(both.stdout)
    assert [r for r in after["scores"] if r["question_id"] == "b"] == before["scores"]
    assert all("crps" not in r for r in before["scores"])
    assert [u for u in after["users"] if u["user"] in ("alice", "bob")] == before["users"]
    text_rows = alone.stdout.split('"users"')[0]
    assert text_rows.rstrip().rstrip("],").strip() in both.stdout  # the same bytes


def test_the_table_has_a_numeric_section(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    numeric = [cdf_forecast("alice", UNIFORM), cdf_forecast("bob", SHARP)]
    doc = document([BINARY, numeric_question()], [*BINARY_FORECASTS, *numeric])
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(path)])
    assert result.exit_code == 0, result.output
    _users, cat, numeric = result.stdout.split("\n\n")
    assert cat.startswith("Scores by question") and " n " not in cat
    lines = numeric.splitlines()
    assert lines[0].startswith("Numeric and date questions")
    assert lines[1].split() == list(NUMERIC_COLUMNS)
    assert lines[2].split()[:3] == ["n", "bob", "7.2917"]  # the lower CRPS first
    assert lines[3].split()[:3] == ["n", "alice", "14.5833"]
    # The typer path and the short path agree on the JSON.
    json_typer = CliRunner().invoke(app, ["score", str(path), "--format", "json"]).stdout
    assert json_typer == score(doc, tmp_path, "--format", "json").stdout


BAD = [
    ("a short cdf", lambda d: d["forecasts"][1].update(cdf=UNIFORM[:-1]),
     "forecast #1 (n, bob): needs a cdf of 201 numbers"),
    ("probabilities on a numeric question",
     lambda d: d["forecasts"][1].update(cdf=None, probability=0.5),
     "forecast #1 (n, bob): needs a cdf of 201 numbers"),
    ("a decreasing cdf",
     lambda d: d["forecasts"][1].update(cdf=[*UNIFORM[:100], 0.4, *UNIFORM[101:]]),
     "forecast #1 (n, bob): cdf[100] = 0.4 is below cdf[99] = 0.495: a CDF never decreases"),
    ("mass below a closed bound",
     lambda d: d["forecasts"][0].update(cdf=[0.001 + 0.998 * u for u in UNIFORM]),
     "forecast #0 (n, alice): cdf[0] = 0.001, but the lower bound is closed"),
    ("a resolution beyond a closed bound", lambda d: d["questions"][0].update(resolution=120),
     "question #0 (n): resolution 120: the upper bound 100 is closed"),
    ("'below' at a closed bound", lambda d: d["questions"][0].update(resolution="below"),
     "question #0 (n): resolution 'below': the lower bound 0 is closed"),
    ("an empty range", lambda d: d["questions"][0].update(range=[5, 5]),
     "question #0 (n): need lower < upper, got 5 and 5"),
    ("a range of one", lambda d: d["questions"][0].update(range=[5]),
     "question #0 (n): range must be [lower, upper]"),
    ("a text bound", lambda d: d["questions"][0].update(range=["0", 100]),
     "question #0 (n): the lower bound must be a finite number, got '0'"),
    ("a numeric date", lambda d: d["questions"][0].update(type="date"),
     "question #0 (n): the lower bound must be an ISO date, got 0"),
]  # fmt: skip


@pytest.mark.parametrize(("problem", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_numeric_row_is_named(problem: str, change, message: str, tmp_path: Path) -> None:
    doc = document(
        [numeric_question()], [cdf_forecast("alice", UNIFORM), cdf_forecast("bob", SHARP)]
    )
    change(doc)
    result = score(doc, tmp_path, "--format", "json")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1


def test_scores_do_not_depend_on_the_order_of_the_rows(tmp_path: Path) -> None:
    forecasts = [cdf_forecast("alice", UNIFORM), cdf_forecast("bob", SHARP),
                 cdf_forecast("bob", UNIFORM, time="2025-01-04T00:00:00Z")]  # fmt: skip
    one = score(document([numeric_question()], forecasts), tmp_path, "--format", "json").stdout
    other = score(document([numeric_question()], forecasts[::-1]), tmp_path, "--format", "json")
    assert other.stdout == one
    assert np.isfinite(json.loads(one)["scores"][0]["crps"])


def test_score_document_scores_numeric_questions_as_the_command_does(tmp_path: Path) -> None:
    from tracker.scoring.report import score_document

    doc = document(
        [BINARY, numeric_question()],
        [*BINARY_FORECASTS, cdf_forecast("alice", UNIFORM), cdf_forecast("bob", SHARP)],
    )
    printed = json.loads(score(doc, tmp_path, "--format", "json").stdout)
    assert score_document(doc) == printed
