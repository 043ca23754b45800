"""The sign-in throttle's two limits, on top of django-axes' database handler.

django-axes counts failures for each combination in AXES_LOCKOUT_PARAMETERS, here
(user name, address) and (address), but compares them all with one AXES_FAILURE_LIMIT (its
maintainers point to a handler of one's own for a second limit: jazzband/django-axes#661).
A clinic signs in from one address (one NAT): a low limit per address would let one person's
typos lock all their colleagues out, so the address gets a limit of its own, higher, which
still stops one address from trying many user names.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class UserAndAddressLimitsHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures of this user name at this address; the full limit once the address as a
        whole reached ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS (axes compares this with its one limit)."""
        pair, address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.AXES_FAILURE_LIMIT_PER_ADDRESS:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that user name's failures at the address, not its
        colleagues' (else any account could wipe the address's count before each new guess)."""
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count
