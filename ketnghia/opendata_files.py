"""The open-data downloads as files: with a job queue (HUEY_URL), made by a job
(ketnghia.tasks.build_open_data) after the data change, at most once in OPEN_DATA_SECONDS, kept
in the storage "opendata" under opendata/ (MEDIA_ROOT/opendata/ on the disk, sent as they are by
nginx in the deployment; or the object storage, which sends them itself), so that a download of a
million activities is answered at once, with the time it was made shown on /du-lieu/.

A committed write to the public data (ketnghia.pagecache.public_models, and the meetings'
attendance and decisions, which no page shows but the data does; through the ORM, or a bulk
change announced by localities.signals.data_changed) marks the files out of date; the first such
write schedules one build OPEN_DATA_SECONDS later, and the writes until then join it. The files
are also made again every night, in case a job was lost.

Without a job queue (development, tests) there are no files: each download is made in its
request, streamed from the database (ketnghia.opendata_views).
"""

import logging
import os
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from huey.contrib.djhuey import HUEY
from redis.exceptions import RedisError

from agreements.uploads import STORAGE_ERRORS
from ketnghia import exports, pagecache
from localities import signals as registers

logger = logging.getLogger(__name__)

FOLDER = "opendata"
# Set by a committed write, removed when a build starts: the files are out of date and a build
# is scheduled. It lapses if the build never starts (a lost job, a cache that failed), so that a
# later write schedules another one.
OUT_OF_DATE = "opendata:out-of-date"


def storage():
    return storages["opendata"]


def on_disk():
    """Whether the files are on this machine's disk (nginx sends them), not in object storage
    (settings.MEDIA_S3_BUCKET)."""
    return isinstance(storage(), FileSystemStorage)


def name(dataset, fmt):
    return f"{FOLDER}/{dataset.name}.{fmt}"


def folder():
    """The folder of the files, on the disk."""
    return Path(storage().path(FOLDER))


def path(dataset, fmt):
    """A file's path, on the disk."""
    return Path(storage().path(name(dataset, fmt)))


def url(dataset, fmt, file_name):
    """A file's address in object storage, downloaded as `file_name`."""
    disposition = {"ResponseContentDisposition": f'attachment; filename="{file_name}"'}
    return storage().url(name(dataset, fmt), parameters=disposition)


def made_at(dataset, fmt):
    """When the file was made (an aware datetime), or None if it has not been (or the object
    storage does not answer)."""
    files, key = storage(), name(dataset, fmt)
    try:
        if not on_disk() and not files.exists(key):
            return None
        return timezone.localtime(files.get_modified_time(key))
    except STORAGE_ERRORS:
        if not on_disk():
            logger.warning("The object storage does not answer for %s", key, exc_info=True)
        return None


def build():
    """Make every file anew, each written under a temporary name and then renamed (on the
    disk) or uploaded whole, so that a download never gets half a file. Returns their names in
    the storage."""
    cache.delete(OUT_OF_DATE)
    if on_disk():
        folder().mkdir(parents=True, exist_ok=True)
    made = []
    with translation.override(settings.LANGUAGE_CODE):
        for dataset in exports.DATASETS.values():
            for fmt in exports.FORMATS:
                made.append(_write(dataset, fmt))
    return made


def _write(dataset, fmt):
    """Returns the file's name in the storage."""
    if not on_disk():
        # Uploaded whole: the object storage replaces the old version in one piece.
        with tempfile.TemporaryFile() as out:
            _fill(out, dataset, fmt)
            out.seek(0)
            return storage().save(name(dataset, fmt), File(out, name=name(dataset, fmt)))
    target = path(dataset, fmt)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            _fill(out, dataset, fmt)
        os.chmod(partial, 0o644)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
    return name(dataset, fmt)


def _fill(out, dataset, fmt):
    if fmt == "xlsx":
        with exports.xlsx_file(dataset, settings.SITE_URL) as workbook:
            while chunk := workbook.read(1024 * 1024):
                out.write(chunk)
    else:
        chunks = exports.csv_lines if fmt == "csv" else exports.json_chunks
        for chunk in chunks(dataset, settings.SITE_URL):
            out.write(chunk.encode())


def made_by_jobs():
    """Whether the downloads are files made by jobs (a job queue runs them)."""
    return not HUEY.immediate


def changed():
    """The public data changed: once the write is committed, mark the files out of date and,
    the first time, schedule their build."""
    if made_by_jobs():
        transaction.on_commit(_schedule)


def _schedule():
    if cache.add(OUT_OF_DATE, True, timeout=2 * settings.OPEN_DATA_SECONDS + 60):
        from ketnghia.tasks import build_open_data

        try:
            build_open_data.schedule(delay=settings.OPEN_DATA_SECONDS)
        except RedisError:
            # The write is done: the files wait for the nightly build, or the next write.
            cache.delete(OUT_OF_DATE)
            logger.warning("The job queue does not answer: the open-data files wait")


def _written(sender, raw=False, **kwargs):
    if not raw:
        changed()


# In the open data (ketnghia.exports.MEETINGS, the API) though on no public page.
DATA_ONLY = ("activities.meetingattendance", "activities.followup")


def connect():
    """Follow the writes to what the public sees (ketnghia.pagecache.public_models, DATA_ONLY),
    one by one or in bulk: KetnghiaConfig.ready."""
    registers.data_changed.connect(_written, dispatch_uid="ketnghia.opendata_files.bulk")
    for model in [*pagecache.public_models(), *map(apps.get_model, DATA_ONLY)]:
        uid = f"ketnghia.opendata_files.{model._meta.label_lower}"
        post_save.connect(_written, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_written, sender=model, dispatch_uid=f"{uid}.delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_written, sender=through, dispatch_uid=f"{uid}.m2m")
