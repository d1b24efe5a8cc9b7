"""A synthetic practice history for trying the app (`tracker demo`).

Everything is invented and labelled as such: members are called `demo-*` (password
`demo-password`), every question title starts with "[Practice]" and is tagged "practice", the
evidence comes from the "Practice Gazette (fictional)", and the subjects are fictional towns,
clubs and firms, so nothing here is a claim about the real world. It is written through the
interchange importer and the services (the same paths real data takes), from a fixed seed and
relative to the server clock's day: the same seed on the same day gives the same database.

There is something on every page: open questions with new evidence and summaries, a leaderboard
and calibration from 23 scored questions (plus one annulled), three questions resolved in the
last week after a closed team session (blind forecasts, reveal, updates), and one question
closed and awaiting resolution for demo-admin to resolve.
"""

import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import SecretStr
from sqlalchemy import MetaData, inspect, text

from tracker.db import Database
from tracker.errors import Conflict
from tracker.interchange import FORMAT, format_time, import_document
from tracker.schemas import Actor, ForecastCreate, Resolution, UserCreate
from tracker.scoring.aggregate import median as median_pool
from tracker.services import evidence, forecasts, questions, sessions, summaries, users

DEMO_URL = "sqlite:///data/demo.db"
DEMO_PASSWORD = "demo-password"
SEED = 20_240_611

# name, display name, role, noise (logit sd), confidence (logit scale), activity (0..1)
MEMBERS = [
    ("demo-admin", "Dana (demo admin)", "admin", 0.55, 1.0, 0.55),
    ("demo-ana", "Ana (demo)", "forecaster", 0.35, 1.05, 0.95),
    ("demo-ben", "Ben (demo)", "forecaster", 0.6, 1.7, 0.8),
    ("demo-chloe", "Chloé (demo)", "forecaster", 0.45, 0.65, 0.85),
    ("demo-dev", "Dev (demo)", "forecaster", 0.8, 1.0, 0.6),
    ("demo-eli", "Eli (demo)", "forecaster", 0.5, 1.2, 0.75),
    ("demo-fay", "Fay (demo)", "forecaster", 0.4, 0.9, 0.9),
    ("demo-gus", "Gus (demo)", "forecaster", 1.0, 1.4, 0.5),
]
VIEWER = ("demo-vic", "Vic (demo viewer)", "viewer")

