"""`tracker forecast Q --user NAME --percentiles "10=62,50=75,90=95"` and resolving to a value."""

from typer.testing import CliRunner

from tests.numeric.conftest import brent_data
from tracker.cli import app
from tracker.db import Database
from tracker.schemas import Actor, QuestionRead
from tracker.services import forecasts, questions

runner = CliRunner()


def _setup(url: str) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(app, ["users", "add", "alice"], env={"TRACKER_PASSWORD": "pw-123456"})
    assert added.exit_code == 0, added.output
    db = Database(url)
    questions.create_question(db, Actor.system(), brent_data())
    db.dispose()


def test_percentiles_on_the_command_line_log_a_distribution(env_db: str) -> None:
    _setup(env_db)
    done = runner.invoke(
        app,
        ["forecast", "brent-mid-2027", "--user", "alice", "--percentiles", "10=62,50=75,90=95"],
    )
    assert done.exit_code == 0, done.output
    assert "median 75" in done.stdout and "USD/bbl" in done.stdout
    db = Database(env_db)
    (saved,) = forecasts.forecast_history(db, question_id="brent-mid-2027")
    db.dispose()
    assert saved.cdf is not None and len(saved.cdf) == 201
    resolved = runner.invoke(app, ["resolve", "brent-mid-2027", "81.5"])
    assert resolved.exit_code == 0 and "resolved as '81.5'" in resolved.stdout


def test_bad_percentiles_get_one_clear_line(env_db: str) -> None:
    _setup(env_db)
    for text, message in (("10:62,90=95", "write each handle"), ("10=90,90=60", "must rise")):
        bad = runner.invoke(
            app, ["forecast", "brent-mid-2027", "--user", "alice", "--percentiles", text]
        )
        assert bad.exit_code != 0 and message in bad.output, bad.output
        assert "Traceback" not in bad.output


def test_a_date_forecast_reads_to_the_day(db: Database, next_round: QuestionRead) -> None:
    from tracker.quantities import distribution_words, forecast_cdf

    handles: dict[float, float | str] = {10: "2026-12-20", 50: "2027-01-15", 90: "2027-03-01"}
    assert next_round.range is not None
    cdf = forecast_cdf("date", next_round.range, percentiles=handles)
    words = distribution_words(next_round, cdf)
    assert "T" not in words and "Z" not in words
    assert words.startswith("median 2027-01-1")
