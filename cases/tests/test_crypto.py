import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from cases import crypto
from cases.tests.conftest import ADDRESS, LOCATION, NAME, NARRATIVE, PHONE

pytestmark = pytest.mark.django_db

# (table, column, fixture entry, plain value)
COLUMNS = [
    ("cases_survivor", "name", "survivor", NAME),
    ("cases_survivor", "phone", "survivor", PHONE),
    ("cases_survivor", "address", "survivor", ADDRESS),
    ("cases_incident", "narrative", "incident", NARRATIVE),
    ("cases_place", "location", "place", LOCATION),
]


@pytest.fixture
def key_file(settings, tmp_path):
    """The current keys in a file of the test's own, so rotating them touches no other test."""
    keys = crypto.read_keys()
    settings.GBV_KEY_FILE = tmp_path / "gbv_keys"
    crypto.write_keys(keys)
    crypto.reset_cache()
    yield settings.GBV_KEY_FILE
    crypto.reset_cache()


def _raw(gbv) -> list[str]:
    values = []
    with connection.cursor() as cursor:
        for table, column, entry, _plain in COLUMNS:
            cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [gbv[entry].pk])
            values.append(cursor.fetchone()[0])
    return values


def _page(client, gbv) -> str:
    """The owner's case page after revealing the name, and the shelter's page: every protected
    value in plain."""
    client.force_login(gbv["people"]["owner"])
    case = client.post(reverse("cases:reveal", args=[gbv["case"].pk])).content.decode()
    return case + client.get(reverse("cases:place", args=[gbv["place"].pk])).content.decode()


def test_raw_columns_hold_ciphertext(gbv):
    for raw, (_table, column, _entry, plain) in zip(_raw(gbv), COLUMNS, strict=True):
        assert raw.startswith(crypto.PREFIX) and plain not in raw, column


def test_rotation_reencrypts_everything_and_drops_the_old_key(client, gbv, key_file):
    before, keys = _raw(gbv), crypto.read_keys()
    survivor, incident = gbv["survivor"], gbv["incident"]
    out = io.StringIO()
    call_command("rotate_gbv_key", stdout=out)
    rotated = _raw(gbv)
    assert all(r.startswith(crypto.PREFIX) and r != b for r, b in zip(rotated, before, strict=True))
    assert crypto.read_keys()[1:] == keys  # the new key first, the old ones still decrypt
    assert "cases.survivor.name: 1" in out.getvalue()
    page = _page(client, gbv)
    assert all(plain in page for *_rest, plain in COLUMNS)

    keys_before_drop = crypto.read_keys()
    call_command("rotate_gbv_key", "--drop-old", stdout=io.StringIO())
    assert len(crypto.read_keys()) == 1
    # The dropped keys are kept aside for old backups, outside the key file.
    (retired,) = key_file.parent.glob("gbv_keys.retired-*")
    assert retired.read_text().split() == keys_before_drop
    assert all(r != b for r, b in zip(_raw(gbv), rotated, strict=True))
    assert all(plain in _page(client, gbv) for *_rest, plain in COLUMNS)
    # Matching digests have their own key: rotation leaves them as they were.
    identity, dedup = survivor.identity_key, incident.dedup_key
    survivor.refresh_from_db()
    incident.refresh_from_db()
    assert (survivor.identity_key, incident.dedup_key) == (identity, dedup)
    assert survivor.identity_key == crypto.blind_index(NAME, "1990-04-12")


def test_drop_old_keeps_the_keys_while_a_value_does_not_open_with_the_new_one(gbv, key_file):
    from cases.management.commands.rotate_gbv_key import check_opens_with

    new = crypto.read_keys()[0]
    call_command("rotate_gbv_key", stdout=io.StringIO())  # the fixture's values: newest key now
    with pytest.raises(CommandError, match="chưa được mã hóa bằng khóa mới"):
        check_opens_with(new)  # an older key: some values do not open with it


def test_rotation_refuses_keys_from_the_environment(gbv, key_file, monkeypatch):
    monkeypatch.setenv("GBV_KEYS", ",".join(crypto.read_keys()))
    before = _raw(gbv)
    with pytest.raises(CommandError, match="GBV_KEYS"):
        call_command("rotate_gbv_key")
    assert _raw(gbv) == before
