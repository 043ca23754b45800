import json
import sys

from django.core.management.base import BaseCommand, CommandError

from assessments.answers import UNDER_18_MESSAGE, AnswerError, UnderAgeError, validate_answers
from assessments.questionnaire import QUESTIONNAIRE_VERSION
from assessments.scoring import score_answers


class Command(BaseCommand):
    help = (
        "Score answers without storing anything. FILE (or - for stdin) holds "
        '{"version": ..., "answers": {code: value}}; the result is printed as JSON.'
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON file, or - to read standard input")

    def fail(self, message: str):
        raise CommandError(message, returncode=2)

    def handle(self, *args, **options):
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            self.fail(f"cannot read {path}: {exc.strerror}")
        except UnicodeDecodeError:
            self.fail(f"{path} is not UTF-8 text")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            self.fail(f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        if not isinstance(document, dict) or "answers" not in document:
            self.fail('expected an object {"version": ..., "answers": {code: value}}')
        version = document.get("version")
        if version != QUESTIONNAIRE_VERSION:
            self.fail(f"questionnaire version {version!r} is not supported; this is version {QUESTIONNAIRE_VERSION!r}")
        try:
            answers = validate_answers(document["answers"])
        except UnderAgeError:
            self.fail(f"not scored: {UNDER_18_MESSAGE}")
        except AnswerError as exc:
            problems = "\n".join(f"  {code}: {message}" for code, message in exc.errors.items())
            self.fail(f"the answers do not fit the questionnaire:\n{problems}")
        # The stored result as JSON: everything the engine decided, with the answers behind it.
        output = score_answers(answers).as_dict()
        self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))
