"""The first-run sign-up is atomic: two racing processes make exactly one admin."""

import multiprocessing

from sqlalchemy import func
from sqlmodel import select

from tracker.db import Database
from tracker.errors import PermissionDenied
from tracker.models import User
from tracker.schemas import UserCreate
from tracker.services import users

TRIALS = 3


def _sign_up(url: str, name: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One first-run visitor in its own process: create the first admin once both are ready."""
    db = Database(url)
    data = UserCreate(name=name, role="admin", password="correct horse")  # type: ignore[arg-type]
    barrier.wait()
    try:
        users.create_user(db, None, data)
        results.put((name, "created"))
    except PermissionDenied:
        results.put((name, "refused"))
    finally:
        db.dispose()


def _empty_users(db: Database) -> None:
    with db.write() as session:
        for user in session.exec(select(User)).all():
            session.delete(user)


def test_two_first_run_sign_ups_in_two_processes_make_one_admin(db, database_url):
    ctx = multiprocessing.get_context("spawn")
    for trial in range(TRIALS):
        _empty_users(db)
        barrier, results = ctx.Barrier(2), ctx.Queue()
        workers = [
            ctx.Process(
                target=_sign_up, args=(database_url, f"admin{trial}{who}", barrier, results)
            )
            for who in "ab"
        ]
        for w in workers:
            w.start()
        outcomes = sorted(results.get(timeout=120)[1] for _ in workers)
        for w in workers:
            w.join(timeout=60)
        assert outcomes == ["created", "refused"], f"trial {trial}: {outcomes}"
        with db.read() as session:
            admins = session.exec(
                select(func.count()).select_from(User).where(User.role == "admin")
            ).one()
        assert admins == 1
