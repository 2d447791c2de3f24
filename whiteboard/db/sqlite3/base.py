"""Django's SQLite backend whose write transactions queue on a lock that wakes the next writer at once.

Every write transaction here starts with BEGIN IMMEDIATE (the settings' transaction mode). When
another connection holds the write lock, SQLite's busy handler sleeps and retries in steps that
grow to 100 ms, so under many concurrent saves a writer slept far longer than the writes it
waited for, while holding a request thread: with 200 users and 50 editors on two server
processes, saves and live edits took seconds at 70% of one core. Here a writer first takes a
lock per database file and process (a thread lock, which hands over at once), then a lock on a
file beside the database shared by every process (flock, tried every fraction of a millisecond
up to a few), and only then begins; the lock is released at commit, rollback or close.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base, creation

# As long as SQLite's own timeout (OPTIONS["timeout"]); past it the writer goes on to BEGIN and
# gets SQLite's "database is locked" if the lock is still held.
WAIT_S = 20.0
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


class WriterQueue:
    """The write lock of one database file, for one connection."""

    def __init__(self, database: str):
        self.path = writers_path(database)
        self.thread_lock = _process_lock(self.path)
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        deadline = time.monotonic() + WAIT_S
        if not self.thread_lock.acquire(timeout=WAIT_S):
            return
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.thread_lock.release()
                    return
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.thread_lock.release()

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def writers_path(database: str) -> str:
    """The lock file that every process's writers of `database` queue on."""
    return f"{database}.writers"


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name: str, verbosity: int) -> None:
        super()._destroy_test_db(test_database_name, verbosity)
        if test_database_name and not self.is_in_memory_db(test_database_name):
            # The writers' lock file, and SQLite's WAL files when a server process of the tests
            # still had the database open, would otherwise outlive it in var/, one set per test run.
            for leftover in (writers_path(test_database_name), f"{test_database_name}-wal",
                             f"{test_database_name}-shm"):
                try:
                    os.remove(leftover)
                except FileNotFoundError:
                    pass


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    writers: WriterQueue | None = None

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode != "IMMEDIATE" or self.is_in_memory_db():
            return super()._start_transaction_under_autocommit()
        if self.writers is None:
            self.writers = WriterQueue(str(self.settings_dict["NAME"]))
        self.writers.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self.writers.release()
            raise

    def _commit(self) -> None:
        try:
            return super()._commit()
        finally:
            self._release_writers()

    def _rollback(self) -> None:
        try:
            return super()._rollback()
        finally:
            self._release_writers()

    def _close(self) -> None:
        try:
            return super()._close()
        finally:
            if self.writers is not None:
                self.writers.close()

    def _release_writers(self) -> None:
        if self.writers is not None:
            self.writers.release()
