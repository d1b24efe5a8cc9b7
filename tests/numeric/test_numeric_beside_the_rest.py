"""A numeric and a date question, open and resolved, beside binary ones: every read path of
the app (lists, the question view, scores, review, coaching, post-mortem, bots, lint,
summaries, the API's views, exports) still works and leaves them out where they do not fit."""

import pytest

from tests.numeric.conftest import brent_data, next_round_data
from tests.support import Clock
from tracker import interchange
from tracker.db import Database
from tracker.schemas import Actor, ForecastCreate, Resolution
from tracker.services import (
    api_views,
    coaching,
    evidence,
    forecasts,
    lint,
    my_record,
    pool_scores,
    postmortem,
    questions,
    scores,
    summaries,
    views,
)


@pytest.fixture
def mixed(db: Database, admin: Actor, alice: Actor, bob: Actor, clock: Clock) -> Database:
    questions.create_question(db, admin, brent_data())
    questions.create_question(db, admin, next_round_data())
    questions.create_question(
        db, admin, brent_data(id="brent-soon", close_time="2026-11-30T00:00:00Z")
    )
    from tests.support import question_data

    questions.create_question(db, admin, question_data())
    questions.create_question(
        db, admin, question_data(id="strike-soon", close_time="2026-11-30T00:00:00Z")
    )
    for who, handles in ((alice, {10: 62, 50: 75, 90: 95}), (bob, {10: 50, 50: 70, 90: 80})):
        for qid in ("brent-mid-2027", "brent-soon"):
            forecasts.log_forecast(db, who, ForecastCreate(question_id=qid, percentiles=handles))
        forecasts.log_forecast(
            db, who, ForecastCreate(question_id="us-strike", probabilities={"Yes": 0.3, "No": 0.7})
        )
        forecasts.log_forecast(
            db,
            who,
            ForecastCreate(question_id="strike-soon", probabilities={"Yes": 0.2, "No": 0.8}),
        )
    forecasts.log_forecast(
        db,
        alice,
        ForecastCreate(
            question_id="next-round-date", percentiles={10: "2026-12-20", 90: "2027-03-01"}
        ),
    )
    clock.advance(days=9)
    questions.resolve_question(db, admin, "brent-soon", Resolution(value=72.0))
    questions.resolve_question(db, admin, "strike-soon", Resolution(option="No"))
    return db


def test_lists_and_views_hold_numeric_questions(mixed: Database, alice: Actor) -> None:
    rows = views.question_rows(mixed, alice)
    assert {"brent-mid-2027", "next-round-date", "brent-soon"} <= {r.question.id for r in rows}
    views.with_team(mixed, alice, rows)
    for qid in ("brent-mid-2027", "next-round-date", "brent-soon"):
        view = views.question_view(mixed, alice, qid)
        assert view.question.is_continuous
        assert all(f.cdf for f in view.mine)


def test_option_scores_leave_numeric_questions_out(mixed: Database, alice: Actor) -> None:
    report_rows = scores.all_scores(mixed)
    assert {r.question_id for r in report_rows} == {"strike-soon"}
    assert scores.leaderboard(mixed)
    scores.user_calibration(mixed, "alice")
    scores.recently_resolved(mixed)
    scores.review_queue(mixed, "alice")
    scores.update_effects(mixed)
    pool_scores.pool_scores(mixed, 1.5)
    coaching.my_coaching(mixed, alice)
    my_record.my_record(mixed, alice)


def test_the_post_mortem_of_a_numeric_question_does_not_fail(mixed: Database, alice: Actor) -> None:
    postmortem.postmortem(mixed, alice, "brent-soon")


def test_lint_summaries_and_evidence_take_numeric_questions(mixed: Database, admin: Actor) -> None:
    lint.lint_question(mixed, "brent-mid-2027", use_model=False)
    item = evidence.add_text(
        mixed,
        admin,
        title="Brent falls as US and Iran resume talks",
        text="Brent crude fell to 68 dollars a barrel after the US and Iran said talks in "
        "Oman would resume; traders expect more Iranian oil on the market.",
        outlet="Sample Wire",
    )
    evidence.link(mixed, admin, "brent-mid-2027", item.item.id or 0)
    summaries.summarize_question(mixed, admin, "brent-mid-2027")


def test_the_api_views_and_exports_carry_numeric_questions(
    mixed: Database, admin: Actor, alice: Actor
) -> None:
    page = api_views.question_page(mixed, alice, {})
    assert any(q.id == "brent-mid-2027" for q in page.items)
    api_views.question_detail(mixed, alice, "brent-mid-2027")
    api_views.forecasts_of(mixed, alice, "alice")
    document = interchange.export_document(mixed)
    assert sum(1 for f in document["forecasts"] if "cdf" in f) == 5
    assert interchange.export_forecasts_csv(mixed)


def test_bots_skip_numeric_questions(mixed: Database, admin: Actor) -> None:
    from tracker.services import bots

    bots.create_bot(mixed, admin, "baseline-bot")
    bots.set_enabled(mixed, admin, "baseline-bot", True)
    runs = bots.run_bots(mixed, admin)
    assert all(run.question_id not in ("brent-mid-2027", "next-round-date") for run in runs)


def test_my_standing_on_a_numeric_question_is_in_my_rows(mixed: Database, alice: Actor) -> None:
    rows = {r.question.id: r for r in views.question_rows(mixed, alice)}
    assert rows["brent-mid-2027"].my_last_time is not None
    assert rows["next-round-date"].my_last_time is not None
    assert rows["us-strike"].my_latest == {"Yes": 0.3, "No": 0.7}


def test_numeric_updates_are_not_counted_as_option_updates(
    db: Database, admin: Actor, alice: Actor, clock: Clock
) -> None:
    from tests.support import question_data

    questions.create_question(db, admin, brent_data(close_time="2026-11-30T00:00:00Z"))
    questions.create_question(db, admin, question_data(close_time="2026-11-30T00:00:00Z"))
    for handles in ({10: 62, 50: 75, 90: 95}, {10: 60, 50: 70, 90: 80}):
        forecasts.log_forecast(
            db, alice, ForecastCreate(question_id="brent-mid-2027", percentiles=handles)
        )
    for p in (0.3, 0.2):
        forecasts.log_forecast(
            db,
            alice,
            ForecastCreate(question_id="us-strike", probabilities={"Yes": p, "No": 1 - p}),
        )
    clock.advance(days=9)
    questions.resolve_question(db, admin, "brent-mid-2027", Resolution(value=72.0))
    questions.resolve_question(db, admin, "us-strike", Resolution(option="No"))
    effects = scores.update_effects(db)
    assert sum(e.updates for e in effects) == 1
    (made,) = [e for e in effects if e.updates]
    assert made.mean_improvement == pytest.approx((0.3**2 * 2) - (0.2**2 * 2))
