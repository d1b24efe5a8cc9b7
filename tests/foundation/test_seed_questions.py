"""The seed data `tracker seed` loads: questions and evidence notes drawn from the Muscat articles.

They open with the first Muscat round (2026-02-06), close in 2027 or later, cite their sources
honestly (an outlet or day the copy does not give is said to be unknown, never invented) and are
paraphrase: no run of 12 words is copied from the articles.
"""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.config import SEED_DIR
from tracker.errors import parse
from tracker.schemas import QuestionCreate
from tracker.seed import seed
from tracker.services import evidence, questions

ARTICLES_DIR = Path("/work/shared/seeds")
FIRST_MUSCAT_ROUND = datetime(2026, 2, 6, tzinfo=UTC)
# A source's date is a day, or only the month when the copy gives no exact day.
SOURCE_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _load(name: str) -> dict:
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


QUESTIONS = _load("questions.json")["questions"]
NOTES = _load("evidence.json")["evidence"]


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _assert_cites(source: dict, where: str) -> None:
    for key in ("title", "outlet", "date"):
        assert isinstance(source.get(key), str) and source[key].strip(), f"{where}: no {key}"
    assert SOURCE_DATE.match(source["date"]), f"{where}: date {source['date']!r}"
    assert source["date"][:7] <= "2026-02", f"{where}: a source from after the questions"


def test_there_are_at_least_twelve_valid_questions_with_unique_ids():
    assert len(QUESTIONS) >= 12
    assert len({q["id"] for q in QUESTIONS}) == len(QUESTIONS)
    for q in QUESTIONS:
        parse(QuestionCreate, q)  # raises with the reason if a question is not importable


def test_all_three_question_types_are_represented():
    types = [q["type"] for q in QUESTIONS]
    assert set(types) == {"binary", "multiple_choice", "ordered"}
    assert types.count("multiple_choice") >= 2
    assert types.count("ordered") >= 1


def test_every_question_opens_with_the_first_muscat_round_and_closes_in_2027_or_later():
    for q in QUESTIONS:
        assert _time(q["open_time"]) == FIRST_MUSCAT_ROUND, q["id"]
        assert _time(q["close_time"]).year >= 2027, q["id"]


def test_every_question_is_unresolved():
    assert all(q["resolution"] is None and q["resolved_time"] is None for q in QUESTIONS)


def test_every_question_has_resolution_criteria_and_cites_its_sources():
    for q in QUESTIONS:
        assert q["resolution_criteria"].strip(), q["id"]
        assert q["sources"], f"{q['id']} cites no source"
        for i, source in enumerate(q["sources"]):
            _assert_cites(source, f"{q['id']} sources[{i}]")


def test_an_unknown_outlet_or_day_is_said_to_be_unknown_not_made_up():
    """The copies of two articles name no outlet and give only the month; the data says so."""
    sources = {s["title"]: s for q in QUESTIONS for s in q["sources"]}
    assert len(sources) >= 2
    unknown_outlets = [s for s in sources.values() if s["outlet"].lower().startswith("unknown")]
    month_only = [s for s in sources.values() if len(s["date"]) == len("2026-02")]
    assert unknown_outlets and month_only
    assert {s["title"] for s in month_only} == {s["title"] for s in unknown_outlets}


def test_every_evidence_note_names_its_source():
    assert NOTES
    cited_by_questions = {json.dumps(s, sort_keys=True) for q in QUESTIONS for s in q["sources"]}
    for note in NOTES:
        assert note["title"].strip() and note["text"].strip(), note["id"]
        source = note["source"]
        _assert_cites(source, note["id"])
        assert note["outlet"] == source["outlet"], note["id"]
        # A month-only source carries a placeholder day inside that month.
        assert note["published"].startswith(source["date"]), note["id"]
        assert json.dumps(source, sort_keys=True) in cited_by_questions, note["id"]
        assert note["text"].startswith("Paraphrase note"), note["id"]


@pytest.mark.parametrize(
    ("topic", "keywords"),
    [
        ("strikes", ("strike",)),
        ("a deal or framework", ("agreement", "framework", "deal")),
        ("enrichment", ("enrichment",)),
        ("missiles", ("missile",)),
        ("proxies / Hezbollah", ("hezbollah", "prox")),
        ("further rounds of talks", ("rounds",)),
        ("leadership / regime", ("supreme leader", "khamenei", "governs")),
        ("protests", ("protest",)),
        ("Gulf positions", ("gulf", "gcc")),
        ("Israel's position", ("israel-pm", "israel's prime minister")),
        ("oil", ("oil", "brent")),
    ],
)
def test_the_questions_cover_the_topics_of_the_talks(topic, keywords):
    covering = [
        q["id"] for q in QUESTIONS if any(k in f"{q['id']} {q['title']}".lower() for k in keywords)
    ]
    assert covering, f"no question on {topic}"


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


def _grams(text: str, n: int = 12) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_sentence_of_twelve_words_is_copied_from_the_articles():
    articles = sorted(ARTICLES_DIR.glob("*.txt")) if ARTICLES_DIR.is_dir() else []
    if not articles:
        pytest.skip(f"the source articles are not available at {ARTICLES_DIR}")
    copied = set().union(*(_grams(a.read_text(encoding="utf-8")) for a in articles))
    assert len(copied) > 1000  # the articles were read: a few thousand words
    ours = [
        (q["id"], field, q[field])
        for q in QUESTIONS
        for field in ("title", "description", "resolution_criteria")
    ] + [(n["id"], field, n[field]) for n in NOTES for field in ("title", "text")]
    found = [
        f"{where}.{field}: {' '.join(sorted(_grams(text) & copied)[0])}"
        for where, field, text in ours
        if _grams(text) & copied
    ]
    assert found == []


def test_the_cited_article_files_exist():
    if not ARTICLES_DIR.is_dir():
        pytest.skip(f"the source articles are not available at {ARTICLES_DIR}")
    cited = {s["seed_file"] for q in QUESTIONS for s in q["sources"] if s.get("seed_file")}
    cited |= {n["source"]["seed_file"] for n in NOTES if n["source"].get("seed_file")}
    assert cited
    assert {name for name in cited if not (ARTICLES_DIR / name).is_file()} == set()


def test_seeding_stores_the_questions_with_their_sources_and_the_notes_with_outlet_and_date(
    db,
):
    summary = seed(db)
    assert summary.questions_added == len(QUESTIONS)
    assert summary.evidence_added == len(NOTES)
    stored = {q.id: q for q in questions.list_questions(db)}
    assert set(stored) == {q["id"] for q in QUESTIONS}
    for q in QUESTIONS:
        assert [s.title for s in stored[q["id"]].sources] == [s["title"] for s in q["sources"]]
        assert stored[q["id"]].open_time == FIRST_MUSCAT_ROUND
    items = {i.title: i for i in evidence.list_evidence(db) if i.kind == "seed"}
    assert set(items) == {n["title"] for n in NOTES}
    for note in NOTES:
        assert items[note["title"]].outlet == note["outlet"]
        assert items[note["title"]].published_at == _time(note["published"])
        # the note names the article it paraphrases (notes have no link to follow)
        assert (
            f"Source: “{note['source']['title']}”"
            in evidence.get_evidence(db, items[note["title"]].id).text
        )
