"""Data paths at scale (issue 11): whole `tracker` processes beside a plain reference.

Every figure is the median of N runs (default 3) of a fresh process, timed as `/usr/bin/time`
does: user + system CPU and peak RSS from `os.wait4`, with the plain reference run in the same
invocation so both see the same machine load (for scoring, run turn about with ours).

    python bench/data_paths.py score 391000          # tracker score FILE --format json
    python bench/data_paths.py help                  # tracker --help
    python bench/data_paths.py import 156000 [--pg]  # tracker import (then export) of a backup
    python bench/data_paths.py views 1000000         # first Review / busiest Question view
    python bench/data_paths.py questions 10000       # Questions page, warm

References: `bench/plain_score.py` (stdlib json + a loop computing mean daily and relative
Brier) for scoring; `python -c pass` for --help; stdlib json + sqlite3 executemany of the same
rows for import; a sqlite3 SELECT of the same rows + `json.dumps` for export. The input files
are generated deterministically (seeded) into --data (default /tmp/bench-data-paths) and reused.
Without N, each figure is at the issue's size. Run it from the tree to measure (`--tree` another
checkout, e.g. a worktree of main).
"""

import argparse
import json
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DAY = 86_400
START = 1_704_067_200  # 2024-01-01T00:00:00Z


# ---------------------------------------------------------------- inputs


def make_document(n_forecasts: int, seed: int = 0) -> dict:
    """Binary / multiple-choice / ordered questions open 2 weeks to 6 months in 2024-25; 80 %
    resolved at close, some unresolved or annulled; ~500 users forecasting inside the windows.
    Valid for `tracker import` (times in the past, one forecast per question, user and second).
    """
    rng = np.random.default_rng(seed)
    n_q, n_users = max(n_forecasts // 500, 10), 500
    kind = rng.choice(3, n_q, p=[0.5, 0.3, 0.2])
    n_opt = np.where(kind == 0, 2, rng.integers(3, 7, n_q))
    open_t = START + rng.integers(0, 365 * DAY, n_q)
    close_t = open_t + rng.integers(14 * DAY, 180 * DAY, n_q)
    state = rng.random(n_q)
    outcome = (rng.random(n_q) * n_opt).astype(np.int64)
    labels = [chr(65 + i) for i in range(6)]
    questions = []
    for i in range(n_q):
        options = ["Yes", "No"] if kind[i] == 0 else labels[: n_opt[i]]
        resolution = None if state[i] > 0.9 else "annulled" if state[i] > 0.85 else None
        if state[i] <= 0.85:
            resolution = options[outcome[i]]
        questions.append({
            "id": f"q{i:06d}",
            "title": f"Synthetic question {i}",
            "type": ("binary", "multiple_choice", "ordered")[kind[i]],
            "options": options,
            "description": "",
            "resolution_criteria": "",
            "open_time": _iso(open_t[i]),
            "close_time": _iso(close_t[i]),
            "resolution": resolution,
            "resolved_time": None if resolution is None else _iso(close_t[i]),
            "tags": [],
        })  # fmt: skip
    share = rng.lognormal(0.0, 0.5, n_q)
    fq = rng.choice(n_q, n_forecasts, p=share / share.sum())
    fu = (rng.integers(0, n_users, n_q)[fq] + rng.integers(0, 40, n_forecasts) * 7) % n_users
    ft = open_t[fq] + (rng.random(n_forecasts) * (close_t - open_t)[fq]).astype(np.int64)
    _, first = np.unique(np.stack([fq, fu, ft]), axis=1, return_index=True)
    keep = np.sort(first)
    fq, fu, ft = fq[keep], fu[keep], ft[keep]
    raw = rng.gamma(1.0, 1.0, (keep.size, 6))
    raw[np.arange(6) >= n_opt[fq][:, None]] = 0.0
    probs = raw / raw.sum(axis=1, keepdims=True)
    times = np.datetime_as_string(ft.astype("datetime64[s]"), unit="s")
    forecasts = []
    for j in range(keep.size):
        options = questions[fq[j]]["options"]
        forecasts.append({
            "question_id": questions[fq[j]]["id"],
            "user": f"user{fu[j]:04d}",
            "time": f"{times[j]}Z",
            "probabilities": dict(zip(options, probs[j, : len(options)].tolist(), strict=True)),
            "rationale": "",
        })  # fmt: skip
    return {"format": "forecast-tracker/1", "questions": questions, "forecasts": forecasts}


def _iso(seconds: int) -> str:
    return f"{np.datetime_as_string(np.datetime64(int(seconds), 's'), unit='s')}Z"


def document_file(data: Path, n: int) -> Path:
    path = data / f"doc_{n}.json"
    if not path.exists():
        import orjson

        data.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(make_document(n), option=orjson.OPT_INDENT_2))
    return path


