"""Backups: `tracker export` of a whole database and `tracker import` into an empty one give
the same database back — every question (with its wording history), forecast (with its original
time, session and phase), resolution, annulment, account, evidence item and link, feed and
session — and export → import → export is byte-identical. Restored databases score identically.
"""

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from typer.testing import CliRunner

from tests.reliability.helpers import JSON_VALUE, json_paths, snapshot
from tests.support import make_user, question_data
from tracker import interchange
from tracker.cli import app
from tracker.config import get_settings
from tracker.db import Database
from tracker.errors import InvalidInput, PermissionDenied, TrackerError
from tracker.evidence.fetch import FetchResult
from tracker.interchange import writing
from tracker.migrate import upgrade_to_head
from tracker.models import EvidenceItem
from tracker.schemas import Actor, ForecastCreate, QuestionEdit, Resolution, UserCreate
from tracker.services import evidence, forecasts, questions, scores, sessions, users

SYSTEM = Actor.system()
PASSWORD = "correct horse"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

MISSILES = (
    "Iranian officials said again that the ballistic missile programme is not negotiable. "
    "Israel wants limits on missile range in any agreement, and Washington raised the issue "
    "in Muscat. Analysts expect Tehran to refuse any cap on its missiles."
)
LONG_STORY = MISSILES + (
    " The foreign ministry spokesman told reporters in Tehran that the country's defensive "
    "capabilities were a red line and would never be traded for sanctions relief. "
    "Western diplomats said the next round in Oman could slip to late spring because the two "
    "delegations still disagree on the agenda. Israeli officials briefed journalists that they "
    "consider the long-range arsenal an existential threat and want it addressed before any "
    "nuclear understanding is signed."
)
OIL = (
    "Brent crude rose above ninety dollars a barrel on Tuesday as traders weighed the risk of "
    "supply disruption in the Strait of Hormuz; the EIA spot price closed at 91.20."
)
RSS = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Oil market update</title><link>https://example.org/oil</link>
<guid>oil-1</guid><description>{OIL} Tankers slowed near the strait.</description></item>
</channel></rss>"""


def fake_fetch(url: str, **limits: object) -> FetchResult:
    return FetchResult(
        url=url,
        final_url=url,
        status=200,
        content_type="application/rss+xml",
        body=RSS.encode(),
        charset="utf-8",
    )


def vector(question_type: str, p: float) -> dict[str, float]:
    if question_type == "binary":
        return {"Yes": p, "No": 1 - p}
    if question_type == "multiple_choice":
        return {"Nuclear only": p, "Nuclear and missiles": (1 - p) / 2, "No agreement": (1 - p) / 2}
    return {"0": (1 - p) / 2, "1-2": p, "3+": (1 - p) / 2}


def build_history(db: Database, clock) -> dict:  # type: ignore[no-untyped-def]
    """A year of team life, made through the services only."""
    clock.now = START
    admin = make_user(db, "admin", "admin")
    people = {name: make_user(db, name) for name in ("alice", "bob", "carol", "dave")}
    make_user(db, "vera", "viewer")
    users.create_user(
        db, admin, UserCreate(name="erin", display_name="Erin Example", role="forecaster")
    )
    users.set_active(db, admin, "dave", False)

    kinds = {
        "us-strike": "binary",
        "deal-scope": "multiple_choice",
        "rounds": "ordered",
        "brent": "binary",
        "annul-me": "binary",
        "retro": "binary",
    }
    questions.create_question(
        db,
        admin,
        question_data(
            sources=[{"title": "Reuters explainer", "url": "https://example.org/r", "date": "2026"}]
        ),
    )
    questions.create_question(
        db,
        admin,
        question_data(
            id="deal-scope",
            title="What will a US–Iran agreement cover?",
            type="multiple_choice",
            options=["Nuclear only", "Nuclear and missiles", "No agreement"],
            tags=["iran", "deal"],
        ),
    )
    questions.create_question(
        db,
        admin,
        question_data(
            id="rounds",
            title="How many more rounds of talks?",
            type="ordered",
            options=["0", "1-2", "3+"],
            close_time="2026-10-01T00:00:00Z",
            hide_until_forecast=False,
        ),
    )
    questions.create_question(
        db,
        admin,
        question_data(
            id="brent",
            title="Will Brent crude trade above $90 in 2026?",
            description="Oil price on the spot market.",
            resolution_criteria="EIA daily Brent spot price above 90 dollars.",
            close_time="2026-12-31T00:00:00Z",
        ),
    )
    questions.create_question(db, admin, question_data(id="annul-me", title="Badly worded"))
    questions.create_question(db, admin, question_data(id="retro", title="Resolved after the fact"))

    def log(name: str, qid: str, p: float, **extra: object) -> int:
        data = ForecastCreate(question_id=qid, probabilities=vector(kinds[qid], p), **extra)
        return forecasts.log_forecast(db, people[name], data).id

    for day, (name, p) in enumerate([("alice", 0.3), ("bob", 0.6), ("carol", 0.45)]):
        clock.now = START + timedelta(days=day, hours=day)
        for qid in kinds:
            log(name, qid, p, rationale=f"{name} on {qid}, day {day}")
    # wording edits: forecasts before and after each keep the revision they answered
    clock.advance(days=3)
    questions.edit_question(db, admin, "us-strike", QuestionEdit(title="US strike on Iran?"))
    log("alice", "us-strike", 0.35, rationale="same view, new wording")
    clock.advance(days=1)
    questions.edit_question(
        db, admin, "us-strike", QuestionEdit(resolution_criteria="Two wire services report it.")
    )
    hidden = log("bob", "us-strike", 0.99, rationale="mis-click")
    forecasts.set_hidden(db, admin, hidden, True, "bob asked: mis-click")

    # evidence: matched automatically, linked and unlinked by hand, a near copy, a feed entry
    clock.advance(days=2)
    first = evidence.add_text(db, people["alice"], title="Missiles", text=LONG_STORY, outlet="Wire")
    changed = LONG_STORY.replace("could slip to late spring", "may slip to early summer")
    clock.advance(hours=1)
    evidence.add_text(
        db,
        people["bob"],
        title="Missiles (updated)",
        text=changed,
        url="https://example.org/missiles",
        published_at=clock.now - timedelta(hours=5),
    )
    clock.advance(hours=1)
    oil = evidence.add_text(db, SYSTEM, title="Brent", text=OIL)
    evidence.link(db, people["carol"], "deal-scope", first.item.id)
    evidence.unlink(db, admin, "brent", oil.item.id)
    evidence.link(db, admin, "rounds", oil.item.id)
    evidence.add_feed(db, people["alice"], "https://example.org/feed.xml")
    clock.advance(hours=1)
    evidence.poll_feeds(db, people["alice"], fetcher=fake_fetch)

    # one team session in each phase, with blind and update forecasts
    def team(title: str, qids: list[str], phases: list[str]) -> int:
        clock.advance(hours=2)
        record = sessions.create_session(
            db,
            people["alice"],
            sessions.SessionCreate(
                title=title, question_ids=qids, participants=["alice", "bob", "carol"]
            ),
        )
        for qid in qids:
            log("bob", qid, 0.5, session_id=record.id, rationale="blind")
            log("carol", qid, 0.4, session_id=record.id)
        for phase in phases:
            clock.advance(minutes=30)
            sessions.advance_phase(db, people["alice"], record.id, phase)
            if phase == "update":
                log("carol", qids[0], 0.55, session_id=record.id, rationale="after the reveal")
        return record.id

    team("Still blind", ["deal-scope"], [])
    team("Revealed", ["us-strike"], ["reveal"])
    team("Updating", ["rounds", "brent"], ["reveal", "update"])
    team("Done", ["us-strike", "deal-scope"], ["reveal", "update", "closed"])

    # later forecasts, then resolutions: on time, early, retroactive, annulled
    clock.now = datetime(2026, 7, 1, 12, tzinfo=UTC)
    log("alice", "brent", 0.8, rationale="spike")
    log("bob", "retro", 0.9, rationale="it already happened?")
    clock.now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    questions.resolve_question(db, admin, "rounds", Resolution(option="1-2", source="Reuters"))
    questions.resolve_question(
        db,
        admin,
        "brent",
        Resolution(option="Yes", resolved_time=datetime(2026, 8, 1, tzinfo=UTC), note="EIA: 91.20"),
    )
    questions.resolve_question(  # the event was on 15 June; bob forecast after it, unaware
        db,
        admin,
        "retro",
        Resolution(option="Yes", resolved_time=datetime(2026, 6, 15, tzinfo=UTC)),
    )
    questions.resolve_question(db, admin, "annul-me", Resolution(annul=True, note="ambiguous"))
    return {"admin": admin, **people}


@pytest.fixture
def history(db, clock) -> dict:  # type: ignore[no-untyped-def]
    return build_history(db, clock)


def test_the_history_has_every_kind_of_record(db, history):
    document = interchange.export_document(db)
    assert {q["type"] for q in document["questions"]} == {"binary", "multiple_choice", "ordered"}
    assert {q["resolution"] for q in document["questions"]} >= {None, "annulled", "Yes", "1-2"}
    assert {s["phase"] for s in document["sessions"]} == {"blind", "reveal", "update", "closed"}
    assert {f.get("phase") for f in document["forecasts"]} == {None, "blind", "update"}
    assert any(f.get("hidden") for f in document["forecasts"])
    assert any(f.get("late") for f in document["forecasts"])
    assert {f.get("revision") for f in document["forecasts"]} == {None, 1, 2}
    links = [link for item in document["evidence"] for link in item["links"]]
    assert {(link["method"], link["state"]) for link in links} >= {
        ("auto", "linked"),
        ("manual", "linked"),
        ("manual", "unlinked"),
    }
    assert any(item["near_duplicate_of"] for item in document["evidence"])
    assert any(item["feed"] for item in document["evidence"])
    assert _first(document["questions"], id="us-strike")["revisions"]
    assert {u["name"]: u["active"] for u in document["users"]}["dave"] is False
    assert "password_hash" not in json.dumps(document)


def test_the_streamed_export_is_the_whole_documents_bytes_for_every_kind_of_row(db, history):
    """Hidden, late, revised and session forecasts leave the row templates by their tails."""
    for credentials in (False, True):
        whole = writing.dumps(interchange.export_document(db, credentials=credentials))
        assert interchange.export_json(db, credentials=credentials) == whole


def test_export_import_into_an_empty_database_export_is_byte_identical(db, history, other_db):
    first = interchange.export_json(db)
    summary = interchange.import_text(other_db, SYSTEM, first)
    assert summary.questions_added == 6 and summary.sessions_added == 4
    assert summary.evidence_added == 4 and summary.users_added == 7
    assert interchange.export_json(other_db) == first


def test_with_credentials_the_byte_identical_restore_keeps_the_passwords(db, history, other_db):
    first = interchange.export_json(db, credentials=True)
    assert '"password_hash": "$argon2id$' in first
    interchange.import_text(other_db, SYSTEM, first)
    assert interchange.export_json(other_db, credentials=True) == first
    assert users.authenticate(other_db, "alice", PASSWORD).name == "alice"
    assert users.get_user(other_db, "erin").has_password is False


def test_without_credentials_restored_accounts_wait_for_a_new_password(db, history, other_db):
    interchange.import_text(other_db, SYSTEM, interchange.export_json(db))
    restored = {u.name: u for u in users.list_users(other_db)}
    assert {u.name: (u.role, u.is_active) for u in users.list_users(db)} == {
        name: (u.role, u.is_active) for name, u in restored.items()
    }
    assert not any(u.has_password for u in restored.values())
    with pytest.raises(PermissionDenied):
        users.authenticate(other_db, "admin", PASSWORD)
    users.set_password(
        other_db, SYSTEM, "admin", "a fresh password"
    )  # `tracker users set-password`
    assert users.authenticate(other_db, "admin", "a fresh password").role == "admin"


def test_the_restored_database_scores_identically(db, history, other_db):
    interchange.import_text(other_db, SYSTEM, interchange.export_json(db))
    original = scores.all_scores(db)
    assert {row.question_id for row in original} == {"rounds", "brent", "retro"}
    assert scores.all_scores(other_db) == original
    assert scores.leaderboard(other_db) == scores.leaderboard(db)


def test_the_restored_database_reads_the_same_through_the_services(db, history, other_db):
    interchange.import_text(other_db, SYSTEM, interchange.export_json(db))

    def forecast_view(database: Database) -> list[tuple]:
        return sorted(
            (
                *(f.question_id, f.user, f.created_at, f.probabilities, f.rationale),
                *(f.question_revision, f.session_phase, f.hidden, f.session_id is not None),
            )
            for f in forecasts.forecast_history(database, include_hidden=True)
        )

    def session_view(database: Database) -> list[tuple]:
        return sorted(
            (
                *(s.title, s.facilitator, s.phase, s.created_at, s.phase_changed_at),
                *(tuple(s.question_ids), tuple(s.participants)),
            )
            for s in sessions.list_sessions(database)
        )

    def evidence_view(database: Database) -> list[tuple]:
        titles = {e.id: e.content_hash for e in evidence.list_evidence(database)}
        return sorted(
            (
                *(e.content_hash, e.title, e.outlet, e.url, e.published_at, e.added_at),
                *(e.added_by, e.kind, titles.get(e.near_duplicate_of), e.text),
                *(
                    (link.question_id, link.score, link.method, link.state)
                    for link in evidence.links_for_evidence(database, e.id)
                ),
            )
            for e in evidence.list_evidence(database)
        )

    assert forecast_view(other_db) == forecast_view(db)
    assert session_view(other_db) == session_view(db)
    assert evidence_view(other_db) == evidence_view(db)
    assert questions.list_revisions(other_db, "us-strike") == questions.list_revisions(
        db, "us-strike"
    )
    for q in questions.list_questions(db):
        restored = questions.get_question(other_db, q.id)
        assert restored.model_dump(exclude={"created_at", "updated_at"}) == q.model_dump(
            exclude={"created_at", "updated_at"}
        )
    with db.read() as a, other_db.read() as b:
        signatures = {e.content_hash: e.minhash for e in a.exec(select(EvidenceItem))}
        assert {e.content_hash: e.minhash for e in b.exec(select(EvidenceItem))} == signatures


def test_restoring_the_same_backup_again_adds_nothing(db, history, other_db):
    text = interchange.export_json(db, credentials=True)
    interchange.import_text(other_db, SYSTEM, text)
    before = snapshot(other_db)
    again = interchange.import_text(other_db, SYSTEM, text)
    assert (again.questions_added, again.forecasts_added, again.users_added) == (0, 0, 0)
    assert (again.evidence_added, again.links_added, again.sessions_added) == (0, 0, 0)
    assert again.questions_unchanged == 6 and again.forecasts_unchanged > 0
    export, counts, accounts = snapshot(other_db)
    assert (export, accounts) == before[::2]
    assert counts == before[1] | {"audit_event": before[1]["audit_event"] + 1}  # the import


def _first(rows: list[dict], **match: object) -> dict:
    return next(r for r in rows if all(r.get(k) == v for k, v in match.items()))


DAMAGE = [
    (
        "altered evidence text",
        lambda d: d["evidence"][0].update(text=d["evidence"][0]["text"] + " Forged."),
        r"evidence\[0\].*hash does not match",
    ),
    (
        "evidence text with a bidi override",
        lambda d: d["evidence"][0].update(text="\u202e" + d["evidence"][0]["text"]),
        r"evidence\[0\].*not as ingest stores it",
    ),
    (
        "evidence linked to an unknown question",
        lambda d: d["evidence"][0]["links"].append(
            d["evidence"][0]["links"][0] | {"question_id": "nope"}
        ),
        r"evidence\[0\].*unknown question 'nope'",
    ),
    (
        "evidence added by an unknown user",
        lambda d: d["evidence"][0].update(added_by="mallory"),
        r"evidence\[0\].*no user named 'mallory'",
    ),
    (
        "duplicate evidence",
        lambda d: d["evidence"].append(d["evidence"][0]),
        r"evidence\[4\]: duplicate hash",
    ),
    ("unknown feed", lambda d: d.update(feeds=[]), r"evidence\[3\].*no feed"),
    (
        "forecast in an unknown session",
        lambda d: _first(d["forecasts"], phase="blind").update(session=99),
        r"forecasts\[\d+\].*no session with ref 99",
    ),
    (
        "phase without a session",
        lambda d: _first(d["forecasts"], phase="blind").pop("session"),
        r"forecasts\[\d+\].*both 'session' and 'phase'",
    ),
    (
        "forecast by a non-participant",
        lambda d: _first(d["forecasts"], phase="update").update(user="erin"),
        r"forecasts\[\d+\].*not a participant",
    ),
    (
        "session with an unknown participant",
        lambda d: d["sessions"][0]["participants"].append("mallory"),
        r"sessions\[0\].*no user named 'mallory'",
    ),
    (
        "duplicate session ref",
        lambda d: d["sessions"][1].update(ref=1),
        r"sessions\[1\]: duplicate ref",
    ),
    (
        "session phase out of order in time",
        lambda d: d["sessions"][0].update(phase_changed_at="2026-01-01T00:00:00Z"),
        r"sessions\[0\].*before created_at",
    ),
    (
        "revisions out of order",
        lambda d: _first(d["questions"], id="us-strike")["revisions"].reverse(),
        r"questions\[\d+\].*numbered 1, 2, 3",
    ),
    (
        "last revision is not the current wording",
        lambda d: _first(d["questions"], id="us-strike").update(title="Something else"),
        r"questions\[\d+\].*last revision is not the question's current wording",
    ),
    (
        "forecast on a revision that does not exist",
        lambda d: _first(d["forecasts"], question_id="rounds").update(revision=7),
        r"forecasts\[\d+\].*revision 7 is newer",
    ),
    (
        "a late flag that is not true",
        lambda d: _first(d["forecasts"], question_id="rounds").update(late=True),
        r"forecasts\[\d+\].*marked late",
    ),
    (
        "a late forecast without its flag",
        lambda d: _first(d["forecasts"], late=True).pop("late"),
        r"forecasts\[\d+\].*after the question closed or resolved",
    ),
    (
        "a password hash that is not argon2",
        lambda d: d["users"][0].update(password_hash="5f4dcc3b5aa765d61d8327deb882cf99"),
        r"users\[0\].*not an argon2 hash",
    ),
    ("an unknown role", lambda d: d["users"][0].update(role="root"), r"users\[0\].*role"),
    (
        "duplicate user",
        lambda d: d["users"].append(d["users"][0] | {"role": "viewer"}),
        r"users\[7\]: duplicate name",
    ),
    ("sessions not a list", lambda d: d.update(sessions={}), "'sessions' must be a list"),
]


@pytest.mark.parametrize(
    ("damage", "message"), [pytest.param(f, m, id=name) for name, f, m in DAMAGE]
)
def test_a_damaged_backup_restores_nothing_and_says_why(db, history, other_db, damage, message):
    document = json.loads(interchange.export_json(db, credentials=True))
    damage(document)
    with pytest.raises(InvalidInput, match=message):
        interchange.import_text(other_db, SYSTEM, json.dumps(document))
    assert all(n == 0 for n in snapshot(other_db)[1].values())


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_randomly_damaged_backup_restores_whole_or_not_at_all(db, history, other_db, data):  # type: ignore[no-untyped-def]
    """Any part of a backup replaced by any JSON value: the restore succeeds or fails with a
    clear error and leaves the target as it was; it never crashes with anything else."""
    document = json.loads(interchange.export_json(db, credentials=True))
    sections = ["users", "feeds", "evidence", "sessions"]
    paths = [p for p in json_paths(document)[1:] if p[0] in sections or len(p) > 2]
    path = data.draw(st.sampled_from(paths), label="path")
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = data.draw(JSON_VALUE, label="replacement")
    before = snapshot(other_db)
    try:
        interchange.import_text(other_db, SYSTEM, json.dumps(document))
    except TrackerError as exc:
        assert len(str(exc)) <= 400 and "\n" not in str(exc)
        assert snapshot(other_db) == before


def test_restoring_over_a_different_account_is_refused(db, history, other_db):
    make_user(other_db, "alice", "viewer")
    before = snapshot(other_db)
    with pytest.raises(InvalidInput, match=r"users\[\d+\] \('alice'\).*different"):
        interchange.import_text(other_db, SYSTEM, interchange.export_json(db))
    assert snapshot(other_db) == before


def test_plain_design_documents_still_import_without_the_backup_sections(other_db, admin):
    plain = {
        "format": "forecast-tracker/1",
        "questions": [question_data().model_dump(mode="json") | {"resolution": None}],
        "forecasts": [
            {
                "question_id": "us-strike",
                "user": "zoe",
                "time": "2026-03-01T00:00:00Z",
                "probability": 0.2,
            }
        ],
    }
    plain["questions"][0].pop("hide_until_forecast")
    summary = interchange.import_document(other_db, SYSTEM, plain)
    assert (summary.questions_added, summary.forecasts_added, summary.users_added) == (1, 1, 1)


# ---------------------------------------------------------------- the command line


@pytest.fixture
def cli_databases(env_db, blank_database_url, clock, monkeypatch):  # type: ignore[no-untyped-def]
    """A migrated source database holding the history, and a target with no tables at all;
    the commands run on the test's clock (the history ends in late 2026)."""
    source = Database(env_db, clock=clock)
    upgrade_to_head(source)
    build_history(source, clock)
    source.dispose()
    monkeypatch.setattr(
        Database,
        "from_settings",
        classmethod(lambda cls, settings=None: cls(get_settings().database_url, clock=clock)),
    )
    return env_db, blank_database_url


