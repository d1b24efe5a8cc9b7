"""The AI baseline forecaster: a bot member, hidden until you forecast, scored in its own row."""

import csv
import io

import pytest
from typer.testing import CliRunner

from tests.support import question_data
from tracker.cli import app
from tracker.errors import InvalidInput
from tracker.schemas import ForecastCreate, QuestionEdit, Resolution
from tracker.services import (
    bot_board,
    bot_exports,
    bots,
    evidence,
    forecasts,
    questions,
    users,
    views,
)
from tracker.testing.fake_llm_server import hang, ok

TEXT = (
    "US officials said a strike on Iranian nuclear sites remained possible. "
    "A second carrier group is heading to the Gulf."
)


def sample(p_yes: float, cite: int) -> dict:
    return {
        "probabilities": [
            {"option": "Yes", "probability": p_yes},
            {"option": "No", "probability": 1 - p_yes},
        ],
        "rationale": f"The carrier deployment [#{cite}] raises the odds a little; [#999] too.",
        "evidence_ids": [cite, 999],
    }


@pytest.fixture
def setup(db, admin, alice):
    q = questions.create_question(db, admin, question_data(hide_until_forecast=False))
    item = evidence.add_text(db, alice, title="Carrier heads to Gulf", text=TEXT).item
    evidence.link(db, alice, q.id, item.id)
    bot = bots.create_bot(db, admin, "baseline")
    return q, item, bot


def enable(db, admin):
    bots.set_enabled(db, admin, "baseline", True)


def test_a_new_bot_is_disabled_has_no_password_and_cannot_forecast(db, admin, setup):
    _, _, bot = setup
    assert not bot.is_active and not bot.has_password
    assert [b.name for b in bots.list_bots(db)] == ["baseline"]
    with pytest.raises(InvalidInput, match="no enabled bot"):
        bots.run_bots(db, admin)


def test_only_admins_create_bots(db, alice, setup):
    from tracker.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        bots.create_bot(db, alice, "rogue")


def test_the_bot_forecasts_the_median_of_its_samples_through_the_forecast_service(
    db, admin, setup, model_server, clock
):
    q, item, _ = setup
    enable(db, admin)
    model_server.script(
        ok(sample(0.2, item.id)), ok(sample(0.6, item.id)), ok(sample(0.3, item.id))
    )
    [run] = bots.run_bots(db, admin, q.id)
    assert run.status == "made" and run.probabilities["Yes"] == pytest.approx(0.3)
    saved = forecasts.get_forecast(db, run.forecast_id)
    assert saved.user == "baseline" and saved.created_at == clock.now  # stamped by the server
    assert f"#{item.id}" in saved.rationale and "#999" not in saved.rationale.split("cited:")[-1]
    made = bots.provenance(db, [saved.id])[saved.id]
    assert made.evidence_ids == [item.id] and len(made.samples) == 3 and made.model == "fake-model"


def test_at_most_one_forecast_per_question_per_new_evidence(db, admin, alice, setup, model_server):
    q, item, _ = setup
    enable(db, admin)
    model_server.script(*(ok(sample(0.3, item.id)) for _ in range(3)))
    bots.run_bots(db, admin, q.id)
    [again] = bots.run_bots(db, admin, q.id)
    assert again.status == "unchanged" and model_server.calls == 3
    news = evidence.add_text(db, alice, title="Talks resume", text="Talks resume in Muscat soon.")
    evidence.link(db, alice, q.id, news.item.id)
    model_server.script(*(ok(sample(0.25, news.item.id)) for _ in range(3)))
    [fresh] = bots.run_bots(db, admin, q.id)
    assert fresh.status == "made" and bots.bot_forecast_count(db) == 2


def test_garbage_answers_write_nothing(db, admin, setup, model_server):
    q, _, _ = setup
    enable(db, admin)
    model_server.script(*(ok("not json at all") for _ in range(6)))
    [run] = bots.run_bots(db, admin, q.id)
    assert run.status == "no_forecast" and "usable" in run.detail
    assert forecasts.forecast_history(db, question_id=q.id) == []


def test_a_sample_missing_an_option_is_not_used(db, admin, setup, model_server):
    q, item, _ = setup
    enable(db, admin)
    partial = {**sample(0.3, item.id), "probabilities": [{"option": "Yes", "probability": 0.3}]}
    model_server.script(ok(partial), ok(partial), ok(sample(0.3, item.id)))
    [run] = bots.run_bots(db, admin, q.id)
    assert run.status == "no_forecast" and bots.bot_forecast_count(db) == 0


def test_a_hung_server_writes_nothing(db, admin, setup, model_server):
    q, _, _ = setup
    enable(db, admin)
    model_server.script(hang(30), hang(30), hang(30))
    [run] = bots.run_bots(db, admin, q.id)
    assert run.status == "no_forecast" and "did not answer" in run.detail
    assert forecasts.forecast_history(db, question_id=q.id) == []


