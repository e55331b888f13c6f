"""The background jobs (huey; `manage.py run_huey`, the ketnghia-jobs service in deploy/): the
open-data files, the reminders of the twinning year and the large written reports."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task, on_startup

from ketnghia import opendata_files, reminders, written


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


@db_periodic_task(crontab(hour="0", minute="30"), retries=3, retry_delay=600)  # 7:30 in Việt Nam
@lock_task("send-reminders")
def send_reminders():
    """The day's reminders (ketnghia.reminders): each occasion once to each account in scope,
    however many consumers run it."""
    reminders.deliver()


@db_periodic_task(crontab(day_of_week="1", hour="0", minute="45"), retries=3, retry_delay=600)
@lock_task("send-reminder-digests")
def send_reminder_digests():
    """Monday 7:45 in Việt Nam: the week's reminders of the accounts that asked for a digest."""
    reminders.send_digests()


@db_task()
def make_report_file(report_file_pk):
    """A written report's file (ketnghia.written.make), asked for in the admin: its progress is
    saved as it goes, and the requester finds it in the inbox when it is ready. A file asked
    for twice (a job run again) is made once."""
    report_file = written.claim(report_file_pk)
    if report_file is not None:
        written.make(report_file)


@on_startup()
def remind_on_startup():
    """A consumer that starts (a deployment, `make run` with a job queue) sends the day's
    reminders at once rather than the next morning: a second run sends nothing twice."""
    send_reminders.schedule(delay=1)