def run(url: str, monkeypatch, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    return CliRunner().invoke(app, list(args))


def test_tracker_export_then_import_restores_the_database(cli_databases, tmp_path, monkeypatch):
    source_url, target_url = cli_databases
    backup = tmp_path / "backup.json"
    result = run(source_url, monkeypatch, "export", "--output", str(backup))
    assert result.exit_code == 0, result.output
    result = run(target_url, monkeypatch, "import", str(backup))
    assert result.exit_code == 0, result.output
    assert "4 sessions" in result.output and "4 evidence items" in result.output
    again = tmp_path / "again.json"
    assert run(target_url, monkeypatch, "export", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == backup.read_bytes()


def test_tracker_export_with_credentials_writes_a_private_file(
    cli_databases, tmp_path, monkeypatch
):
    source_url, _ = cli_databases
    backup = tmp_path / "secret.json"
    result = run(source_url, monkeypatch, "export", "--with-credentials", "-o", str(backup))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert "$argon2id$" in backup.read_text()
    result = run(source_url, monkeypatch, "export", "--with-credentials", "--format", "csv")
    assert result.exit_code == 1 and "needs --format json" in result.output


def test_a_link_the_model_judged_keeps_its_method_passage_and_reason(db, history, other_db):
    from tracker.models import QuestionEvidence

    with db.write() as session:
        automatic = select(QuestionEvidence).where(QuestionEvidence.method == "auto")
        link = session.exec(automatic).first()
        link.method, link.passage, link.reason = "llm", "A passage.", "Bears on the strike."
        session.add(link)
        key = (link.question_id, link.evidence_id)
    first = interchange.export_json(db)
    interchange.import_text(other_db, SYSTEM, first)
    with other_db.read() as session:
        restored = {
            (r.question_id, r.method, r.passage, r.reason)
            for r in session.exec(select(QuestionEvidence))
        }
    assert (key[0], "llm", "A passage.", "Bears on the strike.") in restored
    assert interchange.export_json(other_db) == first
