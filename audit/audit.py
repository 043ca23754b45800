"""`make audit`: every runner page and every clinician admin page, judged as served in production.

Serves the app as in production (gunicorn with 2 workers, DEBUG off, static files
collected) on the demo data (`manage.py demo`), in a throw-away SQLite database, or in
AUDIT_DATABASE_URL when it is set (a database of the audit's own: it is migrated and the
demo data go in; DATABASE_URL is never used, so that a shell pointed at a shared database
cannot get demo accounts). Then each page is judged by:

- axe-core (WCAG 2.2 AA and best-practice rules), in the system Chromium at 375 px for a
  runner's page and 1280 px for an admin page;
- the Nu HTML checker (npm vnu-jar, the current release), on the HTML as served;
- Lighthouse (npm, pinned): mobile for a runner's page, desktop for an admin page;
  performance, accessibility and best practices (pages that only a POST reaches, such as
  a form sent back with its errors, have no Lighthouse figures);
and `manage.py check --deploy` runs with production settings.

It prints one table and fails (exit status 1) below the thresholds:
- a runner's page: axe 0 violations, vnu 0 errors, Lighthouse 100 / 100 / 100;
- an admin page: axe 0 serious or critical violations, vnu 0 errors (its Lighthouse
  figures are reported, not judged);
- check --deploy: no issue.
What each failing page broke is printed under the table; Lighthouse's reports are kept
in audit/out/ (open the .html in a browser).

Usage: .venv/bin/python audit/audit.py [--no-lighthouse]
(`make audit` installs the npm tools from audit/package-lock.json first.)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.chromium import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.processes import PRODUCTION_ENV  # noqa: E402

NODE_MODULES = ROOT / "audit" / "node_modules"
LIGHTHOUSE_RUNNER = ROOT / "audit" / "lighthouse.mjs"  # Lighthouse signed in
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
OUT = ROOT / "audit" / "out"
DESKTOP = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices")
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Page:
    group: str  # "runner" or "admin"
    name: str
    url: str
    prepare: str = ""  # what to do on the page first: "" (nothing), "submit-empty", "start-step"
    axe: list[dict] = field(default_factory=list)
    vnu: list[dict] = field(default_factory=list)
    lighthouse: dict[str, int] = field(default_factory=dict)
    lighthouse_failures: list[str] = field(default_factory=list)
    html_file: Path | None = None

    @property
    def slug(self) -> str:
        return "-".join(f"{self.group} {self.name}".lower().replace(",", " ").split())

    @property
    def blocking_axe(self) -> list[dict]:
        return [v for v in self.axe if v["impact"] in BLOCKING_IMPACTS]

    @property
    def gets_lighthouse(self) -> bool:
        return not self.prepare

    def problems(self) -> list[str]:
        """What breaks the thresholds."""
        found = []
        counted = self.axe if self.group == "runner" else self.blocking_axe
        found += [
            f"axe {v['id']} ({v['impact']}): {v['help']} - {len(v['nodes'])} element(s), "
            f"first {' '.join(v['nodes'][0]['target'])}"
            for v in counted
        ]
        found += [f"vnu line {m.get('lastLine', '?')}: {m['message']}" for m in self.vnu]
        if self.group == "runner":
            found += [f"lighthouse {c} {s}" for c, s in self.lighthouse.items() if s < 100]
        found += [f"lighthouse: {f}" for f in self.lighthouse_failures]  # its figures are not the page's
        return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-lighthouse", action="store_true", help="Skip Lighthouse (the slowest judge).")
    args = parser.parse_args()
    check_tools(lighthouse=not args.no_lighthouse)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="audit-") as tmp:
        work = Path(tmp)
        env = production_env(work)
        deploy_issues = check_deploy()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        demo = prepare_database(env, work, base)
        with gunicorn(env, port):
            pages = page_list(demo, base)
            admin_cookies = run_browser(pages, demo, work)
            run_vnu(pages)
            if not args.no_lighthouse:
                run_lighthouse(pages, work, admin_cookies)
    failed = report(pages, deploy_issues, lighthouse=not args.no_lighthouse)
    print(f"\nAudit took {time.monotonic() - started:.0f} s.")
    return 1 if failed else 0


# --- Set-up ------------------------------------------------------------------------


def check_tools(lighthouse: bool) -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if not shutil.which("java"):
        missing.append("Java for the Nu HTML checker (apt-get install -y default-jre-headless)")
    if not VNU.exists() or (lighthouse and not (NODE_MODULES / "puppeteer-core").exists()):
        missing.append("the npm tools: run `make audit`, which installs them (cd audit && npm ci)")
    if lighthouse and not shutil.which("node"):
        missing.append("Node.js 18.20 or newer for Lighthouse")
    if missing:
        sys.exit("The audit needs:\n  " + "\n  ".join(missing))


def production_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SECRET_KEY": "audit-" + secrets.token_urlsafe(40),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("AUDIT_DATABASE_URL") or f"sqlite:///{work / 'audit.sqlite3'}",
    }


def manage(*args: str, env: dict[str, str]) -> None:
    """`manage.py ARGS`, quiet; its output only when it fails (and then the audit stops)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def check_deploy() -> list[str]:
    """`check --deploy` with the settings README's Production section gives."""
    env = {**os.environ, **PRODUCTION_ENV, "DEBUG": "0"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = (done.stdout + done.stderr).splitlines()
    issues = [line.strip() for line in lines if line.strip().startswith("?:") or ": (" in line]
    if done.returncode and not issues:
        issues = lines[-5:] or ["check --deploy failed"]
    return issues


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(env: dict[str, str], work: Path, base: str) -> dict:
    print("Preparing the database (migrate, exercise library, static files, demo data)...", flush=True)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_exercises", "-v0", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    demo_file = work / "demo.json"
    demo_env = {**env, "DEBUG": "1"}  # the demo runs with DEBUG only
    manage("demo", "--base-url", base, "--json", str(demo_file), "--any-database", env=demo_env)
    return json.loads(demo_file.read_text())


class gunicorn:
    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port = env, port

    def __enter__(self):
        print(f"Serving with gunicorn (DEBUG off) on 127.0.0.1:{self.port}...", flush=True)
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "backpain.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "2", "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)  # noqa: S310 - our own server
                return self
            except urllib.error.HTTPError:
                return self  # it answers: the page's own judges will say what is wrong
            except OSError:
                if self.process.poll() is not None:
                    sys.exit("gunicorn stopped at start-up.")
                time.sleep(0.2)
        self.process.kill()
        sys.exit("gunicorn did not answer within 20 s.")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- The pages ---------------------------------------------------------------------


