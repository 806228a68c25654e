from tests.cases.conftest import world  # noqa: F401  (two agencies, teams, services, staff)
from tests.cases.sla.support import clock  # noqa: F401  (a controllable "now")
