"""Search at 100.000 records, on SQLite and PostgreSQL: what the search page's queries take.

Usage: .venv/bin/python bench/search.py [--rows 100000] [--repeat 5] [--only sqlite|postgresql]
       [--keep]

Builds a throw-away database of each kind (SQLite in a temporary directory; PostgreSQL
`binhdang_bench_search`, dropped and recreated unless `--keep` finds it, server from BENCH_PG,
default postgres://postgres@127.0.0.1:5432): the province, the 2025 plan and reporting set-up,
then `--rows` activities spread over the communes, titled and noted with words drawn from a small
Vietnamese vocabulary (so common words match a fifth of the rows: a worst case), written with
bulk_create (each row's folded column filled as any save fills it). Then times, median of
`--repeat`, `search.selectors.search` (every kind, as the page runs it) for the coordinator (every
unit) and a commune's reporter (one unit, `for_user`), with a rare phrase ("tinh khe"), common
words, and words found nowhere. The PostgreSQL database is dropped at the end (unless `--keep`).
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_snippet, manage  # noqa: E402

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "binhdang_bench_search"
SETUP = (["migrate", "--noinput"], ["load_units"], ["load_plan"], ["load_reporting"])

FILL_AND_TIME = """
import datetime, random, statistics, time
from accounts.models import User
from activities.models import Activity, Channel, Kind
from orgs.models import COMMUNE_KINDS, Unit
from search.selectors import search

ROWS, REPEAT = {rows}, {repeat}
random.seed(7)
communes = list(Unit.objects.filter(kind__in=COMMUNE_KINDS, valid_to__isnull=True))
coordinator, _ = User.objects.get_or_create(username="bench.coordinator",
    defaults={{"role": "coordinator", "unit": Unit.objects.get(code="SNV")}})
reporter, _ = User.objects.get_or_create(username="bench.reporter",
    defaults={{"role": "reporter", "unit": Unit.objects.get(code="21025")}})
words = ("truyền thông tập huấn bình đẳng giới phòng chống bạo lực gia đình hội thi phụ nữ "
         "thanh niên nông thôn đồng bào dân tộc thiểu số loa truyền thanh cơ sở tọa đàm").split()
if not Activity.objects.exists():
    batch = []
    for n in range(ROWS):
        unit = communes[n % len(communes)]
        title = " ".join(random.choices(words, k=6)).capitalize() + f" tại {{unit.name}}"
        batch.append(Activity(kind=Kind.COMMUNICATION, unit=unit, title=title[:300],
                              note=" ".join(random.choices(words, k=25)),
                              starts_on=datetime.date(2026, 1, 1) + datetime.timedelta(n % 330),
                              channel=Channel.DIRECT, created_by=coordinator))
        if len(batch) == 5000:
            Activity.objects.bulk_create(batch)
            batch = []
    Activity.objects.bulk_create(batch)
timings = {{}}
for who, user in (("coordinator", coordinator), ("commune reporter", reporter)):
    for typed in ("tinh khe", "hoi thi phu nu", "khong co dau ca"):
        runs = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            groups = search(user, typed)
            runs.append(time.perf_counter() - started)
        found = sum(g.total for g in groups)
        timings[f"{{who}}: {{typed!r}} ({{found}} found)"] = statistics.median(runs) * 1000
emit({{"rows": Activity.objects.count(), "timings": timings}})
"""


def run(label: str, env: dict, rows: int, repeat: int) -> None:
    for command in SETUP:
        manage(env, *command)
    result = django_snippet(env, FILL_AND_TIME.format(rows=rows, repeat=repeat))
    print(f"{label}: {result['rows']} activities")
    for name, ms in result["timings"].items():
        print(f"  {ms:8.1f} ms  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    options = parser.parse_args()
    if options.only != "postgresql":
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_DEBUG": "0", "DATABASE_URL": ""}
            run("SQLite", env, options.rows, options.repeat)
    if options.only == "sqlite":
        return
    import psycopg

    url = f"{SERVER}/{DB_NAME}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not (exists and options.keep):
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_DEBUG": "0", "DATABASE_URL": url}
            run("PostgreSQL", env, options.rows, options.repeat)
    finally:
        if not options.keep:
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