def page_list(demo: dict, base: str) -> list[Page]:
    by_name = {r["nickname"]: r for r in demo["runners"]}
    sam, jo, priya, uma, ema = (by_name[n] for n in ("Sam", "Jo", "Priya", "Uma", "Ema"))
    admin = demo["admin"]
    runner = [
        Page("runner", "landing", f"{base}/"),
        Page("runner", "questionnaire, first step", f"{base}/check/"),
        Page("runner", "questionnaire, errors", f"{base}/check/", prepare="submit-empty"),
        Page("runner", "questionnaire, warning signs", f"{base}/check/", prepare="start-step"),
        Page("runner", "under 18", f"{base}/check/adults-only/"),
        Page("runner", "offline", f"{base}/offline/"),
        Page("runner", "result, self-care", sam["result"]),
        Page("runner", "today", sam["today"]),
        Page("runner", "today, rest day", jo["today"]),
        Page("runner", "whole plan", sam["plan"]),
        Page("runner", "print", sam["print"]),
        Page("runner", "check-in", sam["check_in"]),
        Page("runner", "check-in, errors", sam["check_in"], prepare="submit-empty"),
        Page("runner", "result, see a professional", priya["result"]),
        Page("runner", "today, gentle, tailored by the clinic", priya["today"]),
        Page("runner", "result, see soon", uma["result"]),
        Page("runner", "result, emergency", ema["result"]),
        Page("runner", "today, emergency", ema["today"]),
        Page("runner", "delete", sam["result"] + "delete/"),
    ]
    admin_pages = [
        Page("admin", "sign-in", f"{admin}login/"),
        Page("admin", "front page", admin),
        Page("admin", "review queue", f"{admin}assessments/assessment/"),
        Page("admin", "review queue, filtered", f"{admin}assessments/assessment/?tier=emergency"),
        Page("admin", "review queue, search", f"{admin}assessments/assessment/?q=Sam"),
        Page("admin", "review, self-care", sam["admin"]),
        Page("admin", "review, emergency", ema["admin"]),
        Page("admin", "tailor the plan", priya["tailor"]),
        Page("admin", "check-ins", f"{admin}programs/checkin/"),
        Page("admin", "clinics", f"{admin}clinics/clinic/"),
        Page("admin", "exercise library", f"{admin}programs/exercise/"),
        Page("admin", "exercise", demo["exercise_admin"]),
        Page("admin", "your exports", f"{admin}review/exportjob/"),
        Page("admin", "clinic outcomes", f"{admin}outcomes/"),
        Page("admin", "password change", f"{admin}password_change/"),
    ]
    return runner + admin_pages


