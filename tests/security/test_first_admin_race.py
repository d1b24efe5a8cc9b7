"""The first-run sign-up is atomic: two racing processes make exactly one admin.

Each visitor is its own interpreter talking over stdin/stdout (not multiprocessing: under
pytest-xdist a spawned child re-imports whatever `__main__` an earlier AppTest left behind)."""

import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from tracker.db import Database
from tracker.models import User

TRIALS = 3
ROOT = Path(__file__).resolve().parents[2]
VISITOR = textwrap.dedent(
    """
    import sys
    from tracker.db import Database
    from tracker.errors import PermissionDenied
    from tracker.schemas import UserCreate
    from tracker.services import users

    url, name = sys.argv[1], sys.argv[2]
    db = Database(url)
    data = UserCreate(name=name, role="admin", password="correct horse")
    with db.read():
        pass  # connected and imported: ready to race
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        users.create_user(db, None, data)
        print("created", flush=True)
    except PermissionDenied:
        print("refused", flush=True)
    finally:
        db.dispose()
    """
)


def _empty_users(db: Database) -> None:
    with db.write() as session:
        for user in session.exec(select(User)).all():
            session.delete(user)


def _visitor(url: str, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", VISITOR, url, name],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_first_run_sign_ups_in_two_processes_make_one_admin(db, database_url):
    for trial in range(TRIALS):
        _empty_users(db)
        visitors = [_visitor(database_url, f"admin{trial}{who}") for who in "ab"]
        try:
            for v in visitors:
                line = v.stdout.readline().strip()  # type: ignore[union-attr]
                assert line == "ready", v.stderr.read()  # type: ignore[union-attr]
            for v in visitors:  # both are waiting on stdin: release them together
                v.stdin.write("go\n")  # type: ignore[union-attr]
                v.stdin.flush()  # type: ignore[union-attr]
            outcomes = sorted(v.communicate(timeout=120)[0].strip() for v in visitors)
        finally:
            for v in visitors:
                if v.poll() is None:
                    v.kill()
        assert outcomes == ["created", "refused"], f"trial {trial}: {outcomes}"
        with db.read() as session:
            admins = session.exec(
                select(func.count()).select_from(User).where(User.role == "admin")
            ).one()
        assert admins == 1
