"""Deliver due notifications from the API process every NOTIFY_INTERVAL_S, in one thread that
never holds a write open while it sends (`notifications.deliver_due`)."""

import logging
import threading

from tracker.db import Database
from tracker.services import notifications

log = logging.getLogger(__name__)


class Deliverer:
    def __init__(self, db: Database, interval_s: float) -> None:
        self.db, self.interval_s = db, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify-deliverer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval_s + 30)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                notifications.deliver_due(self.db)
            except Exception:  # keep delivering later; the outbox keeps every message
                log.exception("notification delivery pass failed")
