"""Backups of the database and the uploaded files together, and their restoration on an empty
machine (`manage.py backup`, `manage.py restore`; docs/deploy.md, "Backups").

A backup is one tar file, readable by the operator's own tools:

- `database.pgdump` (pg_dump's custom format) or `database.sqlite3` (SQLite's online backup): a
  consistent snapshot of the whole database;
- `media/…`: every file of the media storage (photos, legal documents, thumbnails; MEDIA_ROOT,
  or the object storage when MEDIA_S3_BUCKET is set), but the open-data files (`opendata/`, made
  from the data again: `manage.py build_open_data` after a restoration) and hidden files (a file
  being written);
- `manifest.json`, last: the format, when and from which kind of database it was made, the
  migrations applied, and each file's size and SHA-256.

The database is copied first, then the files. The site never deletes nor rewrites an upload (a
new file gets a new name, and is stored before the row that names it is saved), so every file a
row of the snapshot names is stored when the files are copied; a file uploaded meanwhile comes
along unnamed, and does no harm.

A restoration checks everything before it changes anything: every member's path (no absolute
path, no "..", regular files only) and checksum, the kind of database, the migrations (a backup
made by a newer version of the site is refused), an empty database, and no upload that would be
overwritten with other content. Then it restores the database in one transaction, and writes the
files.
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.uploads import STORAGE_ERRORS

# MEDIA_ROOT's folder of the files made from the data, left out of backups.
from ketnghia.opendata_files import FOLDER as DERIVED

# Folders of the storage's root left out: the files made from the data, and the test files
# /readyz writes and deletes at once (django-health-check).
LEFT_OUT = {DERIVED, "health_check_storage_test"}

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What stopped a backup or a restoration, said for the operator; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    path: Path
    files: int  # uploaded files
    size: int  # bytes of the backup


# --- making a backup -----------------------------------------------------------------------------


def _storage(media):
    """The media storage: a Storage, or a folder's path (a FileSystemStorage there)."""
    if isinstance(media, (str, os.PathLike)):
        return FileSystemStorage(location=media)
    return media


def create(destination, connection, media):
    """Back up the database of `connection` and every file of the storage `media` (or under the
    folder `media`) into one tar file: `destination` itself, or a file named after the time in
    `destination` if it is a folder. The file is readable by its owner only (it holds the
    accounts' password hashes), and appears whole or not at all."""
    dump_name = _dump_name(connection.vendor)
    destination = Path(destination)
    if destination.is_dir():
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        destination = destination / f"ketnghia-{stamp}.tar"
    if not destination.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": destination.parent})
    if destination.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": destination})
    storage = _storage(media)
    migrations = sorted(MigrationRecorder(connection).applied_migrations())
    partial = destination.with_name(f".{destination.name}.partial")
    files = {}
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(fd, "wb") as out,
            tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar,
            tempfile.TemporaryDirectory() as work,
        ):
            dump = Path(work) / dump_name
            _dump(connection, dump)
            with dump.open("rb") as file:
                files[dump_name] = _add(tar, file, dump_name, dump.stat().st_size, dump)
            for name in _media_files(storage):
                added = _add_stored(tar, storage, name)
                if added is not None:
                    files[f"{MEDIA}/{name}"] = added
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "vendor": connection.vendor,
                "migrations": [list(key) for key in migrations],
                "files": files,
            }
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    uploads = sum(1 for name in files if name.startswith(f"{MEDIA}/"))
    return Summary(path=destination, files=uploads, size=destination.stat().st_size)


def _dump_name(vendor):
    try:
        return DUMPS[vendor]
    except KeyError:
        raise BackupError(
            _("Backups of a %(vendor)s database are not supported: use PostgreSQL or SQLite.")
            % {"vendor": vendor}
        ) from None


def _media_files(storage, folder=""):
    """The names of the stored files, in a stable order, but the open-data files and hidden
    ones (on a disk, links are not followed)."""
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return []
    except STORAGE_ERRORS as error:
        raise BackupError(
            _("%(path)s could not be read: %(error)s") % {"path": folder or "/", "error": error}
        ) from None
    found = []
    for name in sorted(names):
        path = f"{folder}{name}"
        if not name.startswith(".") and _is_regular(storage, path):
            found.append(path)
    for sub in sorted(folders):
        if sub.startswith(".") or (not folder and sub in LEFT_OUT):
            continue
        path = f"{folder}{sub}"
        if not (isinstance(storage, FileSystemStorage) and Path(storage.path(path)).is_symlink()):
            found += _media_files(storage, f"{path}/")
    return found


