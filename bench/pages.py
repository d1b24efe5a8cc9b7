"""Server-side render time of the Questions, Question and Review pages on a big history.

Builds (once, then reuses) a SQLite database with N questions, ~500 users and M forecasts, then
prints a table of

* the service calls behind the pages (tracker.services.views / scores), cold (caches cleared)
  and warm (median of --runs calls after the first), so the figures say where the time goes;
* whole page renders through `streamlit.testing.v1.AppTest` with a signed-in admin, cold (new
  session, every cache cleared) and warm (median of --runs reruns of the same page).

The goal is < 250 ms per warm page render at 2,000 questions and 1,000,000 forecasts.

    .venv/bin/python bench/pages.py                                       # 2,000 q / 1M forecasts
    .venv/bin/python bench/pages.py --questions 200 --forecasts 20000     # quick: seconds

The database is written with SQLAlchemy core executemany (plain rows, explicit ids) rather than
the services: logging 1M forecasts one by one through `log_forecast` would take hours, and the
point here is reading, not writing. It goes to data/bench_pages-<questions>-<forecasts>.db
(gitignored, data/*.db) and is rebuilt only with --rebuild or when the parameters change.
"""

import argparse
import hashlib
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ADMIN = "bench-admin"
PASSWORD = "bench-password"  # a throwaway benchmark database only
QUESTIONS_PAGE = "tracker/ui/questions/page.py"
QUESTION_PAGE = "tracker/ui/question/page.py"
REVIEW_PAGE = "tracker/ui/review/page.py"
GOAL_MS = 250.0


# ------------------------------------------------------------------ building the database


