"""A synthetic practice history for trying the app (`tracker demo`).

Everything is invented and labelled as such: members are called `demo-*`, every question title
starts with "[Practice]" and is tagged "practice", and the subjects are fictional towns, clubs
and firms, so nothing here is a claim about the real world. It is written through the
interchange importer and the services (the same paths real data takes), from a fixed seed:
the same day gives the same database.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from tracker.db import Database
from tracker.interchange import FORMAT, format_time, import_document
from tracker.schemas import Actor, UserCreate
from tracker.services import evidence, summaries, users

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


@dataclass
class DemoSummary:
    members: list[str] = field(default_factory=list)
    questions: int = 0
    forecasts: int = 0
    evidence: int = 0
    summaries: int = 0
    already_present: bool = False

    @property
    def message(self) -> str:
        if self.already_present:
            return "demo: the practice data is already loaded (nothing changed)"
        return (
            f"demo: {len(self.members)} members (password '{DEMO_PASSWORD}': "
            f"{', '.join(self.members)}), {self.questions} practice questions, {self.forecasts} "
            f"forecasts, {self.evidence} evidence notes, {self.summaries} summaries"
        )


def build_demo(db: Database, *, seed: int = SEED) -> DemoSummary:
    """Load the practice history into `db` (migrated, ideally empty); a second run does nothing."""
    summary = DemoSummary(members=[m[0] for m in MEMBERS] + [VIEWER[0]])
    if any(u.name == "demo-admin" for u in users.list_users(db)):
        summary.already_present = True
        return summary
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
    document = _document(rng, today)
    import_document(db, Actor.system(), document)
    summary.questions = len(document["questions"])
    summary.forecasts = len(document["forecasts"])
    open_questions = {q["id"]: q["title"] for q in document["questions"] if not q["resolution"]}
    summary.evidence = _evidence(db, open_questions, today)
    summary.summaries = len(summaries.summarize_questions(db, Actor.system(), list(open_questions)))
    return summary


# ------------------------------------------------------------------ questions


def _document(rng: random.Random, today: datetime) -> dict:
    specs = _question_specs(rng, today)
    questions, forecasts = [], []
    for spec in specs:
        questions.append(spec["question"])
        forecasts.extend(_forecasts(rng, spec, today))
    return {"format": FORMAT, "questions": questions, "forecasts": forecasts}


def _question_specs(rng: random.Random, today: datetime) -> list[dict]:
    """25 resolved (3 in the last week, 1 annulled) and 5 open practice questions."""
    kinds = (
        [("binary", b) for b in BINARY[:18]]
        + [("multiple_choice", m) for m in MULTI[:2]]
        + [("ordered", o) for o in ORDERED[:3]]
        + [("binary", b) for b in BINARY[18:21]]
        + [("multiple_choice", MULTI[2]), ("ordered", ORDERED[3])]
        + [("binary", b) for b in BINARY[21:]]
    )
    specs = []
    n_resolved = 25
    for index, (kind, data) in enumerate(kinds[:30]):
        resolved = index < n_resolved
        if resolved:
            recent = index >= n_resolved - 3
            close = today - timedelta(days=rng.randint(1, 6) if recent else rng.randint(10, 250))
            opened = close - timedelta(days=rng.randint(30, 100))
        else:
            opened = today - timedelta(days=rng.randint(15, 60))
            close = today + timedelta(days=rng.randint(20, 140))
        spec = _spec(rng, index, kind, data, opened, close, resolved, annul=index == 7)
        spec["end"] = close if resolved else today
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
        text, options, tag = data
        title = f"[Practice] {text[:-1]} (by {when})?"
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
    if resolved:
        question["resolution"] = "annulled" if annul else options[outcome]
        question["resolved_time"] = format_time(close)
        question["resolution_note"] = (
            "Practice resolution: the fictional bulletin was ambiguous, so it is annulled."
            if annul
            else f"Practice resolution: the fictional bulletin reported '{options[outcome]}'."
        )
    return {"question": question, "truth": truth, "outcome": outcome, "open": opened}


# ------------------------------------------------------------------ forecasts


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _forecasts(rng: random.Random, spec: dict, today: datetime) -> list[dict]:
    """Each member forecasts a few times; the signal drifts towards the outcome over time."""
    q = spec["question"]
    options, truth, outcome = q["options"], spec["truth"], spec["outcome"]
    opened, end = spec["open"], spec["end"]
    span = (end - opened).total_seconds()
    rows = []
    for name, _, _, noise, confidence, activity in MEMBERS:
        if rng.random() > activity:
            continue
        count = rng.randint(1, 5)
        times = sorted(
            opened + timedelta(seconds=rng.uniform(0.03, 0.97) * span) for _ in range(count)
        )
        times = [t.replace(microsecond=0) for t in times]
        bias = [rng.gauss(0, noise * 0.5) for _ in options]
        previous = None
        for time in dict.fromkeys(times):
            progress = (time - opened).total_seconds() / span
            signal = [
                (1 - 0.75 * progress**2) * p + 0.75 * progress**2 * (i == outcome)
                for i, p in enumerate(truth)
            ]
            logits = [
                confidence * _logit(s) + b + rng.gauss(0, noise)
                for s, b in zip(signal, bias, strict=True)
            ]
            vector = _softmax(logits) if len(options) > 2 else _binary(logits[0] - logits[1])
            vector = [round(v, 3) for v in vector]
            vector[-1] = round(1 - sum(vector[:-1]), 6)
            if vector[-1] < 0:
                continue
            rows.append(
                {
                    "question_id": q["id"],
                    "user": name,
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
    for days_ago, (title, topic, text) in zip((9, 5, 3, 1), notes, strict=True):
        result = evidence.add_text(
            db,
            Actor.system(),
            title=title,
            text=text,
            outlet="Practice Gazette (fictional)",
            published_at=today - timedelta(days=days_ago),
        )
        added += not result.duplicate
        for qid, title in open_questions.items():
            if all(word in title.lower() for word in topic.lower().split()):
                evidence.link(db, Actor.system(), qid, result.item.id)
    return added
