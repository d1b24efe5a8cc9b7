"""Summaries stored per question: engine recorded, cached, verified quotes, fallback kept."""

import pytest

from tests.support import question_data
from tracker.config import get_settings
from tracker.schemas import ForecastCreate
from tracker.services import evidence, forecasts, questions, summaries
from tracker.testing.fake_llm_server import FakeLLMServer, error, ok

TEXT = (
    "Washington said a strike on Iranian nuclear sites remained possible. "
    "A second carrier group is heading to the Gulf. "
    "Diplomats in Muscat expect another round of talks in March."
)


@pytest.fixture
def setup(db, admin, alice):
    questions.create_question(
        db,
        admin,
        question_data(
            title="Will the US strike Iranian nuclear sites?",
            description="US strike on Iran.",
            resolution_criteria="Wire services report a US strike on Iran.",
        ),
    )
    item = evidence.add_text(db, alice, title="Carrier heads to Gulf", text=TEXT).item
    evidence.link(db, alice, "us-strike", item.id)
    return item


@pytest.fixture
def offline(monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "openai_api_key", None)
    monkeypatch.setattr(settings, "openai_base_url", None)


def test_offline_summary_is_stored_with_its_engine_and_quotes_verify(db, alice, setup, offline):
    stored = summaries.summarize_question(db, alice, "us-strike")
    assert stored.engine == "offline"
    assert stored.evidence_ids == [setup.id]
    assert stored.summary.key_points
    assert all(p.verified and p.quote in TEXT for p in stored.summary.key_points)
    assert summaries.latest_summary(db, "us-strike").id == stored.id
    assert summaries.engine_status().name == "offline"


def test_a_repeat_is_served_from_the_database(db, alice, setup, offline):
    first = summaries.summarize_question(db, alice, "us-strike")
    second = summaries.summarize_question(db, alice, "us-strike")
    assert first.id == second.id


def test_new_since_my_last_forecast_changes_the_request(db, alice, setup, offline, clock):
    first = summaries.summarize_question(db, alice, "us-strike")
    forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id="us-strike", probabilities={"Yes": 0.3, "No": 0.7}, summary_id=first.id
        ),
    )
    clock.advance(hours=1)
    second = summaries.summarize_question(db, alice, "us-strike")
    assert second.id != first.id and second.since_time is not None
    saved = forecasts.forecast_history(db, question_id="us-strike")[0]
    assert saved.summary_id == first.id


def test_openai_engine_against_a_loopback_server(db, alice, setup, monkeypatch):
    settings = get_settings()
    with FakeLLMServer() as server:
        monkeypatch.setattr(settings, "openai_base_url", server.url)
        monkeypatch.setattr(settings, "openai_api_key", None)
        monkeypatch.setattr(settings, "llm_model", "fake-model")
        monkeypatch.setattr(settings, "llm_max_retries", 0)
        answer = {
            "headline": "Strike risk up",
            "status_quo": "No strike yet.",
            "whats_new": "A carrier group moves.",
            "key_points": [
                {
                    "claim": "Carrier deployed",
                    "direction": "raises",
                    "strength": "moderate",
                    "evidence_id": setup.id,
                    "quote": "A second carrier group is heading to the Gulf.",
                },
                {
                    "claim": "Invented",
                    "direction": "raises",
                    "strength": "strong",
                    "evidence_id": setup.id,
                    "quote": "Iran has surrendered.",
                },
            ],
            "overall_direction": "raises",
            "caveats": [],
            "injection_suspected": False,
        }
        server.script(ok(answer))
        stored = summaries.summarize_question(db, alice, "us-strike")
        assert stored.engine == "openai" and stored.model == "fake-model"
        assert [p.verified for p in stored.summary.key_points] == [True, False]
        assert stored.tokens_in > 0
        assert server.calls == 1
        summaries.summarize_question(db, alice, "us-strike")
        assert server.calls == 1  # served from the database


def test_openai_failure_falls_back_and_is_not_reused(db, alice, setup, monkeypatch):
    settings = get_settings()
    with FakeLLMServer() as server:
        monkeypatch.setattr(settings, "openai_base_url", server.url)
        monkeypatch.setattr(settings, "llm_max_retries", 0)
        server.script(error(500), error(500), error(500), error(500))
        stored = summaries.summarize_question(db, alice, "us-strike")
        assert stored.engine == "offline" and stored.fallback_reason
        assert all(p.verified for p in stored.summary.key_points)


def test_before_a_first_forecast_whats_new_is_since_the_last_summary(
    db, admin, alice, setup, offline, clock
):
    first = summaries.summarize_question(db, alice, "us-strike")
    assert first.since_time is None  # nothing to compare with: everything counts as new
    assert summaries.summarize_question(db, alice, "us-strike").id == first.id  # a repeat is free

    clock.advance(hours=2)
    later = evidence.add_text(
        db, alice, title="Talks resume", text="Envoys agreed to meet again in Muscat next week."
    ).item
    evidence.link(db, alice, "us-strike", later.id)
    second = summaries.summarize_question(db, alice, "us-strike")
    assert second.since_time == first.created_at
    assert "since the last summary" in second.summary.whats_new
    assert "Talks resume" in second.summary.whats_new
    assert "Carrier heads to Gulf" not in second.summary.whats_new
    assert summaries.summarize_question(db, alice, "us-strike").id == second.id  # still free
