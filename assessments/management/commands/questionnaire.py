import json

from django.core.management.base import BaseCommand

from assessments import questionnaire as qn
from assessments.scoring import catalogue_as_dict


class Command(BaseCommand):
    help = "Print the questionnaire (sections, question codes, types, choices, ranges) and the imbalance catalogue."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")

    def handle(self, *args, **options):
        data = {**qn.as_dict(), "imbalances": catalogue_as_dict()}
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"Questionnaire version {data['version']}")
        for section in qn.SECTIONS:
            self.stdout.write(f"\n{section.title} [{section.code}]")
            for q in section.questions:
                detail = ""
                if q.choices:
                    detail = " choices: " + ", ".join(code for code, _ in q.choices)
                elif q.min is not None:
                    detail = f" range: {q.min:g}-{q.max:g}"
                optional = "" if q.required else " (optional)"
                self.stdout.write(f"  {q.code} ({q.type}){optional}{detail}")
        self.stdout.write("\nImbalances: " + ", ".join(i["code"] for i in data["imbalances"]))
