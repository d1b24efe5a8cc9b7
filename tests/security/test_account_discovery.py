"""A locked account and an unknown name answer alike: same message, same argon2 work."""

import pytest
from argon2 import PasswordHasher, extract_parameters

from tracker.errors import PermissionDenied
from tracker.services import users


class CountingHasher(PasswordHasher):
    """Records the parameters of every hash it verifies (argon2's cost is set by them)."""

    def __init__(self) -> None:
        super().__init__()
        self.verified: list[tuple] = []

    def verify(self, hash, password):  # type: ignore[no-untyped-def]
        p = extract_parameters(hash)
        self.verified.append((p.type, p.time_cost, p.memory_cost, p.parallelism))
        return super().verify(hash, password)


def answer(db, name: str, password: str, hasher: CountingHasher) -> tuple[str, list]:
    hasher.verified.clear()
    with pytest.raises(PermissionDenied) as error:
        users.authenticate(db, name, password)
    return str(error.value), list(hasher.verified)


def test_a_locked_account_and_an_unknown_name_look_the_same(db, alice, monkeypatch):
    hasher = CountingHasher()
    monkeypatch.setattr(users, "_hasher", hasher)
    for _ in range(users.lockout_policy().max_failures):
        with pytest.raises(PermissionDenied):
            users.authenticate(db, "alice", "guess")
    locked = answer(db, "alice", "correct horse", hasher)
    unknown = answer(db, "mallory", "correct horse", hasher)
    wrong = answer(db, "bob-who-never-was", "x", hasher)
    assert locked == unknown == wrong
    assert len(locked[1]) == 1  # exactly one argon2 verify, with the live parameters
    assert locked[1][0] == unknown[1][0]
