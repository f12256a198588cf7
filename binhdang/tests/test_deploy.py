import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The subprocesses run manage.py with the production settings, not the suite's.
PRODUCTION = {**os.environ, "DJANGO_SETTINGS_MODULE": "binhdang.settings"}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **PRODUCTION,
        "HTTPS": "1",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check-" + "y" * 20,
        "ALLOWED_HOSTS": "binhdang.quangngai.gov.vn",
        "DATA_DIR": str(tmp_path),
        "DJANGO_DEBUG": "0",
        "GBV_KEYS": "cw_0x689RpI-jtRzWI3V5_bvV13kyZiVl3hk3fNTGHg=",
        "GBV_INDEX_KEY": "an-index-key-of-the-deployment",
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
    env = {**PRODUCTION, "HTTPS": "1", "DATA_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_check_deploy_requires_the_gbv_keys(tmp_path):
    env = {
        **PRODUCTION,
        "HTTPS": "1",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "binhdang.quangngai.gov.vn",
        "DATA_DIR": str(tmp_path),
    }
    for name in ("GBV_KEYS", "GBV_INDEX_KEY", "GBV_KEY_FILE", "GBV_INDEX_KEY_FILE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "cases.E001" in result.stderr + result.stdout
    assert "cases.E002" in result.stderr + result.stdout
    assert not (tmp_path / "gbv_keys").exists()
