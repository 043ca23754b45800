"""Reading a large queryset a chunk at a time, with or without server-side cursors."""

from collections.abc import Iterator

from django.db import connections


def in_chunks(queryset, size: int) -> Iterator:
    """The queryset's rows in its order, at most about `size` of them in memory at once.

    On PostgreSQL `.iterator()` reads through a server-side cursor. Behind pgbouncer in
    transaction mode those are off (DB_POOLER_TRANSACTION_MODE), and `.iterator()` would then
    receive the whole result before the first row: so the primary keys are read first (small),
    then the rows `size` at a time by key.
    """
    if not connections[queryset.db].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        yield from queryset.iterator(chunk_size=size)
        return
    keys = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), size):
        part = keys[start : start + size]
        rows = {row.pk: row for row in queryset.filter(pk__in=part)}
        yield from (rows[key] for key in part if key in rows)
