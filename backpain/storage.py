"""Static files: whitenoise's compressed, content-named files, with their URLs remembered.

Django's manifest storage parses and joins URLs each time `{% static %}` runs (about a dozen
times a page); the names do not change while a release runs, so each is worked out once.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
