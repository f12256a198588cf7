"""The test suite's settings: the real ones (binhdang.settings) with what only tests change.

pytest reads it (pyproject.toml, [tool.pytest.ini_options]); manage.py, the WSGI app and
the deployment check run by binhdang/tests/test_deploy.py use binhdang.settings."""

from binhdang.settings import *  # noqa: F403
from binhdang.settings import PASSWORD_HASHERS, STORAGES

# The production hashers, for the tests that check a password is stored with Argon2 (the
# `production_hashers` fixture of conftest.py).
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS
# Argon2 costs ~0.1 s and ~100 MB per hash by design; tests hash many passwords and check none
# of them against an attacker, so they use a fast hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests never run collectstatic: static files come from the apps, without a manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# PostgreSQL: a test database is thrown away, so its commits need not wait for the disk (the
# live-server tests commit every request; creating the database commits every migration).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] += " -c synchronous_commit=off"  # noqa: F405

# Tasks run in the process that enqueues them, at once: a test reads the job's outcome right after
# starting it. The database and Redis backends are tested on their own (core/tests/test_jobs.py).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": [TASK_QUEUE],  # noqa: F405
    }
}
