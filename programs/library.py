"""The exercise library file: reading it and upserting it into the database by slug."""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from programs.builder import ExerciseSpec
from programs.models import Exercise

LIBRARY_FILE = Path(__file__).resolve().parent / "exercises.toml"

# Fields copied from the file as they are; lists of text become one line each.
PLAIN_FIELDS = (
    "name", "kind", "region", "targets", "sets", "reps", "hold_seconds", "per_side", "rest_seconds",
    "minutes", "equipment", "cautions", "warm_up", "gentle",
)  # fmt: skip
LINE_FIELDS = ("steps", "cues", "mistakes")
LINK_FIELDS = ("easier", "harder")
# The drawing's pose is read by `draw_figures` (the drawings package), not stored in the database.
IGNORED_KEYS = {"pose"}
KNOWN_KEYS = {"slug", *PLAIN_FIELDS, *LINE_FIELDS, *LINK_FIELDS, *IGNORED_KEYS}
DEFAULTS = {"reps": None, "hold_seconds": None, "per_side": False, "rest_seconds": 0, "equipment": [],
            "cautions": [], "targets": [], "warm_up": False, "gentle": False, "cues": [], "mistakes": []}  # fmt: skip


class LibraryError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # changed by a clinician: left alone

    def __str__(self):
        summary = (
            f"Exercise library: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept)} kept as a clinician changed them."
        )
        return summary + (f"\nKept: {', '.join(self.kept)}" if self.kept else "")


def read_library(path: Path = LIBRARY_FILE) -> list[dict]:
    """The exercises of the file as dicts of model field values (links still as slugs)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LibraryError([f"cannot read {path}: {exc.strerror}"]) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LibraryError([f"{path} is not valid TOML: {exc}"]) from exc
    entries = data.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise LibraryError([f"{path} has no [[exercise]] tables"])
    problems, rows, seen = [], [], set()
    for number, entry in enumerate(entries, start=1):
        slug = entry.get("slug")
        where = f"exercise {number} ({slug or 'no slug'})"
        if not slug:
            problems.append(f"{where}: a slug is required")
            continue
        if slug in seen:
            problems.append(f"{where}: the slug is used twice")
        seen.add(slug)
        unknown = set(entry) - KNOWN_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        merged = {**DEFAULTS, **entry}
        row = {"slug": slug, **{name: merged.get(name) for name in PLAIN_FIELDS}}
        row.update({name: "\n".join(merged.get(name) or []) for name in LINE_FIELDS})
        row.update({name: merged.get(name) for name in LINK_FIELDS})
        rows.append(row)
    slugs = {row["slug"] for row in rows}
    for row in rows:
        for link in LINK_FIELDS:
            if row[link] is not None and row[link] not in slugs:
                problems.append(f"{row['slug']}: its {link} variant '{row[link]}' is not in the file")
    if problems:
        raise LibraryError(problems)
    return rows


def _differs(exercise: Exercise, row: dict, existing: dict[str, Exercise]) -> bool:
    if any(getattr(exercise, name) != row[name] for name in (*PLAIN_FIELDS, *LINE_FIELDS)):
        return True
    for name in LINK_FIELDS:
        target = existing.get(row[name]) if row[name] else None
        if (row[name] and target is None) or getattr(exercise, f"{name}_id") != (target.pk if target else None):
            return True
    return False


@transaction.atomic
def load_library(path: Path = LIBRARY_FILE) -> LoadReport:
    """Upsert the file's exercises by slug. Idempotent; exercises only in the database, and
    library exercises a clinician changed (`customised`), are left as they are.
    Raises LibraryError, having changed nothing, when the file or an exercise is invalid."""
    rows = read_library(path)
    report = LoadReport()
    # Every exercise, so that a variant may also be one a clinician added.
    existing = {e.slug: e for e in Exercise.objects.select_for_update()}
    problems = []
    to_link: list[tuple[Exercise, dict]] = []
    for row in rows:
        exercise = existing.get(row["slug"])
        if exercise is not None and (exercise.customised or not exercise.from_library):
            report.kept.append(row["slug"])
            continue
        if exercise is not None and not _differs(exercise, row, existing):
            report.unchanged.append(row["slug"])
            continue
        exercise = exercise or Exercise(slug=row["slug"], from_library=True)
        for name in (*PLAIN_FIELDS, *LINE_FIELDS):
            setattr(exercise, name, row[name])
        try:
            exercise.full_clean(exclude=["easier", "harder"])
        except ValidationError as exc:
            problems += [f"{row['slug']}: {name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items()]
            continue
        (report.updated if exercise.pk else report.created).append(row["slug"])
        exercise.save()
        existing[row["slug"]] = exercise
        to_link.append((exercise, row))
    if problems:
        raise LibraryError(problems)
    # Variants point at exercises that now all exist.
    for exercise, row in to_link:
        for name in LINK_FIELDS:
            setattr(exercise, name, existing.get(row[name]) if row[name] else None)
        exercise.save(update_fields=[*LINK_FIELDS, "updated"])
    return report


def file_specs(path: Path = LIBRARY_FILE) -> list[ExerciseSpec]:
    """The file's exercises as builder input, without the database (for tests and checks)."""
    return [ExerciseSpec.from_values(row) for row in read_library(path)]