def run_browser(pages: list[Page], demo: dict, work: Path) -> list[dict]:
    """axe-core on every page, and the HTML as served kept for the HTML checker; the clinician's cookies."""
    print(f"axe-core and the served HTML of {len(pages)} pages...", flush=True)
    axe = Axe()
    clinician = demo["accounts"]["clinician"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        runner = browser.new_context(viewport=PHONE)
        anonymous = browser.new_context(viewport=DESKTOP)
        admin = browser.new_context(viewport=DESKTOP)
        sign_in(admin.new_page(), demo["admin"], clinician)
        for page in pages:
            context = runner if page.group == "runner" else anonymous if page.name == "sign-in" else admin
            tab = context.new_page()
            html = visit(tab, page)
            page.html_file = work / f"{page.slug}.html"
            page.html_file.write_text(html)
            result = axe.run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            page.axe = result.response["violations"]
            tab.close()
        cookies = admin.cookies()
        browser.close()
    keep = ("name", "value", "domain", "path", "httpOnly", "secure", "sameSite")
    return [{k: c[k] for k in keep} for c in cookies]


def sign_in(tab, admin_url: str, account: dict) -> None:
    tab.goto(f"{admin_url}login/")
    tab.fill("input[name=username]", account["username"])
    tab.fill("input[name=password]", account["password"])
    with tab.expect_navigation():
        tab.click("[type=submit]")
    if "/login/" in tab.url:
        sys.exit("The demo clinician could not sign in to the admin.")
    tab.close()


def visit(tab, page: Page) -> str:
    """Go to the page (and do what it needs); the HTML as the server sent it."""
    response = tab.goto(page.url)
    if page.prepare == "start-step":
        tab.check("input[name=age_band][value='30_39']")
        tab.check("input[name=reason][value=pain]")
        tab.check("input[name=pregnancy][value=no]")
        tab.check("input[name=consent]")
        with tab.expect_navigation() as navigation:
            tab.click("button[value=next]")
        response = navigation.value
    elif page.prepare == "submit-empty":
        tab.eval_on_selector("main form[method=post]", "form => form.noValidate = true")
        with tab.expect_navigation() as navigation:
            tab.click("main form[method=post] [type=submit]")
        response = navigation.value
    if response is None or response.status >= 400:
        sys.exit(f"{page.name}: {page.url} answered {response.status if response else 'nothing'}.")
    return response.text()


def run_vnu(pages: list[Page]) -> None:
    print("The Nu HTML checker...", flush=True)
    files = [str(p.html_file) for p in pages]
    command = ["java", "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always", *files]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    except subprocess.TimeoutExpired:
        sys.exit("The HTML checker took more than 5 minutes.")
    try:
        messages = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError):
        sys.exit(f"The HTML checker gave no report:\n{done.stderr[-2000:]}")
    by_file = {p.html_file.name: p for p in pages}  # the checker names them file:/path
    for message in messages:
        if message.get("type") in ("error", "non-document-error"):
            page = by_file.get(message.get("url", "").rsplit("/", 1)[-1])
            if page is None:
                sys.exit(f"The HTML checker failed: {message.get('message')}")
            page.vnu.append(message)


def run_lighthouse(pages: list[Page], work: Path, admin_cookies: list[dict]) -> None:
    targets = [p for p in pages if p.gets_lighthouse]
    OUT.mkdir(exist_ok=True)
    cookies = work / "admin-cookies.json"
    cookies.write_text(json.dumps(admin_cookies))
    print(f"Lighthouse on {len(targets)} pages (about 12 s each)...", flush=True)
    for page in targets:
        runs = [lighthouse_once(page, cookies)]
        # Lighthouse's performance score varies from run to run on a busy machine: a runner's
        # page under 100 is run twice more and judged by the median of the three (as
        # Lighthouse's documentation advises for variability).
        if page.group == "runner" and runs[0] and runs[0]["performance"] < 100:
            runs += [lighthouse_once(page, cookies) for _ in range(2)]
        if runs := [r for r in runs if r]:
            page.lighthouse = median_scores(runs)


