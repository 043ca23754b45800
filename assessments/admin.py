"""The clinician's admin for assessments arrives with the clinician-review issue."""