# ---------------------------------------------------------------- timing


def run(argv: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """CPU seconds (user + system) and peak RSS in MB of one process, as /usr/bin/time."""
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=null, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors = child.stderr.read().decode() if child.stderr else ""
    if child.returncode:
        raise SystemExit(f"{shlex.join(argv)} failed ({child.returncode}):\n{errors[-2000:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def median_of(repeat: int, once) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    runs = [once() for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), int(statistics.median(r[1] for r in runs))


def interleaved(repeat: int, ours, ref) -> tuple[tuple[float, int], tuple[float, int]]:  # type: ignore[no-untyped-def]
    """Medians of ours and the reference run turn about, so a drift in the machine's speed
    (a shared VM's) weighs on both alike."""
    pairs = [(ours(), ref()) for _ in range(repeat)]
    return tuple(  # type: ignore[return-value]
        (statistics.median(p[k][0] for p in pairs), int(statistics.median(p[k][1] for p in pairs)))
        for k in (0, 1)
    )


def show(label: str, ours: tuple[float, int], ref: tuple[float, int], ref_label: str) -> None:
    ratio = ref[0] / ours[0] if ours[0] else float("inf")
    print(
        f"{label:<44} {ours[0]:7.2f} s CPU {ours[1]:6d} MB | {ref_label:<30} "
        f"{ref[0]:7.2f} s {ref[1]:6d} MB | reference/ours {ratio:5.2f}×",
        flush=True,
    )


# ---------------------------------------------------------------- benchmarks


def bench_score(args: argparse.Namespace) -> None:
    path = document_file(args.data, args.n)
    py = sys.executable
    ours, ref = interleaved(
        args.repeat,
        lambda: run(
            [py, "-m", "tracker.cli", "score", str(path), "--format", "json"], cwd=args.tree
        ),
        lambda: run([py, str(HERE / "plain_score.py"), str(path)], cwd=HERE),
    )
    show(f"tracker score FILE --format json, {args.n:,}", ours, ref, "plain-Python scorer")


def bench_help(args: argparse.Namespace) -> None:
    py = sys.executable
    ours = median_of(args.repeat, lambda: run([py, "-m", "tracker.cli", "--help"], cwd=args.tree))
    ref = median_of(args.repeat, lambda: run([py, "-c", "pass"], cwd=HERE))
    show("tracker --help", ours, ref, "python -c pass")


def fresh_database(work: Path, pg: bool) -> str:
    if not pg:
        return f"sqlite:///{work / f'db_{uuid.uuid4().hex[:8]}.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_schemas() -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        names = conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'")
        ).scalars()
        for name in list(names):
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def bench_import(args: argparse.Namespace) -> None:
    path = document_file(args.data, args.n)
    py = sys.executable
    work = Path(tempfile.mkdtemp(prefix="bench-import-", dir=args.data))
    urls: list[str] = []

    def one_import() -> tuple[float, int]:
        url = fresh_database(work, args.pg)
        env = {**os.environ, "DATABASE_URL": url}
        run([py, "-m", "tracker.cli", "init"], cwd=args.tree, env=env)  # schema: not timed
        urls.append(url)
        return run([py, "-m", "tracker.cli", "import", str(path)], cwd=args.tree, env=env)

    def one_reference() -> tuple[float, int]:
        target = work / f"ref_{uuid.uuid4().hex[:8]}.db"
        return run([py, __file__, "reference-import", str(path), str(target)], cwd=HERE)

    try:
        db = "PostgreSQL" if args.pg else "SQLite"
        ours = median_of(args.repeat, one_import)
        ref = median_of(args.repeat, one_reference)
        show(f"tracker import, {args.n:,} ({db})", ours, ref, "json + sqlite3 executemany")
        env = {**os.environ, "DATABASE_URL": urls[-1]}
        out = work / "export.json"
        ours = median_of(
            args.repeat,
            lambda: run(
                [py, "-m", "tracker.cli", "export", "-o", str(out)], cwd=args.tree, env=env
            ),
        )
        ref_db = work / "ref_export.db"
        run([py, __file__, "reference-import", str(path), str(ref_db)], cwd=HERE)
        ref = median_of(
            args.repeat,
            lambda: run(
                [py, __file__, "reference-export", str(ref_db), str(work / "r.json")], cwd=HERE
            ),
        )
        show(f"tracker export, {args.n:,} ({db})", ours, ref, "sqlite3 SELECT + json.dumps")
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)
        if args.pg:
            drop_schemas()


