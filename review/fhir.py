"""The FHIR R4 export of assessments, so that a clinic can load results into its record system:
a Bundle holding the Questionnaire of every version and one QuestionnaireResponse per
assessment (the resources are assessments.fhir's), streamed one entry at a time.
"""

import json
import uuid
from collections.abc import Iterator

from django.utils import timezone

from assessments import questionnaire as qn
from assessments.fhir import questionnaire_resource, questionnaire_response
from review.chunks import in_chunks

CHUNK = 500


def _entry(full_url_name: str, resource: dict) -> str:
    entry = {"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, full_url_name)}", "resource": resource}
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


BUNDLE_END = "]}"


def bundle_start(base_url: str) -> Iterator[str]:
    """The Bundle's opening and the questionnaire of every version (entries follow with a comma)."""
    timestamp = timezone.now().isoformat(timespec="seconds")
    yield f'{{"resourceType":"Bundle","type":"collection","timestamp":"{timestamp}","entry":['
    # Every version, so that each response's questionnaire is in the Bundle, whatever its age.
    for n, version in enumerate((qn.QUESTIONNAIRE_VERSION, *reversed(qn.archived_versions()))):
        questionnaire = questionnaire_resource(base_url, version)
        yield ("," if n else "") + _entry(f"{questionnaire['url']}|{questionnaire['version']}", questionnaire)


def bundle_entries(queryset, base_url: str) -> Iterator[str]:
    """One entry per assessment of the queryset, each after a comma, read in chunks."""
    # Only what the response needs: the stored result is large and not exported.
    rows = queryset.select_related(None).only("pk", "token", "created", "questionnaire_version", "answers")
    for assessment in in_chunks(rows, CHUNK):
        # From the primary key, not the 8-character reference that two assessments could share:
        # fullUrls must be unique within a Bundle.
        name = f"{base_url}fhir/QuestionnaireResponse/{assessment.pk}"
        yield "," + _entry(name, questionnaire_response(assessment, base_url))


def bundle_chunks(queryset, base_url: str) -> Iterator[str]:
    """A FHIR collection Bundle of the questionnaire and the queryset's responses, as JSON text
    streamed one entry at a time, so that memory stays flat however many are exported."""
    yield from bundle_start(base_url)
    yield from bundle_entries(queryset, base_url)
    yield BUNDLE_END