def _is_regular(storage, name):
    """A file (on a disk, a link to a file counts as the file), not a folder or a device."""
    if isinstance(storage, FileSystemStorage):
        return Path(storage.path(name)).is_file()
    return True


class _Hashing:
    """A file read through, its SHA-256 and size kept on the way."""

    def __init__(self, file):
        self.file, self.sha256, self.size = file, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add_stored(tar, storage, name):
    """Add a stored file; None if it was deleted since it was listed (no row names it)."""
    try:
        size = storage.size(name)
        try:
            mtime = storage.get_modified_time(name).timestamp()
        except NotImplementedError:
            mtime = timezone.now().timestamp()
        with storage.open(name, "rb") as file:
            return _add(tar, file, f"{MEDIA}/{name}", size, name, mtime, mode=0o644)
    except FileNotFoundError:
        return None
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            return None
        raise BackupError(
            _("%(path)s could not be copied: %(error)s") % {"path": name, "error": error}
        ) from None
    except (OSError, BotoCoreError) as error:
        raise BackupError(
            _("%(path)s could not be copied: %(error)s") % {"path": name, "error": error}
        ) from None


def _add(tar, file, name, size, shown, mtime=None, mode=0o600):
    """Add the open `file` of `size` bytes under `name`; its size and SHA-256."""
    info = tarfile.TarInfo(name)
    info.size, info.mode = size, mode
    info.mtime = int(timezone.now().timestamp() if mtime is None else mtime)
    reader = _Hashing(file)
    try:
        tar.addfile(info, reader)  # reads info.size bytes, or fails
    except OSError as error:
        raise BackupError(
            _("%(path)s could not be copied: %(error)s") % {"path": shown, "error": error}
        ) from None
    return {"size": reader.size, "sha256": reader.sha256.hexdigest()}


def _dump(connection, path):
    if connection.vendor == "sqlite":
        # SQLite's online backup: a consistent copy, even while the site writes.
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    _run("pg_dump", connection.settings_dict, "--format=custom", f"--file={path}")


def _run(program, settings_dict, *arguments):
    """Run a PostgreSQL client program on the database of settings_dict."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _("%(program)s was not found: install the postgresql-client package.")
            % {"program": program}
        )
    options = [f"--dbname={settings_dict['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            options.append(f"{option}={settings_dict[key]}")
    # The password and TLS settings go by the environment, as Django's dbshell passes them.
    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    done = subprocess.run(
        [executable, *options, "--no-password", *arguments],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": done.stderr.strip() or done.returncode}
        )


# --- restoring it --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    tables: int
    files: int
    # Migrations of this version of the site that the backup's database has not had yet: run
    # `manage.py migrate` after the restoration.
    migrations_to_apply: int


def restore(source, connection, media):
    """Restore the backup `source` into the empty database of `connection` and into the storage
    `media` (or the folder `media`). Everything is checked first; on any doubt nothing is
    changed."""
    source, storage = Path(source), _storage(media)
    try:
        tar = tarfile.open(source, mode="r:")  # noqa: SIM115 (closed by the "with" below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(
            _("%(path)s is not a backup of this site: %(error)s") % {"path": source, "error": error}
        ) from None
    with tar, tempfile.TemporaryDirectory() as work:
        manifest = _manifest(tar, source)
        dump_name = _dump_name(connection.vendor)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                _("This backup is of a %(backup)s database; this site uses %(site)s.")
                % {"backup": manifest["vendor"], "site": connection.vendor}
            )
        missing = _check_migrations(manifest)
        dump = Path(work) / dump_name
        uploads = _verify(tar, manifest, dump_name, dump)
        writes = _planned_writes(uploads, storage, manifest["files"])
        if connection.introspection.table_names():
            raise BackupError(
                _(
                    "The database %(name)s is not empty: a backup is restored into a new, empty "
                    "database only."
                )
                % {"name": connection.settings_dict["NAME"]}
            )
        _load(connection, dump)
        for member, name in writes:
            _write(tar, member, storage, name)
        tables = len(connection.introspection.table_names())
    return Restored(tables=tables, files=len(uploads), migrations_to_apply=missing)


def _manifest(tar, source):
    try:
        manifest = json.load(tar.extractfile(MANIFEST))
    except (KeyError, AttributeError, ValueError, tarfile.TarError):
        raise BackupError(
            _("%(path)s is not a backup of this site: it has no readable manifest.")
            % {"path": source}
        ) from None
    if not (
        isinstance(manifest, dict) and manifest.get("format") == FORMAT and _well_formed(manifest)
    ):
        raise BackupError(
            _("%(path)s is a backup in a format this version of the site does not read.")
            % {"path": source}
        )
    return manifest


def _well_formed(manifest):
    files, migrations = manifest.get("files"), manifest.get("migrations")
    return (
        isinstance(manifest.get("vendor"), str)
        and isinstance(files, dict)
        and all(
            isinstance(f, dict)
            and isinstance(f.get("sha256"), str)
            and isinstance(f.get("size"), int)
            for f in files.values()
        )
        and isinstance(migrations, list)
        and all(
            isinstance(m, list) and len(m) == 2 and all(isinstance(p, str) for p in m)
            for m in migrations
        )
    )


def _check_migrations(manifest):
    """How many of the site's migrations the backup lacks; a backup with migrations the site does
    not know (made by a newer version) is refused."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {tuple(key) for key in manifest["migrations"]}
    unknown = applied - known
    if unknown:
        app, name = sorted(unknown)[0]
        raise BackupError(
            _(
                "This backup was made by a newer version of the site (migration %(migration)s "
                "is unknown here): update the site first."
            )
            % {"migration": f"{app}.{name}"}
        )
    return len(known - applied)