def test_offline_engine_makes_no_bot_forecast(db, admin, setup, offline):
    q, _, _ = setup
    enable(db, admin)
    [run] = bots.run_bots(db, admin, q.id)
    assert run.status == "no_forecast" and "offline" in run.detail


def _bot_forecast(db, admin, q, item, server, p=0.3):
    enable(db, admin)
    server.script(*(ok(sample(p, item.id)) for _ in range(3)))
    [run] = bots.run_bots(db, admin, q.id)
    assert run.status == "made"


def test_hidden_from_a_member_until_they_forecast_even_when_the_team_is_shown(
    db, admin, alice, bob, setup, model_server
):
    q, item, _ = setup
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=q.id, probabilities=forecasts.binary_vector(0.8))
    )
    _bot_forecast(db, admin, q, item, model_server)
    before = views.question_view(db, alice, q.id)
    assert before.team_visible  # hide_until_forecast is off for the humans
    assert before.bot_forecasts == [] and {f.user for f in before.others} == {"bob"}
    assert before.forecasters == 1  # the bot is not counted as a member
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=q.id, probabilities=forecasts.binary_vector(0.5))
    )
    after = views.question_view(db, alice, q.id)
    assert [f.user for f in after.bot_forecasts] == ["baseline"]
    assert "baseline" not in {f.user for f in after.others}
    assert after.pools["median"]["Yes"] == pytest.approx(0.65)  # alice and bob only


def test_the_question_list_median_leaves_the_bot_out(db, admin, alice, bob, setup, model_server):
    q, item, _ = setup
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=q.id, probabilities=forecasts.binary_vector(0.8))
    )
    _bot_forecast(db, admin, q, item, model_server, p=0.1)
    [row] = views.with_team(db, alice, views.question_rows(db, alice))
    assert row.forecasters == 1 and row.team_median["Yes"] == pytest.approx(0.8)


def test_every_member_export_hides_the_bot_until_the_member_forecasts(
    db, admin, setup, model_server
):
    q, item, _ = setup
    _bot_forecast(db, admin, q, item, model_server)
    document = bot_exports.document_for(db, admin)
    assert all(f["user"] != "baseline" for f in document["forecasts"])
    rows = list(csv.DictReader(io.StringIO(bot_exports.export_csv_for(db, admin))))
    assert all(r["user"] != "baseline" for r in rows)
    forecasts.log_forecast(
        db, admin, ForecastCreate(question_id=q.id, probabilities=forecasts.binary_vector(0.4))
    )
    document = bot_exports.document_for(db, admin)
    assert {f["user"] for f in document["forecasts"]} == {"admin", "baseline"}
    rows = list(csv.DictReader(io.StringIO(bot_exports.export_csv_for(db, admin))))
    assert {r["user"] for r in rows} == {"admin", "baseline"}


def test_leaderboard_ranks_humans_without_the_bot_and_gives_it_its_own_row(
    db, admin, alice, bob, setup, model_server, clock
):
    q, item, _ = setup
    forecasts.log_forecast(
        db, alice, ForecastCreate(question_id=q.id, probabilities=forecasts.binary_vector(0.9))
    )
    forecasts.log_forecast(
        db, bob, ForecastCreate(question_id=q.id, probabilities=forecasts.binary_vector(0.2))
    )
    _bot_forecast(db, admin, q, item, model_server, p=0.6)
    clock.advance(days=3)
    questions.edit_question(db, admin, q.id, QuestionEdit(close_time=clock.now))
    clock.advance(days=1)
    questions.resolve_question(db, admin, q.id, Resolution(option="Yes"))
    humans = bot_board.human_leaderboard(db)
    assert [r.user for r in humans] == ["alice", "bob"]
    [row] = bot_board.bot_rows(db)
    assert row.user == "baseline" and row.questions == 1 and row.would_rank == 2


def test_cli_adds_enables_and_runs_the_bot(env_db, offline):
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["seed"]).exit_code == 0
    assert "disabled" in runner.invoke(app, ["bot", "add", "baseline"]).stdout
    assert runner.invoke(app, ["bot", "forecast", "--all"]).exit_code == 1  # none enabled
    assert runner.invoke(app, ["bot", "enable", "baseline"]).exit_code == 0
    result = runner.invoke(app, ["bot", "forecast", "--all"])
    assert result.exit_code == 0 and "0 forecast(s) made" in result.stdout
    assert "offline" in result.stdout


def test_a_bot_is_not_a_human_user_for_sign_in(db, admin, setup):
    from tracker.errors import TrackerError

    bots.set_enabled(db, admin, "baseline", True)
    with pytest.raises(TrackerError):
        users.authenticate(db, "baseline", "anything at all")
