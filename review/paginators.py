"""Lists of runners' data that stay fast at a million rows: a count that stops, and a steady order.

Django's admin counts every row that matches a list's filters (SELECT COUNT(*) over the whole
match) to number its pages; with a million assessments or eight million check-ins that count
alone took most of a second. CappedPaginator counts at most a few pages past the one asked for
(COUNT(*) over a LIMIT subquery), so its cost follows the page asked for, never the size of the
table; past the cap the list says "more than 1,000" and still links to the next pages.
"""

from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, ChangeList
from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Count at most this many matching rows (20 pages of 50) when the first pages are asked for. The
# count reads up to that many matching rows from the table: at a million assessments, 10,000
# took 100-450 ms for a clinician's filtered list or search (rows of their clinic that match,
# found through the heap); 1,000 takes a tenth of it.
COUNT_CAP = 1_000
# Past the cap, count this many pages beyond the one asked for, so that the next ones are linked.
PAGES_AHEAD = 5


class CappedPaginator(Paginator):
    """A paginator whose count stops at `limit` rows: `capped` says whether there were more."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, page_wanted=1):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        # Enough rows for the page asked for and PAGES_AHEAD more, and never fewer than the cap.
        self.limit = max(COUNT_CAP, (max(page_wanted, 1) + PAGES_AHEAD) * int(per_page))

    @cached_property
    def count(self):
        # One row more than the limit tells "exactly the limit" from "more". The subquery keeps
        # the filters and drops the order, select_related and columns: SELECT COUNT(*) FROM
        # (SELECT id ... LIMIT n), which reads at most n + 1 rows of an index.
        found = self.object_list.order_by().values("pk")[: self.limit + 1].count()
        self._capped = found > self.limit
        return min(found, self.limit)

    @property
    def capped(self) -> bool:
        """More rows match than were counted: the list says "more than" the count."""
        return self.count >= self.limit and self._capped

    @property
    def count_words(self) -> str:
        return f"more than {self.count:,}" if self.capped else f"{self.count:,}"


# Past this page the cap stops growing: a made-up page number (?p=10000000000000000000) must not
# become a LIMIT the database cannot take (Django then says the page does not exist).
MAX_PAGE_COUNTED = 100_000


def page_wanted(request) -> int:
    try:
        return min(max(int(request.GET.get(PAGE_VAR, 1)), 1), MAX_PAGE_COUNTED)
    except ValueError:
        return 1


class CappedCountAdmin:
    """For a ModelAdmin of a big table: capped counts, no facet counts, a steady indexed order."""

    paginator = CappedPaginator
    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, page_wanted=page_wanted(request))

    def get_changelist(self, request, **kwargs):
        return SteadyOrderChangeList


class SteadyOrderChangeList(ChangeList):
    """A sorted column orders by itself, then by the primary key in the same direction.

    Django orders a sorted column by the column, then the admin's whole default order, then
    "-pk": ORDER BY nickname ASC, reviewed, urgency, created DESC, id DESC. No index gives that
    order, and PostgreSQL sorted every row of the list (or of a value: these columns hold few
    distinct values) to show 50. With the key's own direction and nothing between, one index
    (column, id) serves the column sorted both ways, read forwards or backwards.
    """

    def get_ordering(self, request, queryset):
        if self.params.get(ORDER_VAR):
            queryset = queryset.order_by()  # the chosen columns only, not the default order after them
        return super().get_ordering(request, queryset)

    def _get_deterministic_ordering(self, ordering):
        ordering = super()._get_deterministic_ordering(ordering)
        if len(ordering) > 1 and ordering[-1] == "-pk" and isinstance(ordering[-2], str):
            if not ordering[-2].startswith("-"):
                ordering[-1] = "pk"
        return ordering
