from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.questionnaire import QUESTIONS
from drawings import PoseError, load_poses, render
from drawings.sheet import contact_sheet
from programs.library import LIBRARY_FILE, LibraryError, read_library

CHECK_POSES = Path(settings.BASE_DIR) / "assessments" / "check_poses.toml"
EXERCISE_DIR = Path(settings.BASE_DIR) / "static" / "img" / "exercises"
CHECK_DIR = Path(settings.BASE_DIR) / "static" / "img" / "checks"


def check_illustrations() -> set[str]:
    """The drawings the questionnaire's movement checks show."""
    return {q.illustration for q in QUESTIONS.values() if q.illustration}


def _missing(poses: dict, wanted: set[str], what: str) -> list[str]:
    problems = [f"{name}: no pose for this {what}" for name in sorted(wanted - set(poses))]
    return problems + [f"{name}: a pose for no {what}" for name in sorted(set(poses) - wanted)]


def expected_drawings(library: Path = LIBRARY_FILE, checks: Path = CHECK_POSES) -> dict[Path, str]:
    """Every drawing's file and the text it should hold, exercises first, each in name order.
    Raises PoseError naming every exercise or check without a pose, or the first bad pose."""
    exercise_poses = load_poses(library, table="exercise", key="slug")
    check_poses = load_poses(checks)
    problems = _missing(exercise_poses, {row["slug"] for row in read_library(library)}, "exercise")
    problems += _missing(check_poses, check_illustrations(), "movement check")
    if problems:
        raise PoseError("\n".join(problems))
    drawings = {EXERCISE_DIR / f"{name}.svg": render(pose) for name, pose in sorted(exercise_poses.items())}
    drawings.update({CHECK_DIR / f"{name}.svg": render(pose) for name, pose in sorted(check_poses.items())})
    return drawings


def _shown(path: Path) -> str:
    return str(path.relative_to(settings.BASE_DIR)) if path.is_relative_to(settings.BASE_DIR) else str(path)


class Command(BaseCommand):
    help = (
        "Draw every exercise and movement-check figure from its pose (programs/exercises.toml, "
        "assessments/check_poses.toml) into static/img/exercises/ and static/img/checks/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="write nothing; exit 1 listing the files that differ from their pose"
        )
        parser.add_argument("--sheet", metavar="HTML", help="also write a contact sheet of every drawing to this file")

    def handle(self, *args, **options):
        try:
            drawings = expected_drawings()
        except (PoseError, LibraryError) as exc:
            raise CommandError(f"no drawing was written:\n  {str(exc).replace(chr(10), chr(10) + '  ')}") from exc
        differ = [path for path, text in drawings.items() if not path.is_file() or path.read_text("utf-8") != text]
        if options["sheet"]:
            items = [(f"{path.parent.name}/{path.stem}", text) for path, text in drawings.items()]
            Path(options["sheet"]).write_text(contact_sheet(items, "Exercise and check drawings"), encoding="utf-8")
        if options["check"]:
            if differ:
                raise CommandError(
                    "these drawings differ from their poses; run `python manage.py draw_figures`:\n  "
                    + "\n  ".join(_shown(path) for path in differ),
                    returncode=1,
                )
            self.stdout.write(f"All {len(drawings)} drawings match their poses.")
            return
        for path in differ:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(drawings[path], encoding="utf-8")
        self.stdout.write(f"{len(drawings)} drawings: {len(differ)} written, {len(drawings) - len(differ)} unchanged.")