BINARY = [
    ("the Northwind Rowing Club win the Harbour Cup regatta", "rowing"),
    ("Port Avalon's council approve the riverside tram line", "transport"),
    ("the Lumenfield app cooperative ship version 2.0", "tech"),
    ("Greyhollow Library pass 10,000 registered members", "culture"),
    ("the Marlow Valley reservoir stand above 80% capacity at the end of the month", "weather"),
    ("the Kestrel Bay ferry switch to its winter timetable early", "transport"),
    ("Brightwater FC finish in the top three of the Coastal League", "sport"),
    ("the Aldermoor bakery cooperative open a second shop", "business"),
    ("Fenwick's night market run on every Friday of the month", "culture"),
    ("the Thornbury bridge repairs finish on schedule", "transport"),
    ("Oakridge Observatory announce a new comet sighting", "science"),
    ("the Saltmarsh Choir qualify for the regional final", "culture"),
    ("Harrowgate's recycling rate pass 60% in the quarterly report", "environment"),
    ("the Millbrook cycle lane open to the public", "transport"),
    ("the Copperfield tech meetup draw more than 200 people", "tech"),
    ("the Larchmont farmers' market add a winter season", "business"),
    ("Westmere's river festival go ahead despite the flood warning", "weather"),
    ("the Ravensworth chess club win the county league", "sport"),
    ("the Elmstead museum extend its opening hours", "culture"),
    ("Pinecrest school's robotics team reach the national final", "science"),
    ("the Glenholm wind cooperative connect its third turbine", "environment"),
    ("the Dunmore harbour dredging start before the deadline", "business"),
    ("Ashby's new community pool open", "sport"),
]
MULTI = [
    (
        "Which team will win the Fenwick Quiz League season?",
        ["The Owls", "Quizzly Bears", "Les Quizerables", "Another team"],
        "culture",
    ),
    (
        "Which route will Port Avalon pick for its second tram line?",
        ["Harbour route", "University route", "Old Town route"],
        "transport",
    ),
    (
        "Who will win the Greyhollow bake-off final?",
        ["Team Crumb", "The Proofers", "Sourdough Society"],
        "culture",
    ),
]
ORDERED = [
    (
        "How many visitors will the Elmstead museum report for the month?",
        ["Under 5,000", "5,000–10,000", "10,000–20,000", "Over 20,000"],
        "culture",
    ),
    (
        "How much rain will the Marlow Valley gauge record over the month?",
        ["Under 40 mm", "40–80 mm", "80–120 mm", "Over 120 mm"],
        "weather",
    ),
    (
        "How many boats will enter the Harbour Cup regatta?",
        ["Fewer than 20", "20–39", "40–59", "60 or more"],
        "sport",
    ),
    (
        "How many members will the Lumenfield cooperative report at year end?",
        ["Under 500", "500–999", "1,000–1,999", "2,000 or more"],
        "tech",
    ),
]
REASONS_UP = [
    "The practice bulletin says preparations are ahead of plan, so I moved up.",
    "Base rate for comparable fictional clubs is high; nudging up after the latest note.",
    "Two independent (practice) reports now point the same way. Up.",
    "Momentum looks real this time; raising a little, not all the way.",
]
REASONS_DOWN = [
    "The practice notes mention a delay; moving down.",
    "I was too confident earlier: similar projects usually slip. Down.",
    "Nothing new for weeks, and time is running out. Lowering.",
    "The organisers sounded less sure in the last bulletin. Down a bit.",
]
REASONS_FLAT = [
    "First look: starting near the base rate for this kind of question.",
    "No real news; restating my forecast so it does not go stale.",
    "Splitting the difference between the optimists and the sceptics in the team.",
    "",
]

SESSION_REASON_BLIND = "Blind estimate for the practice team session, before seeing anyone else's."
SESSION_REASON_UPDATE = (
    "After the practice session's discussion: moved part of the way towards the team median."
)
EVIDENCE_OUTLET = "Practice Gazette (fictional)"

# Question layout (index into the 30 specs): what each page gets to show.
N_QUESTIONS = 30
ANNULLED_INDEX = 7  # resolved long ago but annulled (excluded from every score)
AWAITING_INDEX = 21  # closed a few days ago, not resolved yet: demo-admin can try resolving it
SESSION_INDEXES = (22, 23, 24)  # resolved in the last week, after a team session a month ago
FIRST_OPEN = 25  # 25..29 are still open
SESSION_PARTICIPANTS = ("demo-admin", "demo-ana", "demo-ben", "demo-chloe", "demo-fay")
SESSION_TITLE = "[Practice] Team session: three practice questions, blind then update"
SESSION_DAYS_AGO = 30

DemoState = Literal["empty", "demo", "partial", "foreign"]


@dataclass
class DemoSummary:
    members: list[str] = field(default_factory=list)
    questions: int = 0
    forecasts: int = 0
    session_forecasts: int = 0
    evidence: int = 0
    summaries: int = 0
    already_present: bool = False

    @property
    def message(self) -> str:
        if self.already_present:
            return "demo: the practice data is already loaded (nothing changed)"
        return (
            f"demo: {len(self.members)} members, {self.questions} practice questions, "
            f"{self.forecasts + self.session_forecasts} forecasts (incl. a closed team session), "
            f"{self.evidence} evidence notes, {self.summaries} summaries"
        )


def member_names() -> list[str]:
    return [m[0] for m in MEMBERS] + [VIEWER[0]]


# ------------------------------------------------------------------ what the database holds


