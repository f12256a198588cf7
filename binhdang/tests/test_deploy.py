import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "HTTPS": "1",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check-" + "y" * 20,
        "ALLOWED_HOSTS": "binhdang.quangngai.gov.vn",
        "DATA_DIR": str(tmp_path),
        "DJANGO_DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_fails_loudly(tmp_path):
    env = {**os.environ, "HTTPS": "1", "DATA_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()
