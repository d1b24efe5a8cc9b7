"""Seed windows end at the end of the day a title names, and a fixed seed reaches old installs.

An install seeded with an earlier wording gets the current one as a new revision on the next
`tracker seed`, unless an admin has edited the question since (then it is left alone); options
that already carry forecasts keep their words.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker.config import SEED_DIR
from tracker.schemas import ForecastCreate, QuestionEdit
from tracker.seed import seed
from tracker.seed_updates import EARLIER_VERSIONS, seed_fingerprint
from tracker.services import forecasts, questions

ARTICLES_DIR = Path("/work/shared/seeds")
QUESTIONS = json.loads((SEED_DIR / "questions.json").read_text("utf-8"))["questions"]
BY_ID = {q["id"]: q for q in QUESTIONS}
NAMED_DAY = re.compile(r"(\d{1,2}) (June|December) (\d{4})")
MONTHS = {"June": 6, "December": 12}


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _last_named_day(title: str) -> datetime:
    day, month, year = NAMED_DAY.findall(title)[-1]
    return datetime(int(year), MONTHS[month], int(day), tzinfo=UTC)


@pytest.mark.parametrize("q", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_a_window_ends_at_the_end_of_the_day_the_title_names(q):
    named = _last_named_day(q["title"])
    end = named + timedelta(days=1)
    assert _time(q["close_time"]) == end
    stamp = end.strftime("%Y-%m-%dT00:00Z")
    spoken = f"{stamp} (end of {named.day} {named.strftime('%B %Y')})"
    assert spoken in q["resolution_criteria"]
    assert named.strftime("%Y-%m-%dT00:00Z") not in q["resolution_criteria"]


def test_the_israeli_pm_options_cannot_both_apply():
    q = BY_ID["israel-pm-stance-on-us-iran-agreement-by-2027-06"]
    assert "checked in this order and the first that applies" in q["resolution_criteria"]
    assert not any(o.startswith("Mixed") for o in q["options"])


def test_a_drone_strike_that_kills_a_person_is_still_an_israeli_strike():
    criteria = BY_ID["israel-strike-iran-by-2027-06"]["resolution_criteria"]
    assert "counts even when its target is a person" in criteria
    assert "Covert sabotage, targeted killings" not in criteria


def test_the_most_direct_format_needs_the_same_minimum_rank_as_a_round():
    criteria = BY_ID["us-iran-talks-most-direct-format-by-2027-06"]["resolution_criteria"]
    assert "at least deputy-minister rank" in criteria


def test_missiles_aimed_at_israel_and_intercepted_over_the_gulf_do_not_count():
    criteria = BY_ID["iran-strike-on-gcc-territory-by-2027-06"]["resolution_criteria"]
    assert "aimed at Israel or another target outside the GCC" in criteria
    assert "or are intercepted over, the territory" not in criteria


def test_an_agreement_without_nuclear_terms_has_an_enrichment_answer():
    q = BY_ID["enrichment-level-in-us-iran-agreement-by-2027-12"]
    assert "agreements without nuclear terms" in q["options"][0]
    assert "none contains nuclear commitments" in q["resolution_criteria"]


def test_the_protests_question_has_one_threshold():
    criteria = BY_ID["iran-nationwide-protests-by-2027-06"]["resolution_criteria"]
    assert "at least 10 of Iran's 31 provinces" in criteria
    assert "is enough if" not in criteria


def test_every_source_of_the_hezbollah_question_mentions_hezbollah():
    if not ARTICLES_DIR.is_dir():
        pytest.skip(f"the source articles are not available at {ARTICLES_DIR}")
    for source in BY_ID["hezbollah-disarmament-declared-by-2027-12"]["sources"]:
        text = (ARTICLES_DIR / source["seed_file"]).read_text("utf-8")
        assert "hezbollah" in text.lower(), source["title"]


def test_every_seed_question_has_its_earlier_wording_on_record():
    earlier = json.loads((SEED_DIR / EARLIER_VERSIONS).read_text("utf-8"))["questions"]
    assert set(earlier) == set(BY_ID)
    for q in QUESTIONS:
        assert seed_fingerprint(q) not in earlier[q["id"]], f"{q['id']}: current listed as old"


def _seed_dir(tmp_path: Path, name: str, docs: list[dict], earlier: list[dict]) -> Path:
    """A seed folder with these questions and these earlier wordings on record."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "questions.json").write_text(
        json.dumps({"format": "forecast-tracker/1", "questions": docs, "forecasts": []}), "utf-8"
    )
    record = {"questions": {q["id"]: [seed_fingerprint(q)] for q in earlier}}
    (folder / EARLIER_VERSIONS).write_text(json.dumps(record), "utf-8")
    return folder


def _old(q: dict) -> dict:
    """The question as an earlier seed had it: the window ending 00:00Z on the named day."""
    named = _last_named_day(q["title"]).strftime("%Y-%m-%dT00:00:00Z")
    return {**q, "close_time": named, "resolution_criteria": q["resolution_criteria"] + " (old)"}


def test_seed_brings_an_unedited_old_install_to_the_current_wording_as_a_new_revision(db, tmp_path):
    ids = ["us-strike-iran-by-2027-06", "israel-strike-iran-by-2027-06"]
    old = [_old(BY_ID[i]) for i in ids]
    seed(db, _seed_dir(tmp_path, "old", old, []))
    summary = seed(db, _seed_dir(tmp_path, "new", [BY_ID[i] for i in ids], old))
    assert summary.reworded == ids
    for i in ids:
        stored = questions.get_question(db, i)
        assert stored.close_time == _time(BY_ID[i]["close_time"])
        assert stored.resolution_criteria == BY_ID[i]["resolution_criteria"]
        revisions = questions.list_revisions(db, i)
        assert [r.revision for r in revisions] == [1, 2]
        assert revisions[0].resolution_criteria.endswith("(old)")
    again = seed(db, _seed_dir(tmp_path, "again", [BY_ID[i] for i in ids], old))
    assert again.reworded == []  # idempotent


def test_seed_leaves_a_question_an_admin_edited_alone(db, admin, tmp_path):
    qid = "us-strike-iran-by-2027-06"
    old = [_old(BY_ID[qid])]
    seed(db, _seed_dir(tmp_path, "old", old, []))
    questions.edit_question(db, admin, qid, QuestionEdit(description="Our own background."))
    summary = seed(db, _seed_dir(tmp_path, "new", [BY_ID[qid]], old))
    assert summary.reworded == []
    assert questions.get_question(db, qid).description == "Our own background."


def test_seed_keeps_options_that_carry_forecasts_and_still_fixes_the_wording(db, alice, tmp_path):
    qid = "israel-pm-stance-on-us-iran-agreement-by-2027-06"
    old = [{**_old(BY_ID[qid]), "options": [*BY_ID[qid]["options"][:3], "Mixed"]}]
    seed(db, _seed_dir(tmp_path, "old", old, []))
    share = {o: 0.25 for o in old[0]["options"]}
    forecasts.log_forecast(db, alice, ForecastCreate(question_id=qid, probabilities=share))
    summary = seed(db, _seed_dir(tmp_path, "new", [BY_ID[qid]], old))
    assert summary.reworded == [qid] and summary.options_kept == [qid]
    stored = questions.get_question(db, qid)
    assert stored.options == old[0]["options"]
    assert stored.resolution_criteria == BY_ID[qid]["resolution_criteria"]


def test_seeding_an_old_install_edits_nothing_when_the_seed_is_current(db):
    seed(db)
    assert seed(db).reworded == []
    assert all(len(questions.list_revisions(db, q["id"])) == 1 for q in QUESTIONS)