def _expected(name, dump_name):
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and (name == dump_name or (path.parts[0] == MEDIA and len(path.parts) > 1))
    )


def _verify(tar, manifest, dump_name, dump):
    """Check every member against the manifest (the database dump copied to `dump` on the way);
    the members of the uploaded files."""
    files = manifest["files"]
    seen, uploads = set(), []
    for member in tar:
        name = member.name
        if name == MANIFEST:
            continue
        expected = member.isfile() and _expected(name, dump_name) and name in files
        if not expected or name in seen:
            raise BackupError(_("The backup holds an unexpected entry: %(name)s.") % {"name": name})
        seen.add(name)
        digest = _digest(tar.extractfile(member), dump if name == dump_name else None)
        if digest != files[name]["sha256"] or member.size != files[name]["size"]:
            raise BackupError(
                _("The backup is damaged: %(name)s does not match its checksum.") % {"name": name}
            )
        if name != dump_name:
            uploads.append(member)
    lost = set(files) - seen
    if dump_name not in files or lost:
        raise BackupError(
            _("The backup is incomplete: %(name)s is missing.") % {"name": min(lost or {dump_name})}
        )
    return uploads


def _digest(data, copy_to=None):
    """The SHA-256 of a file read to its end (and copied to the path `copy_to`, if given)."""
    digest = hashlib.sha256()
    with data, copy_to.open("wb") if copy_to else contextlib.nullcontext() as out:
        while chunk := data.read(CHUNK):
            digest.update(chunk)
            if out is not None:
                out.write(chunk)
    return digest.hexdigest()


def _planned_writes(uploads, storage, files):
    """(member, name) of each file to write. A file already stored with the same content is
    left as it is; with other content, the restoration is refused."""
    writes = []
    for member in uploads:
        name = "/".join(PurePosixPath(member.name).parts[1:])
        if not storage.exists(name):
            writes.append((member, name))
        elif not _same_content(storage, name, files[member.name]["sha256"]):
            raise BackupError(
                _("%(path)s already exists with other content: restore into an empty folder.")
                % {"path": name}
            )
    return writes


def _same_content(storage, name, sha256):
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(name))
        if path.is_symlink() or not path.is_file():
            return False
    try:
        return _digest(storage.open(name, "rb")) == sha256
    except STORAGE_ERRORS:
        return False


def _load(connection, dump):
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    # One transaction: a failure leaves the database as empty as it was.
    _run(
        "pg_restore",
        connection.settings_dict,
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(dump),
    )


def _write(tar, member, storage, name):
    """Write an uploaded file: on a disk through a temporary name, so that it appears whole;
    in object storage, an upload appears whole anyway."""
    if not isinstance(storage, FileSystemStorage):
        with tar.extractfile(member) as data:
            try:
                saved = storage.save(name, File(data, name=name))
            except (BotoCoreError, ClientError) as error:
                raise BackupError(
                    _("%(path)s could not be written: %(error)s") % {"path": name, "error": error}
                ) from None
        if saved != name:  # stored meanwhile by someone else: the rows name the other file
            raise BackupError(
                _("%(path)s already exists with other content: restore into an empty folder.")
                % {"path": name}
            )
        return
    target = Path(storage.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tar.extractfile(member) as data, partial.open("wb") as out:
        shutil.copyfileobj(data, out, CHUNK)
    os.utime(partial, (member.mtime, member.mtime))
    os.replace(partial, target)
