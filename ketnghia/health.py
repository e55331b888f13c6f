"""/healthz and /readyz, for load balancers and uptime checks (docs/deploy.md).

- /healthz (liveness): the process answers and the database answers a SELECT 1; nothing else,
  so that it stays cheap to ask every few seconds.
- /readyz (readiness): the database, the shared cache, the file storage (photos and
  documents) and the job queue (when there is one) each checked by django-health-check; 503
  when one of them fails, with which one in the answer (?format=json or text). While Redis is
  down the site still serves every page (ketnghia.cache), but slower: a load balancer may then
  prefer another server.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from huey.contrib.djhuey import HUEY
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


class JobQueue(HealthCheck):
    """The job queue's Redis answers (HUEY_URL); without a queue, jobs run at once: nothing to
    check."""

    def __repr__(self):
        return "JobQueue"

    def run(self):
        if HUEY.immediate:
            return
        try:
            HUEY.storage.conn.ping()
        except RedisError as error:
            raise ServiceUnavailable("The job queue does not answer") from error


class Readiness(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        "ketnghia.health.JobQueue",
    )
    http_method_names = ["get", "head"]

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            # Not an error of this server: a service it needs is unavailable.
            response.status_code = 503
        return response


readyz = Readiness.as_view()