def _stamp(seconds: np.ndarray) -> np.ndarray:
    """UTC epoch seconds → SQLAlchemy's SQLite DATETIME text ('YYYY-MM-DD HH:MM:SS.ffffff')."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]").astype("datetime64[us]"))
    return np.char.replace(text, "T", " ")


def _probabilities(rng: np.random.Generator, width: int, count: int) -> np.ndarray:
    """Plausible vectors in 3 decimals that sum to 1 (the last option takes the remainder)."""
    if width == 2:
        p = rng.beta(0.9, 0.9, count)
        raw = np.stack([p, 1 - p], axis=1)
    else:
        raw = rng.dirichlet(np.full(width, 0.8), count)
    raw = np.clip(raw, 0.005, None)
    raw /= raw.sum(axis=1, keepdims=True)
    head = np.round(raw[:, :-1], 3)
    last = np.round(1 - head.sum(axis=1), 6)
    fix = last < 0
    head[fix, np.argmax(head[fix], axis=1)] += last[fix]
    last[fix] = 0.0
    return np.column_stack([head, last])


def build(url: str, n_questions: int, n_forecasts: int, n_users: int, seed: int = 1) -> None:
    from pydantic import SecretStr
    from sqlalchemy import insert
    from sqlalchemy.engine import make_url

    from tracker.db import Database
    from tracker.migrate import upgrade_to_head
    from tracker.models import (
        AuditEvent,
        EvidenceItem,
        Question,
        QuestionEvidence,
        QuestionRevision,
        User,
    )
    from tracker.schemas import Actor, UserCreate
    from tracker.services import users

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    db = Database(url)
    upgrade_to_head(db)
    users.create_user(  # the one account that signs in (argon2 hash through the service)
        db,
        Actor.system(),
        UserCreate(name=ADMIN, role="admin", password=SecretStr(PASSWORD)),
    )
    now = datetime.now(UTC).replace(microsecond=0)
    now_s = int(now.timestamp())
    day = 86_400

    # questions: 70% binary, 20% multiple choice (3-5 options), 10% ordered (4 bins)
    kind = rng.choice(["binary", "multiple_choice", "ordered"], n_questions, p=[0.7, 0.2, 0.1])
    width = np.where(
        kind == "binary", 2, np.where(kind == "ordered", 4, rng.integers(3, 6, n_questions))
    )
    opened = now_s - rng.integers(20, 730, n_questions) * day
    upcoming = rng.random(n_questions) < 0.03
    opened[upcoming] = now_s + rng.integers(2, 30, upcoming.sum()) * day
    closes = opened + rng.integers(30, 400, n_questions) * day
    past = closes < now_s
    fate = rng.random(n_questions)
    resolved = past & (fate < 0.90)
    annulled = past & (fate >= 0.90) & (fate < 0.93)  # the rest of `past`: closed, unresolved
    outcome = (rng.random(n_questions) * width).astype(int)
    ids = [f"bench-{i:05d}" for i in range(n_questions)]
    tag_pool = ["iran", "energy", "elections", "markets", "tech", "health", "climate", "sport"]
    question_rows = []
    for i in range(n_questions):
        options = (
            ["Yes", "No"] if kind[i] == "binary" else [f"Option {k + 1}" for k in range(width[i])]
        )
        status = "resolved" if resolved[i] else "annulled" if annulled[i] else "open"
        open_dt = datetime.fromtimestamp(int(opened[i]), UTC)
        close_dt = datetime.fromtimestamp(int(closes[i]), UTC)
        question_rows.append(
            {
                "id": ids[i],
                "title": f"Bench question {i}: will event {i} happen?",
                "type": str(kind[i]),
                "options": options,
                "description": "Synthetic benchmark question.",
                "resolution_criteria": "Synthetic.",
                "open_time": open_dt,
                "close_time": close_dt,
                "status": status,
                "resolution": options[outcome[i]] if status == "resolved" else None,
                "resolved_time": close_dt if status != "open" else None,
                "resolution_note": "",
                "resolution_source": "",
                "tags": list(rng.choice(tag_pool, 2, replace=False)),
                "sources": [],
                "hide_until_forecast": True,
                "revision": 1,
                "created_by": None,
                "created_at": open_dt,
                "updated_at": open_dt,
            }
        )

    # forecasts: busy and quiet questions (log-normal weights), none on upcoming ones
    weights = rng.lognormal(0, 1.0, n_questions)
    weights[upcoming] = 0
    per_q = rng.multinomial(n_forecasts, weights / weights.sum())
    fq = np.repeat(np.arange(n_questions), per_q)
    user_weights = rng.lognormal(0, 1.0, n_users)
    fu = rng.choice(n_users, fq.size, p=user_weights / user_weights.sum()) + 2  # admin is id 1
    mine = rng.random(fq.size) < 0.002  # the signed-in admin forecasts now and then
    fu[mine] = 1
    end = np.minimum(closes, now_s - 60)
    ft = opened[fq] + (rng.random(fq.size) * (end[fq] - opened[fq])).astype(np.int64)
    order = np.lexsort((ft, fu, fq))
    fq, fu, ft = fq[order], fu[order], ft[order]
    keep = np.ones(fq.size, dtype=bool)  # (question, user, time) is a unique key
    keep[1:] = (fq[1:] != fq[:-1]) | (fu[1:] != fu[:-1]) | (ft[1:] != ft[:-1])
    fq, fu, ft = fq[keep], fu[keep], ft[keep]
    order = np.lexsort((ft, fq))  # insert in (question, time) order, as history accrues
    fq, fu, ft = fq[order], fu[order], ft[order]
    stamps = _stamp(ft)
    rationale = np.where(rng.random(fq.size) < 0.1, "Synthetic rationale for the benchmark.", "")

    with db.engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "name": f"bench-user-{u:04d}",
                    "display_name": "",
                    "role": "forecaster",
                    "password_hash": None,
                    "is_active": True,
                    "failed_logins": 0,
                    "created_at": now,
                }
                for u in range(n_users)
            ],
        )
        conn.execute(insert(Question), question_rows)
        conn.execute(
            insert(QuestionRevision),
            [
                {
                    "question_id": q["id"],
                    "revision": 1,
                    "title": q["title"],
                    "description": q["description"],
                    "resolution_criteria": q["resolution_criteria"],
                    "edited_by": None,
                    "edited_at": q["created_at"],
                }
                for q in question_rows
            ],
        )
        conn.exec_driver_sql(
            "INSERT INTO forecast (id, question_id, user_id, created_at, rationale, "
            "question_revision, origin, hidden) VALUES (?, ?, ?, ?, ?, 1, 'import', 0)",
            list(
                zip(
                    range(1, fq.size + 1),
                    (ids[q] for q in fq.tolist()),
                    fu.tolist(),
                    stamps.tolist(),
                    rationale.tolist(),
                    strict=True,
                )
            ),
        )
        probability_rows = []
        forecast_id = np.arange(1, fq.size + 1)
        for w in np.unique(width):
            rows = np.flatnonzero(width[fq] == w)
            probs = _probabilities(rng, int(w), rows.size)
            for k in range(int(w)):
                probability_rows.append(
                    np.rec.fromarrays([forecast_id[rows], np.full(rows.size, k), probs[:, k]])
                )
        table = np.concatenate(probability_rows)
        table.sort(order=["f0", "f1"])
        conn.exec_driver_sql(
            "INSERT INTO forecast_probability (forecast_id, option_index, probability) "
            "VALUES (?, ?, ?)",
            table.tolist(),
        )
        # some evidence, linked to open questions (arrivals on the list and question pages)
        open_ids = [ids[i] for i in range(n_questions) if not past[i] and not upcoming[i]]
        items = []
        for e in range(max(10, n_questions // 10)):
            added = now - timedelta(days=float(rng.uniform(0, 60)))
            items.append(
                {
                    "id": e + 1,
                    "title": f"Bench evidence {e}",
                    "outlet": "Bench wire",
                    "url": None,
                    "published_at": added,
                    "added_at": added,
                    "added_by": None,
                    "kind": "text",
                    "external_id": None,
                    "text": f"Synthetic evidence item {e} for the page benchmark.",
                    "content_hash": hashlib.sha256(f"bench-{e}".encode()).hexdigest(),
                    "minhash": None,
                    "near_duplicate_of": None,
                    "feed_id": None,
                }
            )
        conn.execute(insert(EvidenceItem), items)
        links = {
            (str(rng.choice(open_ids)), item["id"]): item["added_at"]
            for item in items
            for _ in range(3)
            if open_ids
        }
        if links:
            conn.execute(
                insert(QuestionEvidence),
                [
                    {
                        "question_id": qid,
                        "evidence_id": eid,
                        "score": 0.5,
                        "method": "auto",
                        "state": "linked",
                        "updated_by": None,
                        "updated_at": at,
                    }
                    for (qid, eid), at in links.items()
                ],
            )
        conn.execute(
            insert(AuditEvent),
            [
                {
                    "at": now,
                    "actor_id": None,
                    "actor_name": "bench",
                    "action": "bench.build",
                    "entity_type": "database",
                    "entity_id": "-",
                    "before": None,
                    "after": {"questions": n_questions, "forecasts": int(fq.size)},
                }
            ],
        )
    db.dispose()
    raw = sqlite3.connect(make_url(url).database or "")  # outside any transaction
    raw.execute("ANALYZE")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    print(
        f"built {n_questions} questions, {n_users + 1} users, {fq.size:,} forecasts "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


# ------------------------------------------------------------------ timing


def timed(func: Callable[[], object], runs: int, clear: Callable[[], None]) -> tuple[float, float]:
    """(cold ms with every cache cleared, median warm ms over `runs` further calls)."""
    clear()
    start = time.perf_counter()
    func()
    cold = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        warm.append((time.perf_counter() - start) * 1000)
    return cold, statistics.median(warm)


def clear_caches() -> None:
    import streamlit as st
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # bare-mode warnings about the missing runtime

    from tracker.services import scores, views

    st.cache_data.clear()
    for module in (scores, views):
        clear = getattr(module, "clear_caches", None)  # service-level memos, where present
        if clear is not None:
            clear()


def busiest_questions(db) -> tuple[str, str, str, str]:  # type: ignore[no-untyped-def]
    """(the question with most forecasts, a typical open one, a typical resolved one, a
    description of the first two for the table)."""
    with db.engine.connect() as conn:
        counts = conn.exec_driver_sql(
            "SELECT q.id, q.status, q.close_time, count(f.id) FROM question q "
            "JOIN forecast f ON f.question_id = q.id GROUP BY q.id ORDER BY count(f.id)"
        ).all()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    open_ = [c for c in counts if c[1] == "open" and c[2] > now]
    done = [c for c in counts if c[1] == "resolved"]
    busiest, typical = counts[-1], open_[len(open_) // 2]
    about = (
        f"busiest question: {busiest[0]} ({busiest[3]:,} forecasts, {busiest[1]}); "
        f"typical: {typical[0]} ({typical[3]:,} forecasts, open)"
    )
    return busiest[0], typical[0], done[len(done) // 2][0], about


def services(url: str, runs: int, ids: tuple[str, str, str, str]) -> list[tuple[str, float, float]]:
    from tracker.db import Database
    from tracker.services import scores, users, views

    db = Database(url)
    actor = users.actor_for(users.get_user(db, ADMIN))
    busiest, typical, resolved, _ = ids
    rows_open = views.question_rows(db, actor, states={"open"})
    calls: list[tuple[str, Callable[[], object]]] = [
        ("question_rows (open)", lambda: views.question_rows(db, actor, states={"open"})),
        ("question_rows (all)", lambda: views.question_rows(db, actor)),
        ("with_team (50 rows)", lambda: views.with_team(db, actor, rows_open[:50])),
        ("question_view (busiest)", lambda: views.question_view(db, actor, busiest)),
        ("question_view (typical)", lambda: views.question_view(db, actor, typical)),
        ("all_paths (resolved)", lambda: views.all_paths(db, actor, resolved)),
        ("data_version", lambda: scores.data_version(db)),
        ("leaderboard", lambda: scores.leaderboard(db)),
        ("user_calibration", lambda: scores.user_calibration(db, ADMIN)),
        ("recently_resolved (7 d)", lambda: scores.recently_resolved(db)),
        ("all_scores", lambda: scores.all_scores(db)),
    ]
    results = [(f"service {name}", *timed(call, runs, clear_caches)) for name, call in calls]
    db.dispose()
    return results


def pages(url: str, runs: int, ids: tuple[str, str, str, str]) -> list[tuple[str, float, float]]:
    from streamlit.testing.v1 import AppTest

    from tracker.db import Database
    from tracker.services import auth

    db = Database(url)
    busiest, typical, _, _ = ids

    def session(page: str, query: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        at.session_state["_tracker_login"] = auth.sign_in(db, ADMIN, PASSWORD)
        if page != QUESTIONS_PAGE:  # the first run lands on the default page, then switch
            at.run()
            at.switch_page(page)
            at.query_params.update(query or {})
        return at

    def check(at: AppTest, page: str) -> None:
        if at.exception:
            raise SystemExit(f"{page} raised: {at.exception[0].value}")
        if at.error:
            print(f"warning: {page} shows an error: {at.error[0].value}", file=sys.stderr)

    session(QUESTIONS_PAGE).run()  # warm up the process: imports, engine, argon2, altair
    results = []
    for label, page, query in (
        ("page Questions", QUESTIONS_PAGE, None),
        ("page Question (busiest)", QUESTION_PAGE, {"q": busiest}),
        ("page Question (typical)", QUESTION_PAGE, {"q": typical}),
        ("page Review", REVIEW_PAGE, None),
    ):
        at = session(page, query)
        clear_caches()
        start = time.perf_counter()
        at.run()
        cold = (time.perf_counter() - start) * 1000
        check(at, label)
        warm = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            warm.append((time.perf_counter() - start) * 1000)
        check(at, label)
        results.append((label, cold, statistics.median(warm)))
    db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--forecasts", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5, help="warm repetitions (median)")
    parser.add_argument("--db", type=Path, help="database file (default under data/)")
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    parser.add_argument("--skip-pages", action="store_true", help="time the services only")
    args = parser.parse_args()

    path = args.db or ROOT / "data" / f"bench_pages-{args.questions}-{args.forecasts}.db"
    url = f"sqlite:///{path}"
    if args.rebuild or not path.exists():
        partial = path.with_name(f"{path.stem}-building{path.suffix}")  # renamed when complete
        for stale in (path, partial):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{stale}{suffix}").unlink(missing_ok=True)
        build(f"sqlite:///{partial}", args.questions, args.forecasts, args.users)
        partial.rename(path)
    os.environ["DATABASE_URL"] = url  # the app's settings read it; set before any import
    os.chdir(ROOT)
    from tracker.config import get_settings
    from tracker.db import Database

    get_settings.cache_clear()
    probe = Database(url)
    ids = busiest_questions(probe)
    with probe.engine.connect() as conn:
        forecasts = conn.exec_driver_sql("SELECT count(*) FROM forecast").scalar_one()
    probe.dispose()

    rows = services(url, args.runs, ids)
    if not args.skip_pages:
        rows += pages(url, args.runs, ids)
    print(
        f"pages.py: {args.questions:,} questions, {args.users} users, {forecasts:,} forecasts; "
        f"warm = median of {args.runs}; goal: warm page < {GOAL_MS:.0f} ms\n{ids[3]}"
    )
    print(f"{'what':<36}{'cold ms':>10}{'warm ms':>10}")
    for name, cold, warm in rows:
        flag = "  over goal" if name.startswith("page") and warm > GOAL_MS else ""
        print(f"{name:<36}{cold:>10.1f}{warm:>10.1f}{flag}")


if __name__ == "__main__":
    main()
