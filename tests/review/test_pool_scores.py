"""How each team pool would have scored on the resolved questions, and the team's default pool."""

import pytest

from tracker import interchange
from tracker.config import get_settings
from tracker.schemas import Actor
from tracker.scoring.pool_scores import final_pool_briers
from tracker.services import pool_scores, scores

DOCUMENT = {
    "format": interchange.FORMAT,
    "questions": [
        {"id": "ferry", "title": "Will the ferry sail?", "type": "binary",
         "resolution_criteria": "The harbour log.", "open_time": "2026-03-01T00:00:00Z",
         "close_time": "2026-03-20T00:00:00Z", "resolution": "Yes",
         "resolved_time": "2026-03-19T00:00:00Z"},
    ],
    "forecasts": [
        {"question_id": "ferry", "user": user, "time": f"2026-03-{day}T00:00:00Z", "probability": p}
        for user, day, p in (("alice", "02", 0.9), ("bob", "02", 0.6), ("bob", "10", 0.7),
                             ("carol", "03", 0.2))
    ],
}  # fmt: skip


def test_each_pool_is_scored_on_the_members_last_forecasts(db):
    interchange.import_document(db, Actor.system(), DOCUMENT)
    briers = final_pool_briers(scores.scoring_input(db))
    # last forecasts 0.9, 0.7, 0.2: the median is 0.7, Brier 2·0.3²; the mean 0.6, 2·0.4²
    assert briers["median"] == [pytest.approx(2 * 0.3**2)]
    assert briers["mean"] == [pytest.approx(2 * 0.4**2)]
    rows = pool_scores.pool_scores(db, factor=1.5)
    assert {r.pool for r in rows} == set(pool_scores.POOL_LABELS)
    assert [r.mean_brier for r in rows] == sorted(r.mean_brier for r in rows)  # best first
    assert [r.pool for r in rows if r.team_default] == ["median"]


def test_the_team_default_pool_is_a_setting(monkeypatch):
    monkeypatch.setenv("TEAM_POOL", "geometric_mean_of_odds")
    get_settings.cache_clear()
    try:
        assert pool_scores.team_pool() == "geometric_mean_of_odds"
        monkeypatch.setenv("TEAM_POOL", "no-such-pool")
        get_settings.cache_clear()
        assert pool_scores.team_pool() == "median"
    finally:
        get_settings.cache_clear()
