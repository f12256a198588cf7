"""Live aggregation at national scale: analytics.engine on PostgreSQL beside DuckDB.

Usage: .venv/bin/python bench/analytics.py [--scale 1.0] [--repeat 3] [--keep]

Creates a throw-away PostgreSQL database `binhdang_bench_analytics` (dropped and recreated;
server from BENCH_PG, default postgres://postgres@127.0.0.1:5432), migrates it, loads the units,
plan and 2025 reporting catalogue, then generates a synthetic nation with COPY: 34 provinces,
3,321 communes and ~20 agencies per province (× scale), ten rounds (2021–2025, 6-month form and
annual form), one submission per unit and round and every cell (data element × option combo) of
the round's form, each row with its submission's unit and round as DataValue.of gives them
(PostgreSQL computes DataValue.number as rows are copied, as on any write). Computed indicators:
the share of women for every element disaggregated by sex.

It then times, median of `--repeat` runs:
  (a) the province synthesis: every element and indicator, one province subtree, one round;
  (b) the national pivot: province × (elements and indicators) × round;
each through analytics.engine.aggregate (in-process, live on the rows as saved), and DuckDB
computing the same answer from the same rows exported to Parquet (value text and no_data: DuckDB
matches and casts the text itself); answers must agree. The DuckDB time covers its scan and
grouping plus the same few lines of Python that turn per-combo sums into totals and ratios. The
database is dropped at the end (unless --keep).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "binhdang_bench_analytics"
PROVINCES, COMMUNES, AGENCIES_PER_PROVINCE = 34, 3321, 20
YEARS = range(2021, 2026)
NUMBER = r"-?[0-9]{1,15}(\.[0-9]+)?"  # reports.models.NUMBER_RE, matched against the whole text


def admin_sql(*statements):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def step(label, started):
    print(f"  {label:<52} {time.perf_counter() - started:7.1f} s", flush=True)
    return time.perf_counter()


def generate(scale: float, seed: int = 2025):
    """Units, rounds, submissions and values; returns what the timings need."""
    import datetime

    from django.db import connection

    from accounts.models import User
    from core.roles import Role
    from indicators.models import NUMERIC_TYPES, ComputedIndicator
    from orgs.models import Unit, UnitKind
    from reports.models import Form, Round, Status, Submission

    rng = random.Random(seed)
    started = time.perf_counter()
    provinces = Unit.objects.bulk_create(
        Unit(code=f"P{p:02}", name=f"Tỉnh tổng hợp {p:02}", kind=UnitKind.PROVINCE)
        for p in range(1, PROVINCES + 1)
    )
    communes = max(PROVINCES, round(COMMUNES * scale))
    agencies = max(1, round(AGENCIES_PER_PROVINCE * scale))
    leaves = [
        Unit(
            code=f"C{c:05}", name=f"Xã {c}", kind=UnitKind.COMMUNE, parent=provinces[c % PROVINCES]
        )
        for c in range(communes)
    ] + [
        Unit(code=f"A{p.code}-{a:02}", name=f"Sở {a} {p.code}", kind=UnitKind.AGENCY, parent=p)
        for p in provinces
        for a in range(agencies)
    ]
    Unit.objects.bulk_create(leaves, batch_size=2000)
    started = step(f"units: {PROVINCES} provinces, {len(leaves)} communes and agencies", started)

    forms = {f.code: f for f in Form.objects.filter(code__in=["BDG_6T", "BDG_NAM"])}
    cells = {}
    for code, form in forms.items():
        cells[code] = [
            (row.data_element, combo)
            for row in form.rows()
            for combo in row.data_element.category_combo.option_combos.all()
        ]
    scope = Unit.objects.get(code="51")
    rounds = []
    for year in YEARS:
        for suffix, form, due in (("S1", "BDG_6T", (6, 5)), ("", "BDG_NAM", (12, 10))):
            day = datetime.date(year, *due)
            rounds.append(
                Round.objects.create(
                    code=f"SYN-{year}{suffix}",
                    name=f"Đợt tổng hợp {year}{suffix}",
                    form=forms[form],
                    kind="periodic",
                    period=f"{year}{suffix}",
                    window_start=day - datetime.timedelta(days=180),
                    window_end=day,
                    opens_on=day - datetime.timedelta(days=20),
                    due_on=day,
                    lock_on=day + datetime.timedelta(days=20),
                    scope=scope,
                )
            )
    units = list(Unit.objects.filter(parent__in=provinces).values_list("pk", flat=True))
    statuses = [Status.ACCEPTED] * 6 + [Status.SUBMITTED] * 2 + [Status.DRAFT, Status.RETURNED]
    submissions = Submission.objects.bulk_create(
        (
            Submission(round=r, unit_id=u, due_on=r.due_on, status=rng.choice(statuses))
            for r in rounds
            for u in units
        ),
        batch_size=5000,
    )
    started = step(f"rounds: {len(rounds)}, submissions: {len(submissions)}", started)

    now = datetime.datetime.now(datetime.UTC)
    count = 0
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY reports_datavalue (submission_id, unit_id, round_id, data_element_id, "
            "option_combo_id, value, no_data, comment, version, updated_at) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for submission in submissions:
                for element, combo in cells[submission.round.form.code]:
                    roll = rng.random()
                    if roll < 0.03:
                        continue  # left empty
                    if roll < 0.05:
                        value, no_data = "", True
                    elif element.value_type not in NUMERIC_TYPES:
                        value, no_data = rng.choice(["true", "false"]), False
                    elif element.value_type == "integer":
                        value, no_data = str(rng.randint(0, 400)), False
                    else:
                        value, no_data = f"{rng.randint(0, 9999) / 10:.1f}", False
                    row = (submission.pk, submission.unit_id, submission.round_id, element.pk)
                    copy.write_row((*row, combo.pk, value, no_data, "", 1, now))
                    count += 1
        cursor.execute("VACUUM ANALYZE reports_datavalue")
        cursor.execute("VACUUM ANALYZE reports_submission")
        cursor.execute("ANALYZE orgs_unit")
    started = step(f"values (COPY): {count:,}", started)

    elements = {}
    for code in forms:
        for element, _combo in cells[code]:
            if element.value_type in NUMERIC_TYPES:
                elements[element.code] = element
    indicators = []
    for element in elements.values():
        if element.category_combo.code == "SEX":
            indicators.append(
                ComputedIndicator.objects.create(
                    code=f"SYN_{element.code}_NU",
                    name=f"Tỷ lệ nữ: {element.name}"[:400],
                    numerator=[{"element": element.code, "combo": "FEMALE"}],
                    denominator=[{"element": element.code, "combo": None}],
                )
            )
    user = User.objects.create(username="bench.coordinator", role=Role.COORDINATOR, unit=scope)
    return {
        "user": user,
        "elements": sorted(elements),
        "indicators": indicators,
        "rounds": [r.code for r in rounds],
        "provinces": [p.code for p in provinces],
        "values": count,
    }


def export_parquet(folder: Path) -> dict:
    """The same rows for DuckDB: values joined to their submission, and the unit tree."""
    import duckdb
    from django.db import connection

    paths = {}
    queries = {
        "values": "SELECT s.unit_id, r.code AS round, e.code AS element, c.code AS combo, "
        "s.status, v.value, v.no_data FROM reports_datavalue v "
        "JOIN reports_submission s ON s.id = v.submission_id "
        "JOIN reports_round r ON r.id = s.round_id "
        "JOIN indicators_dataelement e ON e.id = v.data_element_id "
        "JOIN indicators_categoryoptioncombo c ON c.id = v.option_combo_id",
        "units": "SELECT id, code, parent_id FROM orgs_unit",
    }
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            csv_path = folder / f"{name}.csv"
            with open(csv_path, "wb") as out:
                with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV HEADER") as copy:
                    for block in copy:
                        out.write(block)
            paths[name] = folder / f"{name}.parquet"
            types = "{'value': 'VARCHAR', 'combo': 'VARCHAR', 'round': 'VARCHAR'}"
            options = f", types={types}" if name == "values" else ""
            duckdb.sql(
                f"COPY (SELECT * FROM read_csv('{csv_path}', header=true{options})) "
                f"TO '{paths[name]}' (FORMAT parquet)"
            )
            csv_path.unlink()
    return paths


def finish(sums, elements, indicators):
    """Per (unit, round, element, combo) sums → element totals and indicator ratios."""
    totals, by_combo = defaultdict(Decimal), defaultdict(Decimal)
    for (ou, pe, dx, co), value in sums.items():
        totals[(dx, pe, ou)] += value
        by_combo[(dx, pe, ou, co)] += value
    result = {key: value for key, value in totals.items() if key[0] in elements}
    for indicator in indicators:
        term = indicator.numerator[0]
        for (dx, pe, ou), denominator in list(totals.items()):
            if dx != term["element"] or not denominator:
                continue
            numerator = by_combo.get((dx, pe, ou, term["combo"]))
            if numerator is not None:
                result[(indicator.code, pe, ou)] = indicator.factor * numerator / denominator
    return result


def duck_answer(con, paths, *, province=None, round_code=None, elements, indicators):
    where = ["NOT v.no_data", f"regexp_full_match(v.value, '{NUMBER}')"]
    if round_code:
        where.append(f"v.round = '{round_code}'")
    if province:
        where.append(f"p.code = '{province}'")
    rows = con.execute(
        "SELECT p.code, v.round, v.element, v.combo, sum(CAST(v.value AS DECIMAL(30, 6))) "
        f"FROM '{paths['values']}' v JOIN '{paths['units']}' u ON u.id = v.unit_id "
        f"JOIN '{paths['units']}' p ON p.id = u.parent_id WHERE {' AND '.join(where)} "
        "GROUP BY ALL"
    ).fetchall()
    sums = {(ou, pe, dx, co): Decimal(value) for ou, pe, dx, co, value in rows}
    return finish(sums, set(elements), indicators)


def engine_answer(data, *, units, rounds):
    from analytics.engine import aggregate

    result = aggregate(
        user=data["user"],
        elements=data["elements"],
        indicators=[i.code for i in data["indicators"]],
        rounds=rounds,
        units=units,
    )
    return {(row.dx, row.pe, row.ou): row.value for row in result.rows}


def timed(function, repeat):
    times, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def agree(left: dict, right: dict) -> bool:
    if left.keys() != right.keys():
        return False
    return all(abs(left[k] - right[k]) <= Decimal("1e-9") * max(1, abs(right[k])) for k in left)


def run(data, paths, repeat):
    import duckdb

    con = duckdb.connect()
    province, round_code = data["provinces"][0], data["rounds"][-1]
    cases = [
        (
            f"(a) province synthesis ({province}, {round_code})",
            lambda: engine_answer(data, units=[province], rounds=[round_code]),
            lambda: duck_answer(
                con,
                paths,
                province=province,
                round_code=round_code,
                elements=data["elements"],
                indicators=data["indicators"],
            ),
        ),
        (
            "(b) national pivot (34 provinces × dx × 10 rounds)",
            lambda: engine_answer(data, units=data["provinces"], rounds=data["rounds"]),
            lambda: duck_answer(
                con, paths, elements=data["elements"], indicators=data["indicators"]
            ),
        ),
    ]
    print(
        f"\nmedian of {repeat} runs; dx = {len(data['elements'])} elements + "
        f"{len(data['indicators'])} indicators; {data['values']:,} values"
    )
    print(f"{'query':<52} {'figures':>8} {'engine s':>9} {'DuckDB s':>9} {'ratio':>6}  agree")
    for label, engine, duck in cases:
        engine_s, ours = timed(engine, repeat)
        duck_s, theirs = timed(duck, repeat)
        verdict = "yes" if agree(ours, theirs) else "NO"
        ratio = engine_s / duck_s if duck_s else float("inf")
        print(
            f"{label:<52} {len(ours):>8} {engine_s:>9.3f} {duck_s:>9.3f} {ratio:>6.1f}  {verdict}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of communes and agencies")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()

    url = f"{SERVER}/{DB_NAME}"
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "DATABASE_URL": url, "DATA_DIR": folder, "DJANGO_DEBUG": "0"}
            started = time.perf_counter()
            print(f"setting up {DB_NAME} (scale {args.scale})", flush=True)
            for command in (["migrate", "--noinput"], ["load_units"], ["load_plan"]):
                manage(env, *command)
            manage(env, "load_reporting")
            started = step("migrate, load_units, load_plan, load_reporting", started)
            os.environ.update(DATABASE_URL=url, DATA_DIR=folder, DJANGO_DEBUG="0")
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
            import django

            django.setup()
            data = generate(args.scale)
            started = time.perf_counter()
            paths = export_parquet(Path(folder))
            step("export to Parquet (COPY TO, DuckDB)", started)
            run(data, paths, args.repeat)
            from django.db import connections

            connections.close_all()
    finally:
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
