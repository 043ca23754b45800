"""The system Chromium for the browser tests (Debian's package; Playwright never downloads one)."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 812}
# axe-core impacts that fail the build; "minor" and "moderate" are reviewed by hand.
BLOCKING_IMPACTS = {"serious", "critical"}
