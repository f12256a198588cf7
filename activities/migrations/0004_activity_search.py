"""Search (the search app) reads a folded copy of the activities' text
(core.text.FoldedField): the column, and the existing rows filled as every later save fills it.

Activities are the one searched table that grows large (tens of thousands of rows over the
years). On PostgreSQL a trigram index (pg_trgm, a trusted extension since PostgreSQL 13: the
database's owner creates it, no superuser) answers `LIKE '%word%'` on the column without reading
every row; where the extension cannot be created the index is left out and search reads the table
(the same answers, slower). SQLite reads the table."""

from django.db import DatabaseError, migrations, transaction

from core.text import FoldedField, refold

INDEX = "activities_activity_search_trgm"


def fill(apps, schema_editor):
    refold(apps.get_model("activities", "activity"))


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON activities_activity USING gin (search gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_choice_labels")]

    operations = [
        migrations.AddField(
            "activity", "search", FoldedField(sources=("title", "target_group", "note"))
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_index),
    ]