def demo_state(db: Database) -> DemoState:
    """What the database holds, read with plain SQL so it works before any migration:
    'empty' (no rows), 'demo' (the complete practice history), 'partial' (practice rows only,
    an interrupted build) or 'foreign' (anything else: never touch it)."""
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    if not tables:
        return "empty"
    if not {"user_account", "question"} <= tables:
        return "foreign"

    def column(sql: str, table: str) -> list:
        if table not in tables:
            return []
        with db.engine.connect() as conn:
            return list(conn.execute(text(sql)).scalars())

    names = column("SELECT name FROM user_account", "user_account")
    question_ids = column("SELECT id FROM question", "question")
    outlets = column("SELECT outlet FROM evidence_item", "evidence_item")
    feeds = column("SELECT id FROM feed", "feed")
    sessions_ = column("SELECT title FROM forecast_session", "forecast_session")
    if (
        any(name not in member_names() for name in names)
        or any(not qid.startswith("practice-") for qid in question_ids)
        or any(outlet != EVIDENCE_OUTLET for outlet in outlets)
        or any(title != SESSION_TITLE for title in sessions_)
        or feeds
    ):
        return "foreign"
    if not (names or question_ids or outlets or sessions_):
        return "empty"
    complete = (
        set(names) == set(member_names())
        and len(question_ids) == N_QUESTIONS
        and len(sessions_) == 1
    )
    return "demo" if complete else "partial"


def reset(db: Database) -> None:
    """Drop every table of a practice database (refused when it holds anything else)."""
    if demo_state(db) == "foreign":
        raise Conflict(_FOREIGN)
    metadata = MetaData()
    metadata.reflect(db.engine)
    with db.engine.begin() as conn:
        metadata.drop_all(conn)


_FOREIGN = (
    "this database holds data that is not the practice demo (other users, questions, evidence "
    "or feeds); refusing to touch it: point --database-url at a separate, new database"
)


# ------------------------------------------------------------------ building it


def build_demo(db: Database, *, seed: int = SEED) -> DemoSummary:
    """Load the practice history into `db` (migrated and empty); a second run does nothing.

    Refuses a database that holds anything but the practice data. The history is relative to
    the server clock's day, so the same seed on the same day gives the same database.
    """
    state = demo_state(db)
    if state == "foreign":
        raise Conflict(_FOREIGN)
    summary = DemoSummary(members=member_names())
    if state == "demo":
        summary.already_present = True
        return summary
    if state == "partial":
        raise Conflict(
            "this database holds an incomplete practice history (an interrupted build?); "
            "rebuild it with `tracker demo --reset`"
        )
    rng = random.Random(seed)
    today = db.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for name, display, role, *_ in [*MEMBERS, (*VIEWER, 0, 0, 0)]:
        users.create_user(
            db,
            Actor.system(),
            UserCreate(
                name=name, display_name=display, role=role, password=SecretStr(DEMO_PASSWORD)
            ),
        )
    specs = _question_specs(rng, today)
    session_day = today - timedelta(days=SESSION_DAYS_AGO, hours=-15)
    document = _document(rng, specs, session_day)
    import_document(db, Actor.system(), document)
    summary.questions = len(document["questions"])
    summary.forecasts = len(document["forecasts"])
    summary.session_forecasts = _team_session(
        db, rng, [specs[i] for i in SESSION_INDEXES], session_day
    )
    open_questions = {
        spec["question"]["id"]: spec["question"]["title"] for spec in specs[FIRST_OPEN:]
    }
    summary.evidence = _evidence(db, open_questions, today)
    summary.summaries = len(summaries.summarize_questions(db, Actor.system(), list(open_questions)))
    return summary


# ------------------------------------------------------------------ questions


def _document(rng: random.Random, specs: list[dict], session_day: datetime) -> dict:
    """The interchange document; the session questions go in unresolved (they are resolved
    after the session, through the service) and without the participants' later forecasts."""
    question_rows, forecast_rows = [], []
    for index, spec in enumerate(specs):
        question = dict(spec["question"])
        rows = _forecasts(rng, spec)
        if index in SESSION_INDEXES:
            question.update(resolution=None, resolved_time=None, resolution_note="")
            cutoff = format_time(session_day)
            rows = [r for r in rows if r["user"] not in SESSION_PARTICIPANTS or r["time"] < cutoff]
        question_rows.append(question)
        forecast_rows.extend(rows)
    return {"format": FORMAT, "questions": question_rows, "forecasts": forecast_rows}