def median_scores(runs: list[dict[str, int]]) -> dict[str, int]:
    """Each category's median over the runs (of two, the lower: a page is not judged kinder for a retry)."""
    return {c: sorted(r[c] for r in runs)[(len(runs) - 1) // 2] for c in LIGHTHOUSE_CATEGORIES}


def lighthouse_once(page: Page, cookies: Path) -> dict[str, int] | None:
    """One Lighthouse run: the three scores, or None (and why, in the page's failures)."""
    preset = "desktop" if page.group == "admin" else "mobile"
    signed_in = str(cookies) if page.group == "admin" and page.name != "sign-in" else ""
    command = ["node", str(LIGHTHOUSE_RUNNER), page.url, str(OUT / page.slug), preset, signed_in]
    report_file = OUT / f"{page.slug}.report.json"
    for _attempt in range(3):  # Chromium's trace now and then misses the navigation (NO_NAVSTART)
        report_file.unlink(missing_ok=True)
        try:
            done = subprocess.run(
                [*command, " ".join(CHROMIUM_ARGS)],
                env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
                capture_output=True,
                text=True,
                check=False,
                timeout=180,
            )
        except subprocess.TimeoutExpired:
            lhr, why = None, "Lighthouse took more than 180 s"
            continue
        lhr = json.loads(report_file.read_text()) if not done.returncode and report_file.exists() else None
        if lhr and not lhr.get("runtimeError"):
            break
        why = lhr["runtimeError"].get("message") if lhr else (done.stderr or done.stdout).strip()[-300:]
    else:
        page.lighthouse_failures.append(f"did not run: {why}")
        return None
    if lhr["finalDisplayedUrl"].rstrip("/") != page.url.rstrip("/"):
        page.lighthouse_failures.append(f"ended on {lhr['finalDisplayedUrl']}, not the page")
    return {c: round((lhr["categories"][c]["score"] or 0) * 100) for c in LIGHTHOUSE_CATEGORIES}


# --- The table ---------------------------------------------------------------------


def report(pages: list[Page], deploy_issues: list[str], *, lighthouse: bool) -> bool:
    width = max(len(p.group) + len(p.name) for p in pages) + 3

    def row(*cells: object) -> str:
        name, axe, vnu, perf, a11y, bp, verdict = cells
        return f"{name:<{width}} {axe:>7} {vnu:>4} {perf:>5} {a11y:>5} {bp:>5}  {verdict}"

    head = row("page", "axe", "vnu", "perf", "a11y", "bp", "verdict")
    print("\n" + head + "\n" + "-" * len(head))
    failed = False
    for page in pages:
        axe = len(page.axe) if page.group == "runner" else f"{len(page.blocking_axe)}/{len(page.axe)}"
        scores = [page.lighthouse.get(c, "-") if lighthouse else "-" for c in LIGHTHOUSE_CATEGORIES]
        problems = page.problems()
        verdict = "FAIL" if problems else "ok"
        failed |= bool(problems)
        print(row(f"{page.group}: {page.name}", axe, len(page.vnu), *scores, verdict))
    print(
        row(
            "check --deploy, production settings", len(deploy_issues), "", "", "", "", "FAIL" if deploy_issues else "ok"
        )
    )
    failed |= bool(deploy_issues)
    print(
        "\naxe: violations, WCAG 2.2 AA and best practice (admin: serious or critical / all); vnu: errors; "
        "perf, a11y, bp: Lighthouse performance, accessibility, best practices (mobile for runner pages, "
        "desktop for admin pages; '-': a page only a POST reaches); check --deploy: issues."
    )
    for page in pages:
        if problems := page.problems():
            print(f"\n{page.group}: {page.name} ({page.url})")
            for problem in problems:
                print(f"  - {problem}")
    for issue in deploy_issues:
        print(f"\ncheck --deploy: {issue}")
    print("\nAUDIT FAILED" if failed else "\nAudit passed")
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
