"""The SQLite backend's writer lock file lives beside its database and goes away with a test database."""

import os
from pathlib import Path

from django.db import connections, transaction
from django.db.utils import ConnectionHandler

from whiteboard.env import env_database

ALIAS = "writers_lock_test"


def test_destroying_a_test_database_removes_its_writers_lock(monkeypatch, tmp_path, django_db_blocker):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database = tmp_path / "test_db_lock.sqlite3"
    connections.settings[ALIAS] = ConnectionHandler({"default": env_database(database)}).settings["default"]
    try:
        with django_db_blocker.unblock():
            with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
                cursor.execute("CREATE TABLE note (text TEXT)")
                cursor.execute("INSERT INTO note VALUES ('kept')")
            assert Path(f"{database}.writers").exists(), "a write transaction queues on the lock file"

            connections[ALIAS].creation.destroy_test_db(old_database_name=str(database), verbosity=0)
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]

    assert not database.exists()
    assert sorted(os.listdir(tmp_path)) == [], "the lock file and WAL files go with the database"