def _question_specs(rng: random.Random, today: datetime) -> list[dict]:
    """30 practice questions: resolved weeks or months ago (one annulled), one closed and
    awaiting resolution, three resolved in the last week (the team session's), five open."""
    kinds = (
        [("binary", b) for b in BINARY[:18]]
        + [("multiple_choice", m) for m in MULTI[:2]]
        + [("ordered", o) for o in ORDERED[:3]]
        + [("binary", b) for b in BINARY[18:21]]
        + [("multiple_choice", MULTI[2]), ("ordered", ORDERED[3])]
        + [("binary", b) for b in BINARY[21:]]
    )
    assert len(kinds) == N_QUESTIONS
    specs = []
    for index, (kind, data) in enumerate(kinds):
        if index >= FIRST_OPEN:
            opened = today - timedelta(days=rng.randint(20, 60))
            close = today + timedelta(days=rng.randint(20, 140))
        else:
            recent = index == AWAITING_INDEX or index in SESSION_INDEXES
            close = today - timedelta(days=rng.randint(1, 6) if recent else rng.randint(10, 250))
            # the session's questions were open well before and well after the session day
            length = rng.randint(60, 80) if index in SESSION_INDEXES else rng.randint(30, 100)
            opened = close - timedelta(days=length)
        resolved = index < FIRST_OPEN and index != AWAITING_INDEX
        spec = _spec(rng, index, kind, data, opened, close, resolved, index == ANNULLED_INDEX)
        spec["end"] = min(close, today)
        specs.append(spec)
    return specs


def _spec(
    rng: random.Random,
    index: int,
    kind: str,
    data: tuple,
    opened: datetime,
    close: datetime,
    resolved: bool,
    annul: bool,
) -> dict:
    when = close.strftime("%d %B %Y")
    if kind == "binary":
        event, tag = data
        title = f"[Practice] Will {event} by {when}?"
        options = ["Yes", "No"]
        truth = [p := rng.betavariate(1.2, 1.2), 1 - p]
    else:
        text_, options, tag = data
        title = f"[Practice] {text_[:-1]} (by {when})?"
        weights = [rng.gammavariate(1.2, 1.0) for _ in options]
        truth = [w / sum(weights) for w in weights]
    outcome = rng.choices(range(len(options)), weights=truth)[0]
    ident = f"practice-{index + 1:02d}-" + "-".join(
        w for w in "".join(c if c.isalnum() else " " for c in title.lower()).split()[1:6]
    )
    question = {
        "id": ident[:90],
        "title": title,
        "type": kind,
        "options": options,
        "description": "A practice question about a fictional place, for trying the app. "
        "It is not about the real world; the 'evidence' notes are invented too.",
        "resolution_criteria": f"Resolves according to the (fictional) practice bulletin "
        f"published after {when}. This is synthetic practice data.",
        "open_time": format_time(opened),
        "close_time": format_time(close),
        "resolution": None,
        "resolved_time": None,
        "tags": ["practice", tag],
    }
    note = (
        "Practice resolution: the fictional bulletin was ambiguous, so it is annulled."
        if annul
        else f"Practice resolution: the fictional bulletin reported '{options[outcome]}'."
    )
    if resolved:
        question["resolution"] = "annulled" if annul else options[outcome]
        question["resolved_time"] = format_time(close)
        question["resolution_note"] = note
    return {
        "question": question,
        "truth": truth,
        "outcome": outcome,
        "open": opened,
        "close": close,
        "note": note,
    }


# ------------------------------------------------------------------ forecasts


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _vector(
    rng: random.Random, spec: dict, member: tuple, bias: list[float], time: datetime
) -> list[float]:
    """One member's forecast at `time`: the signal drifts towards the outcome as time passes;
    the member's own noise and confidence (over- or under-extremising) shape it."""
    _, _, _, noise, confidence, _ = member
    truth, outcome = spec["truth"], spec["outcome"]
    progress = (time - spec["open"]).total_seconds() / (spec["end"] - spec["open"]).total_seconds()
    signal = [
        (1 - 0.75 * progress**2) * p + 0.75 * progress**2 * (i == outcome)
        for i, p in enumerate(truth)
    ]
    logits = [
        confidence * _logit(s) + b + rng.gauss(0, noise) for s, b in zip(signal, bias, strict=True)
    ]
    return _softmax(logits) if len(truth) > 2 else _binary(logits[0] - logits[1])


