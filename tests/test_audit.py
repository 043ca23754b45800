"""make audit's judgement: which findings fail it (the page runs themselves are in CI's `make audit`)."""

from audit.audit import Page, median_scores, report

PERFECT = {"performance": 100, "accessibility": 100, "best-practices": 100}


def violation(impact: str) -> dict:
    return {"id": "some-rule", "impact": impact, "help": "A rule", "nodes": [{"target": ["#here"]}]}


def judged(*pages: Page, deploy_issues=()) -> bool:
    return report(list(pages), list(deploy_issues), lighthouse=True)


def test_clean_pages_pass(capsys):
    assert not judged(Page("runner", "today", "/t/", lighthouse=PERFECT), Page("admin", "queue", "/q/"))
    assert "Audit passed" in capsys.readouterr().out


def test_any_axe_violation_fails_a_runner_page_but_only_serious_ones_an_admin_page(capsys):
    assert judged(Page("runner", "today", "/t/", axe=[violation("minor")], lighthouse=PERFECT))
    assert not judged(Page("admin", "queue", "/q/", axe=[violation("moderate")]))
    assert judged(Page("admin", "queue", "/q/", axe=[violation("serious")]))
    out = capsys.readouterr().out
    assert "axe some-rule (serious): A rule - 1 element(s), first #here" in out


def test_an_html_error_fails_any_page(capsys):
    error = {"type": "error", "message": "Stray end tag", "lastLine": 3}
    assert judged(Page("admin", "queue", "/q/", vnu=[error]))
    assert "vnu line 3: Stray end tag" in capsys.readouterr().out


def test_lighthouse_under_100_fails_a_runner_page_and_is_only_reported_for_an_admin_page(capsys):
    assert judged(Page("runner", "today", "/t/", lighthouse=PERFECT | {"performance": 99}))
    assert not judged(Page("admin", "queue", "/q/", lighthouse=PERFECT | {"best-practices": 81}))
    capsys.readouterr()


def test_a_lighthouse_that_did_not_run_or_was_signed_out_fails_any_page(capsys):
    assert judged(Page("admin", "queue", "/q/", lighthouse_failures=["ended on /admin/login/, not the page"]))
    capsys.readouterr()


def test_a_deploy_check_issue_fails_the_audit(capsys):
    assert judged(Page("runner", "today", "/t/", lighthouse=PERFECT), deploy_issues=["?: (security.W004) ..."])
    assert "check --deploy: ?: (security.W004)" in capsys.readouterr().out


def test_the_median_of_three_runs_and_the_lower_of_two():
    runs = [PERFECT | {"performance": 97}, PERFECT, PERFECT | {"performance": 99}]
    assert median_scores(runs)["performance"] == 99
    assert median_scores(runs[:2])["performance"] == 97
