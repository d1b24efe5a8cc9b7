"""Numeric and date questions shared by these specifications."""

import pytest

from tests.support import question_data
from tracker.db import Database
from tracker.schemas import Actor, QuestionRead
from tracker.services import questions


def brent_data(**overrides: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {
        "id": "brent-mid-2027",
        "title": "What will Brent crude settle at on 30 June 2027?",
        "type": "numeric",
        "resolution_criteria": "ICE Brent front-month settlement on 2027-06-30, USD per barrel.",
        "range": {
            "lower": 40,
            "upper": 120,
            "open_lower": True,
            "open_upper": True,
            "unit": "USD/bbl",
        },
    }
    fields.update(overrides)
    return question_data(**fields)


def next_round_data(**overrides: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {
        "id": "next-round-date",
        "title": "When will the next round of US–Iran talks in Oman begin?",
        "type": "date",
        "range": {"lower": "2026-12-01", "upper": "2027-06-30", "open_upper": True},
    }
    fields.update(overrides)
    return question_data(**fields)


@pytest.fixture
def brent(db: Database, admin: Actor) -> QuestionRead:
    return questions.create_question(db, admin, brent_data())


@pytest.fixture
def next_round(db: Database, admin: Actor) -> QuestionRead:
    return questions.create_question(db, admin, next_round_data())
