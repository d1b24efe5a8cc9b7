"""Helpers for the reliability tests: database snapshots and the 'clear error' check."""

import re
from datetime import timedelta

import pytest
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import SQLModel

from tests.support import NOW, question_data
from tracker import interchange
from tracker.db import Database
from tracker.errors import TrackerError
from tracker.models import User
from tracker.schemas import Actor, ForecastCreate, Resolution
from tracker.services import forecasts, questions

MAX_MESSAGE = 400


def snapshot(db: Database) -> tuple:
    """Everything a failed write must leave untouched: the export, the number of rows in every
    table (the audit trail included) and each account's login state."""
    with db.read() as session:
        counts = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }
        accounts = [
            (u.name, u.role, u.is_active, u.password_hash, u.failed_logins, u.locked_until)
            for u in session.execute(select(User).order_by(User.name)).scalars()
        ]
    return interchange.export_json(db), counts, accounts


def assert_clear(error: pytest.ExceptionInfo, pattern: str) -> None:
    """A user error: our own exception type, one short line that says what is wrong."""
    assert isinstance(error.value, TrackerError), repr(error.value)
    message = str(error.value)
    assert re.search(pattern, message), message
    assert 0 < len(message) <= MAX_MESSAGE, f"{len(message)} characters: {message[:200]}…"
    assert "\n" not in message and "Traceback" not in message


def populate(db: Database, admin: Actor, alice: Actor) -> None:
    """Questions in every state, and a forecast standing on the open ones."""
    questions.create_question(db, admin, question_data())
    questions.create_question(
        db,
        admin,
        question_data(
            id="deal-scope",
            title="What will a US–Iran agreement cover?",
            type="multiple_choice",
            options=["Nuclear only", "Nuclear and missiles", "No agreement"],
        ),
    )
    for qid in ("resolved-q", "annulled-q"):
        questions.create_question(db, admin, question_data(id=qid, title=f"Question {qid}"))
    questions.create_question(
        db,
        admin,
        question_data(id="closed-q", title="Closed", close_time=NOW - timedelta(days=30)),
    )
    questions.create_question(
        db,
        admin,
        question_data(
            id="upcoming-q",
            title="Upcoming",
            open_time=NOW + timedelta(days=30),
            close_time=NOW + timedelta(days=90),
        ),
    )
    forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.3, "No": 0.7}),
    )
    forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id="deal-scope",
            probabilities={"Nuclear only": 0.5, "Nuclear and missiles": 0.2, "No agreement": 0.3},
        ),
    )
    questions.resolve_question(db, admin, "resolved-q", Resolution(option="Yes"))
    questions.resolve_question(db, admin, "annulled-q", Resolution(annul=True))


# any JSON value, with a few that look like the real thing
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(["2026-04-01T00:00:00Z", "annulled", "Yes", "us-strike", "alice"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def json_paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document (as key/index paths), the root first."""
    paths = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            paths += json_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += json_paths(value, (*prefix, index))
    return paths