def reference_import(path: str, target: str) -> None:
    """The plain reference: stdlib json and sqlite3 executemany of the same rows, one commit."""
    with open(path, "rb") as handle:
        doc = json.load(handle)
    con = sqlite3.connect(target)
    con.executescript(
        "CREATE TABLE question (id TEXT PRIMARY KEY, title TEXT, type TEXT, options TEXT,"
        " open_time TEXT, close_time TEXT, resolution TEXT, resolved_time TEXT);"
        "CREATE TABLE user (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
        "CREATE TABLE forecast (id INTEGER PRIMARY KEY, question_id TEXT, user_id INTEGER,"
        " created_at TEXT, rationale TEXT, UNIQUE (question_id, user_id, created_at));"
        "CREATE TABLE forecast_probability (forecast_id INTEGER, option_index INTEGER,"
        " probability REAL, PRIMARY KEY (forecast_id, option_index));"
    )
    questions = {q["id"]: q for q in doc["questions"]}
    con.executemany(
        "INSERT INTO question VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (q["id"], q["title"], q["type"], json.dumps(q["options"]), q["open_time"],
             q["close_time"], q["resolution"], q["resolved_time"])
            for q in doc["questions"]
        ],
    )  # fmt: skip
    users = {name: i + 1 for i, name in enumerate(sorted({f["user"] for f in doc["forecasts"]}))}
    con.executemany("INSERT INTO user VALUES (?, ?)", [(i, n) for n, i in users.items()])
    forecasts, probabilities = [], []
    for i, f in enumerate(doc["forecasts"], start=1):
        forecasts.append((i, f["question_id"], users[f["user"]], f["time"], f["rationale"]))
        options = questions[f["question_id"]]["options"]
        probabilities.extend((i, k, f["probabilities"][o]) for k, o in enumerate(options))
    con.executemany("INSERT INTO forecast VALUES (?, ?, ?, ?, ?)", forecasts)
    con.executemany("INSERT INTO forecast_probability VALUES (?, ?, ?)", probabilities)
    con.commit()


