"""The review queue's short searches on PostgreSQL: one or two letters match the start of a nickname.

A term under three characters has no trigram, so the trigram index of migration 0009 gave back
every row to recheck. The admin searches such a term with istartswith, which PostgreSQL runs
as UPPER(nickname::text) LIKE UPPER('jo%'): a B-tree of that expression with text_pattern_ops
answers it. On SQLite the migration does nothing; it changes no model state.
"""

from django.db import migrations

INDEX = "assessment_nickname_prefix"


def create_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The expression exactly as Django writes nickname__istartswith, or the index is not used.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON assessments_assessment ((UPPER(nickname::text)) text_pattern_ops)"
    )


def drop_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0009_nickname_trigram")]

    operations = [migrations.RunPython(create_prefix_index, drop_prefix_index)]