def _rounded(vector: list[float]) -> list[float]:
    """Three decimals, none below 0.001 (people rarely say 0% or 100%), that still sum to
    exactly 1 (the last option takes the remainder)."""
    floored = [max(v, 0.001) for v in vector]
    head = [round(v / sum(floored), 3) for v in floored[:-1]]
    last = round(1 - sum(head), 6)
    if last < 0:  # rounding pushed the others over 1: take it back from the largest
        top = max(range(len(head)), key=head.__getitem__)
        head[top] = round(head[top] + last, 6)
        last = 0.0
    return [*head, last]


def _forecasts(rng: random.Random, spec: dict) -> list[dict]:
    """Each member (by their activity) forecasts one to five times over the question's life."""
    q = spec["question"]
    options = q["options"]
    opened, end = spec["open"], spec["end"]
    span = (end - opened).total_seconds()
    rows = []
    for member in MEMBERS:
        if rng.random() > member[5]:
            continue
        count = rng.randint(1, 5)
        times = sorted(
            opened + timedelta(seconds=rng.uniform(0.03, 0.97) * span) for _ in range(count)
        )
        bias = [rng.gauss(0, member[3] * 0.5) for _ in options]
        previous = None
        for time in dict.fromkeys(t.replace(microsecond=0) for t in times):
            vector = _rounded(_vector(rng, spec, member, bias, time))
            rows.append(
                {
                    "question_id": q["id"],
                    "user": member[0],
                    "time": format_time(time),
                    "probabilities": dict(zip(options, vector, strict=True)),
                    "rationale": _reason(rng, previous, vector),
                }
            )
            previous = vector
    return rows


def _binary(logit: float) -> list[float]:
    p = 1 / (1 + math.exp(-logit / 2))
    return [p, 1 - p]


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    weights = [math.exp(v - top) for v in logits]
    return [w / sum(weights) for w in weights]


def _reason(rng: random.Random, previous: list[float] | None, vector: list[float]) -> str:
    if previous is None or abs(vector[0] - previous[0]) < 0.03:
        return rng.choice(REASONS_FLAT)
    return rng.choice(REASONS_UP if vector[0] > previous[0] else REASONS_DOWN)


# ------------------------------------------------------------------ the team session


@contextmanager
def _server_time(db: Database, start: datetime) -> Iterator[Callable[[timedelta], None]]:
    """Run services as if the server clock read `start` (and later times: call the yielded
    function to move it on); the real clock is back afterwards."""
    real = db.clock
    now = [start]
    db.clock = lambda: now[0]

    def advance(delta: timedelta) -> None:
        now[0] += delta

    try:
        yield advance
    finally:
        db.clock = real