def reference_export(source: str, target: str) -> None:
    """The plain reference: the same rows read with sqlite3 and written with json.dumps."""
    con = sqlite3.connect(source)
    vectors: dict[int, list[float]] = {}
    for fid, p in con.execute(
        "SELECT forecast_id, probability FROM forecast_probability"
        " ORDER BY forecast_id, option_index"
    ):
        vectors.setdefault(fid, []).append(p)
    questions = [
        dict(zip(("id", "title", "type", "options", "open_time", "close_time", "resolution",
                  "resolved_time"), row, strict=True))
        for row in con.execute("SELECT * FROM question ORDER BY id")
    ]  # fmt: skip
    options = {q["id"]: json.loads(q["options"]) for q in questions}
    forecasts = [
        {"question_id": q, "user": u, "time": t,
         "probabilities": dict(zip(options[q], vectors[fid], strict=True)), "rationale": r}
        for fid, q, u, t, r in con.execute(
            "SELECT f.id, question_id, name, created_at, rationale FROM forecast f"
            " JOIN user u ON u.id = f.user_id ORDER BY question_id, created_at, name"
        )
    ]  # fmt: skip
    doc = {"format": "forecast-tracker/1", "questions": questions, "forecasts": forecasts}
    Path(target).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- in-process view timings


def bench_views(args: argparse.Namespace) -> None:
    """First Review and busiest-Question view after a restart: the backup is imported once by
    this checkout (not timed), then each view is timed in fresh processes of --tree. The first
    process may have to score and keep the tables; the next ones are plain restarts."""
    path = document_file(args.data, args.n)
    py = sys.executable
    work = Path(tempfile.mkdtemp(prefix="bench-views-", dir=args.data))
    try:
        url = fresh_database(work, args.pg)
        env = {**os.environ, "DATABASE_URL": url}
        run([py, "-m", "tracker.cli", "import", str(path)], cwd=HERE.parent, env=env)
        for view in ("review", "question"):
            times = []
            for _ in range(args.repeat + 1):
                out = subprocess.run(
                    [py, __file__, "first-view", view], cwd=args.tree, env=env,
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                times.append(float(out.stdout.split()[-1]))
            ref = median_of(args.repeat, lambda: run([py, "-c", "pass"], cwd=HERE))
            print(
                f"first {view} view, {args.n:,}: first process {times[0]:.2f} s, after a restart "
                f"{statistics.median(times[1:]):.2f} s (median of {args.repeat}, wall, imports "
                f"excluded) | python -c pass {ref[0]:.2f} s CPU",
                flush=True,
            )
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)
        if args.pg:
            drop_schemas()


def first_view(view: str) -> None:
    """Inside a fresh process (the restart): time the service calls the page makes."""
    sys.path.insert(0, os.getcwd())
    from sqlalchemy import func, select

    from tracker.db import Database
    from tracker.models import Forecast
    from tracker.services import scores

    db = Database.from_settings()
    with db.read() as session:
        busiest = session.execute(
            select(Forecast.question_id).group_by(Forecast.question_id)
            .order_by(func.count().desc()).limit(1)
        ).scalar_one()  # fmt: skip
    start = time.perf_counter()
    if view == "review":  # the leaderboard and the list of scored members
        scores.leaderboard(db)
        scores.scored_members(db)
    else:
        scores.question_scores(db, busiest)
    print(f"{time.perf_counter() - start:.4f}")


def questions_document(n: int) -> dict:
    """`n` questions (a quarter still open, two tags) over the forecasts of a small history."""
    doc = make_document(20_000)
    base = doc["questions"]
    rows = []
    for i in range(n):
        q = dict(base[i % len(base)], id=f"q{i:06d}", tags=["alpha" if i % 2 else "beta"])
        q["title"] = f"Synthetic question {i} about {'rates' if i % 3 else 'strikes'}"
        if i % 4 == 0:
            q |= {"close_time": "2027-06-01T00:00:00Z", "resolution": None, "resolved_time": None}
        rows.append(q)
    return doc | {"questions": rows}


