"""The background jobs (huey; `manage.py run_huey`, the ketnghia-jobs service in deploy/)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ketnghia import opendata_files


@db_task(retries=5, retry_delay=60)
@lock_task("build-open-data")  # no time limit: Debian's Redis 7.0 has no field expiry
def build_open_data():
    """The open-data files, made anew (ketnghia.opendata_files): once the writes of an interval
    are in. One build at a time: a build asked for during another one waits for it (it is
    tried again a minute later, five times). A consumer that starts drops the lock a stopped
    one left (settings.HUEY, flush_locks)."""
    opendata_files.build()


@db_periodic_task(crontab(hour="20", minute="17"))  # huey reads UTC: 3:17 in Việt Nam
def build_open_data_nightly():
    """Every night as well, in case a job was lost (Redis emptied, a consumer stopped)."""
    build_open_data()
