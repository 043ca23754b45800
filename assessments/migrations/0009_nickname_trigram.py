"""The review queue's nickname search on PostgreSQL: a trigram index for "contains, any case".

The admin searches nicknames with icontains, which PostgreSQL runs as
UPPER(nickname::text) LIKE UPPER('%term%'): no B-tree index helps, so every search read the
whole table. A GIN index of the same expression's trigrams (pg_trgm, a trusted extension the
database owner may create) answers it. SQLite has neither, and needs neither at its sizes:
there the migration does nothing. It changes no model state, so makemigrations stays clean.
"""

from django.db import migrations

INDEX = "assessment_nickname_trigram"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The expression exactly as Django writes nickname__icontains, or the index is not used.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON assessments_assessment "
        "USING gin ((UPPER(nickname::text)) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")  # the extension stays: others may use it


class Migration(migrations.Migration):
    dependencies = [("assessments", "0008_admin_scale_indexes")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