def _team_session(db: Database, rng: random.Random, specs: list[dict], start: datetime) -> int:
    """A session two weeks ago through the real services: blind forecasts, the reveal, updates
    towards the team median, closed; then the questions resolve. Returns forecasts logged."""
    actors = {name: users.actor_for(users.get_user(db, name)) for name in SESSION_PARTICIPANTS}
    members = {m[0]: m for m in MEMBERS}
    made = 0
    with _server_time(db, start) as advance:
        record = sessions.create_session(
            db,
            actors["demo-admin"],
            sessions.SessionCreate(
                title=SESSION_TITLE,
                question_ids=[s["question"]["id"] for s in specs],
                participants=list(SESSION_PARTICIPANTS),
            ),
        )
        blind: dict[str, dict[str, list[float]]] = {}
        for spec in specs:
            q = spec["question"]
            blind[q["id"]] = {}
            for name in SESSION_PARTICIPANTS:
                advance(timedelta(minutes=rng.randint(2, 9)))
                bias = [rng.gauss(0, members[name][3] * 0.5) for _ in q["options"]]
                vector = _rounded(_vector(rng, spec, members[name], bias, db.now()))
                blind[q["id"]][name] = vector
                made += _log(db, actors[name], q, vector, SESSION_REASON_BLIND, record.id)
        advance(timedelta(hours=1))
        sessions.advance_phase(db, actors["demo-admin"], record.id, "reveal")
        advance(timedelta(minutes=40))
        sessions.advance_phase(db, actors["demo-admin"], record.id, "update")
        for spec in specs:
            q = spec["question"]
            team = median_pool(np.array(list(blind[q["id"]].values())))
            for name in SESSION_PARTICIPANTS:
                advance(timedelta(minutes=rng.randint(1, 5)))
                if rng.random() < 0.2:  # some keep their blind forecast
                    continue
                own = np.array(blind[q["id"]][name])
                bias = [rng.gauss(0, members[name][3] * 0.5) for _ in q["options"]]
                second_look = np.array(_vector(rng, spec, members[name], bias, db.now()))
                mixed = 0.5 * own + 0.3 * team / team.sum() + 0.2 * second_look
                vector = _rounded([float(v) for v in mixed])
                made += _log(db, actors[name], q, vector, SESSION_REASON_UPDATE, record.id)
        advance(timedelta(minutes=30))
        sessions.advance_phase(db, actors["demo-admin"], record.id, "closed")
    for spec in specs:
        questions.resolve_question(
            db,
            Actor.system(),
            spec["question"]["id"],
            Resolution(
                option=spec["question"]["options"][spec["outcome"]],
                resolved_time=spec["close"],
                note=spec["note"],
            ),
        )
    return made


def _log(
    db: Database, actor: Actor, q: dict, vector: list[float], why: str, session_id: int
) -> int:
    forecasts.log_forecast(
        db,
        actor,
        ForecastCreate(
            question_id=q["id"],
            probabilities=dict(zip(q["options"], vector, strict=True)),
            rationale=why,
            session_id=session_id,
        ),
    )
    return 1


# ------------------------------------------------------------------ evidence


def _evidence(db: Database, open_questions: dict[str, str], today: datetime) -> int:
    """A few invented practice notes, linked to the open questions they mention."""
    notes = [
        (
            "Practice bulletin: Glenholm wind cooperative",
            "Glenholm wind cooperative",
            "PRACTICE NOTE (fictional). The Glenholm wind cooperative says its third turbine "
            "passed inspection this week. The cooperative expects to connect the turbine to the "
            "grid within a month, although the grid operator has not confirmed a date.",
        ),
        (
            "Practice bulletin: Dunmore harbour",
            "Dunmore harbour",
            "PRACTICE NOTE (fictional). Dunmore harbour's dredging contractor reported that its "
            "equipment is delayed at another port. The harbour board said the dredging may start "
            "after the deadline unless a second contractor is found.",
        ),
        (
            "Practice bulletin: Ashby community pool",
            "ashby pool",
            "PRACTICE NOTE (fictional). Ashby's new community pool passed its water-quality tests. "
            "The council said the pool will open once lifeguard hiring is complete; eight of ten "
            "lifeguards have been hired.",
        ),
        (
            "Practice bulletin: Lumenfield cooperative",
            "lumenfield members",
            "PRACTICE NOTE (fictional). The Lumenfield app cooperative reported 780 members at the "
            "end of the quarter, up from 610, and said it hopes to pass 1,000 members by year end.",
        ),
    ]
    added = 0
    for days_ago, (title, topic, body) in zip((9, 5, 3, 1), notes, strict=True):
        result = evidence.add_text(
            db,
            Actor.system(),
            title=title,
            text=body,
            outlet=EVIDENCE_OUTLET,
            published_at=today - timedelta(days=days_ago),
        )
        added += not result.duplicate
        for qid, question_title in open_questions.items():
            if all(word in question_title.lower() for word in topic.lower().split()):
                evidence.link(db, Actor.system(), qid, result.item.id)
    return added
