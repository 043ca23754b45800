"""Which release is running: a digest of what the cached pages are made from."""

import hashlib
from pathlib import Path

# What a cached rendering depends on besides the database: the code, the templates and the static
# files (their hashed names). Processes of one release share the cache; a new release starts afresh.
RELEASE_PARTS = ("assessments", "backpain", "clinics", "drawings", "programs", "review", "static", "templates")


def release_digest(base_dir: Path) -> str:
    """A short digest of the project's code, templates, static files and pinned packages."""
    digest = hashlib.sha256()
    files = [base_dir / "requirements.txt"]
    for part in RELEASE_PARTS:
        files += [p for p in (base_dir / part).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(files):
        if path.exists():
            digest.update(str(path.relative_to(base_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]