def bench_questions(args: argparse.Namespace) -> None:
    """The Questions page's service calls (the tag list, the counts and the first page of open
    questions, newest first, filtered, sorted and paged in SQL), first call and warm, in
    --tree; beside a plain reference: sqlite3 reads the same question rows and the member's
    latest forecasts and filters, sorts and slices them in Python."""
    import orjson

    path = args.data / f"questions_{args.n}.json"
    if not path.exists():
        path.write_bytes(orjson.dumps(questions_document(args.n)))
    py = sys.executable
    work = Path(tempfile.mkdtemp(prefix="bench-questions-", dir=args.data))
    try:
        url = fresh_database(work, False)
        env = {**os.environ, "DATABASE_URL": url}
        run([py, "-m", "tracker.cli", "import", str(path)], cwd=HERE.parent, env=env)
        ours = subprocess.run(
            [py, __file__, "questions-page", str(args.repeat)], cwd=args.tree, env=env,
            capture_output=True, text=True, check=True,
        ).stdout.split()[-2:]  # fmt: skip
        ref = subprocess.run(
            [py, __file__, "questions-reference", str(args.repeat), url.removeprefix("sqlite:///")],
            cwd=HERE, capture_output=True, text=True, check=True,
        ).stdout.split()[-2:]  # fmt: skip
        first, warm, ref_first, ref_warm = (float(t) * 1000 for t in ours + ref)
        print(
            f"Questions page, {args.n:,} questions: first call {first:.0f} ms, warm {warm:.0f} ms"
            f" | plain sqlite3 + Python filter/sort: first {ref_first:.0f} ms, warm "
            f"{ref_warm:.0f} ms (warm: median of {args.repeat})",
            flush=True,
        )
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)


def _time_page(repeat: int, page) -> None:  # type: ignore[no-untyped-def]
    """Print the first call's time, then the median of `repeat` warm calls."""
    start = time.perf_counter()
    page()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        page()
        times.append(time.perf_counter() - start)
    print(first, statistics.median(times))


def questions_page(repeat: int) -> None:
    sys.path.insert(0, os.getcwd())
    from tracker.db import Database
    from tracker.services import question_listing, users

    db = Database.from_settings()
    actor = users.actor_for(users.get_user(db, "user0001"))
    wanted = question_listing.QuestionFilter(states={"open"}, sort="opened", stale_days=14)

    def page() -> None:
        question_listing.all_tags(db)
        question_listing.question_listing(db, actor, wanted)

    _time_page(repeat, page)


def questions_reference(repeat: int, path: str) -> None:
    con = sqlite3.connect(path)

    def page() -> None:
        rows = con.execute(
            "SELECT id, title, type, options, open_time, close_time, status, tags FROM question"
        ).fetchall()
        now = "2026-12-02"
        shown = [r for r in rows if r[6] == "open" and r[4] <= now < r[5]]
        shown.sort(key=lambda r: r[4], reverse=True)
        ids = [r[0] for r in shown[:50]]
        con.execute(
            "SELECT f.question_id, f.created_at, p.probability FROM forecast f JOIN"
            " forecast_probability p ON p.forecast_id = f.id JOIN user_account u ON"
            " u.id = f.user_id WHERE u.name = 'user0001' ORDER BY f.question_id, f.created_at"
        ).fetchall()
        con.execute(
            f"SELECT question_id, count(*) FROM forecast WHERE question_id IN"
            f" ({','.join('?' * len(ids))}) GROUP BY question_id",
            ids,
        ).fetchall()

    _time_page(repeat, page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what")
    parser.add_argument("n", nargs="?", default="0")
    parser.add_argument("extra", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="checkout to measure")
    parser.add_argument("--data", type=Path, default=Path("/tmp/bench-data-paths"))
    args = parser.parse_args()
    if args.what == "reference-import":
        return reference_import(args.n, args.extra[0])
    if args.what == "reference-export":
        return reference_export(args.n, args.extra[0])
    if args.what == "first-view":
        return first_view(args.n)
    if args.what == "questions-page":
        return questions_page(int(args.n))
    if args.what == "questions-reference":
        return questions_reference(int(args.n), args.extra[0])
    args.n = int(args.n) or {"score": 391_000, "import": 156_000, "questions": 10_000}.get(
        args.what, 1_000_000
    )  # the sizes
    benches = {
        "score": bench_score,
        "help": bench_help,
        "import": bench_import,
        "views": bench_views,
        "questions": bench_questions,
    }
    benches[args.what](args)


if __name__ == "__main__":
    main()
