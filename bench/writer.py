"""The writer of `make bench`'s writer pass; run inside Django, beside the server:

    python manage.py shell -v 0 -c "from bench import writer; writer.main('xa-ia-dok', 120, 150)"

Adds one activity a second to a published agreement of the commune the bench measures, through
the models (full_clean, then save in a transaction: every signal runs, the summaries and the page
cache's generation follow), until it has written `count`, `seconds` have passed or it gets
SIGTERM, whichever comes first. It prints WRITER READY {json} once it is about to write, and
WRITER {json} at the end: the writes, their errors by kind, their latencies. Its activities say
they are the bench's; it deletes them, through the models too, before it starts and after it
stops, so that the dataset stays as generate_national made it.
"""

import json
import signal
import time
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from activities.models import Activity, ActivityType, Measure
from agreements.models import Agreement
from localities.models import Locality

PREFIX = "WRITER "
MARK = "make bench: hoạt động ghi thử"  # the description of every activity it writes
VALUE_VND = 1_000_000


def target(commune_slug):
    """(agreement, giver): the published agreement of the commune with the lowest id, the
    commune giving; any published agreement, jointly, when the commune has none."""
    commune = Locality.objects.filter(slug=commune_slug).first()
    if commune is not None:
        agreement = Agreement.objects.published().involving(commune).order_by("pk").first()
        if agreement is not None:
            return agreement, commune
    return Agreement.objects.published().order_by("pk").first(), None


def activity_type():
    """The first type counted in money (the value is the figure), or the first type."""
    types = ActivityType.objects.order_by("position", "pk")
    return types.filter(measure=Measure.MONEY).first() or types.first()


def write(agreement, giver, n, kind, today):
    """Activity `n` of `agreement`, as a form in the admin would add it: checked, then saved."""
    with transaction.atomic():
        activity = Activity(
            agreement=agreement,
            activity_type=kind,
            giver=giver,
            starts_on=today,
            value_vnd=VALUE_VND,
            description=f"{MARK} {n}",
        )
        activity.full_clean()
        activity.save()
    return activity


def remove_written():
    """Delete the bench's activities one by one through the models (the summaries follow):
    how many."""
    written = list(Activity.objects.filter(description__startswith=MARK))
    for activity in written:
        with transaction.atomic():
            activity.delete()
    return len(written)


def run(agreement, giver, count, seconds, interval=1.0, stopped=lambda: False):
    """Write up to `count` activities, one every `interval` seconds, for at most `seconds`, until
    `stopped()`: a summary of the writes (bench.report.WriterSummary's fields)."""
    kind, today = activity_type(), timezone.localdate()
    errors, latencies, first_error = Counter(), [], ""
    started = time.monotonic()
    deadline = started + seconds
    for n in range(count):
        if stopped() or time.monotonic() >= deadline:
            break
        begun = time.perf_counter()
        try:
            write(agreement, giver, n + 1, kind, today)
        except Exception as error:
            errors[type(error).__name__] += 1
            first_error = first_error or f"{type(error).__name__}: {error}"[:300]
            if not connection.in_atomic_block:  # (a test's transaction is not to close)
                connection.close_if_unusable_or_obsolete()  # a broken one is replaced next time
        else:
            latencies.append(time.perf_counter() - begun)
        _wait_until(min(started + (n + 1) * interval, deadline), stopped)
    return {
        "writes": len(latencies),
        "errors": dict(errors),
        "latencies": latencies,
        "seconds": time.monotonic() - started,
        "agreement": agreement.title,
        "first_error": first_error,
    }


def _wait_until(moment, stopped):
    while not stopped() and (now := time.monotonic()) < moment:
        time.sleep(min(0.1, moment - now))


def main(commune_slug, count, seconds, interval=1.0):
    stop = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.append(signum))
    removed = remove_written()
    agreement, giver = target(commune_slug)
    if agreement is None:
        raise SystemExit("no published agreement to write to")
    ready = {"agreement": agreement.title, "giver": giver and giver.name, "removed": removed}
    print(PREFIX + "READY " + json.dumps(ready, ensure_ascii=False), flush=True)
    summary = run(agreement, giver, count, seconds, interval, stopped=lambda: bool(stop))
    summary["removed"] = remove_written()
    print(PREFIX + json.dumps(summary, ensure_ascii=False), flush=True)
