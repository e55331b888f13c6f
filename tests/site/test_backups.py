"""manage.py backup and restore (ketnghia.backups): the database and the uploads together, restored
on an empty database and folder with every row and every file, or refused with nothing changed.

Transactional: pg_dump reads the database through a connection of its own, which sees committed
rows only."""

import io
import json
import tarfile
from io import StringIO

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.utils import load_backend

from agreements.models import Agreement, AgreementStatus, LegalDocument, Photo
from ketnghia import backups
from tests.conftest import BUCKET, stored_keys

# serialized_rollback: the rows the data migrations wrote (activity types, areas) come back after
# each test's flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def document(media):
    """A legal document with its file: a database with one upload."""
    return LegalDocument.objects.create(
        number="01-CT/TU",
        kind="directive",
        title="Chỉ thị về kết nghĩa",
        issuer="Ban Thường vụ Tỉnh ủy",
        issued_on="2025-08-01",
        slug="chi-thi-01",
        file=ContentFile(PDF, name="chi-thi.pdf"),
    )


@pytest.fixture
def data(document):
    """The seed articles (with their photos), a legal document's file and an account."""
    call_command("load_demo", stdout=StringIO())
    get_user_model().objects.create_user("can-bo", password="mat-khau-thu-nghiem-9")
    assert Photo.objects.exists()
    yield
    # The flush after a transactional test deletes parties row by row on SQLite, which the
    # trigger keeping two parties on a published agreement refuses: unpublished, they go quietly.
    Agreement.objects.update(status=AgreementStatus.DRAFT)


@pytest.fixture
def empty_database(tmp_path):
    """A connection to a new, empty database beside the test database."""
    settings_dict = {**connection.settings_dict}
    if connection.vendor == "postgresql":
        settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restored"
        with _server(settings_dict) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            server.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    target = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "restored")
    yield target
    target.close()
    if connection.vendor == "postgresql":
        target.close_pool()  # its connections, kept by Django's pool
        with _server(settings_dict) as server:
            server.execute(f'DROP DATABASE "{settings_dict["NAME"]}" WITH (FORCE)')


def _server(settings_dict):
    return psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )


def _rows(wrapper):
    """Every row of every table, by table, in a stable order."""
    found = {}
    with wrapper.cursor() as cursor:
        for table in wrapper.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)}")
            found[table] = sorted(cursor.fetchall(), key=repr)
    return found


def _files(root):
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _backup(tmp_path, media):
    return backups.create(tmp_path / "backup.tar", connection, media).path


def _rewrite(archive, change):
    """The backup with `change(name, data, manifest)` applied: returns (name, data) or None to
    leave a member out; the manifest is rewritten as it is left (change may edit it)."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    manifest = json.loads(members.pop(backups.MANIFEST))
    out = []
    for name, content in members.items():
        changed = change(name, content, manifest)
        if changed:
            out.append(changed)
    with tarfile.open(archive, "w") as tar:
        for name, content in [*out, (backups.MANIFEST, json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def test_media_in_object_storage_are_backed_up_and_restored_into_the_bucket(
    object_storage, data, empty_database, tmp_path
):
    def stored():
        return {
            key: object_storage.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            for key in stored_keys(object_storage)
        }

    # load_demo's photos and the legal document went to the bucket, not to a folder.
    source_files = stored()
    assert any(key.startswith("gia-lai/photos/") for key in source_files)
    assert any(key.startswith("gia-lai/legal/") for key in source_files)
    opendata = "gia-lai/opendata/agreements.csv"
    object_storage.put_object(Bucket=BUCKET, Key=opendata, Body=b"slug,title\n")

    archive = backups.create(tmp_path / "backup.tar", connection, default_storage).path
    with tarfile.open(archive) as tar:
        names = {member.name for member in tar.getmembers()}
    assert {f"media/{key.removeprefix('gia-lai/')}" for key in source_files} <= names
    assert "media/opendata/agreements.csv" not in names  # made again from the data
    for key in stored_keys(object_storage):  # a new, empty bucket
        object_storage.delete_object(Bucket=BUCKET, Key=key)

    done = backups.restore(archive, empty_database, default_storage)

    assert done.files == len(source_files)
    assert stored() == source_files
    assert _rows(empty_database) == _rows(connection)


def test_a_backup_restores_every_row_and_every_file(data, media, empty_database, tmp_path):
    # The open-data files are made again from the data, and a hidden file is one being written:
    # neither is backed up, nor stands in the way of a restoration.
    (media / "opendata").mkdir()
    (media / "opendata" / "agreements.csv").write_text("slug,title\n")
    (media / "photos" / ".a-photo.jpg.partial").write_bytes(b"half")
    source_files = {
        name: content
        for name, content in _files(media).items()
        if not name.startswith("opendata/") and "/." not in name
    }
    archive = _backup(tmp_path, media)
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds the password hashes
    restored_media = tmp_path / "restored-media"
    (restored_media / "opendata").mkdir(parents=True)
    (restored_media / "opendata" / "agreements.csv").write_text("made on the new machine\n")

    done = backups.restore(archive, empty_database, restored_media)

    source_rows, restored_rows = _rows(connection), _rows(empty_database)
    assert set(restored_rows) == set(source_rows)
    assert restored_rows == source_rows
    assert len(source_rows["agreements_agreement"]) == Agreement.objects.count() > 0
    restored_files = _files(restored_media)
    assert restored_files.pop("opendata/agreements.csv") == b"made on the new machine\n"
    assert restored_files == source_files
    assert any(name.startswith("legal/") for name in source_files)
    assert any(name.startswith("photos/") for name in source_files)
    assert done.files == len(source_files) and done.tables == len(source_rows)
    assert done.migrations_to_apply == 0


def test_a_damaged_backup_is_refused_and_changes_nothing(document, media, empty_database, tmp_path):
    archive = _backup(tmp_path, media)

    def damage(name, content, manifest):
        if name.startswith("media/legal/"):
            return name, content.replace(b"trailer", b"trailed")
        return name, content

    _rewrite(archive, damage)
    restored_media = tmp_path / "restored-media"
    with pytest.raises(backups.BackupError, match="không khớp mã kiểm tra"):
        backups.restore(archive, empty_database, restored_media)
    assert empty_database.introspection.table_names() == []
    assert not restored_media.exists()


@pytest.mark.parametrize("name", ["media/../outside.txt", "/tmp/outside.txt", "notes.txt"])
def test_an_entry_outside_the_uploads_is_refused(name, document, media, empty_database, tmp_path):
    archive = _backup(tmp_path, media)
    planted = b"planted"

    def plant(member, content, manifest):
        if member == backups.DUMPS[connection.vendor]:
            digest = backups._digest(io.BytesIO(planted))
            manifest["files"][name] = {"size": len(planted), "sha256": digest}
        return member, content

    _rewrite(archive, plant)
    with tarfile.open(archive, "a") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(planted)
        tar.addfile(info, io.BytesIO(planted))

    restored_media = tmp_path / "restored-media"
    with pytest.raises(backups.BackupError, match="mục không hợp lệ"):
        backups.restore(archive, empty_database, restored_media)
    assert empty_database.introspection.table_names() == []
    assert not restored_media.exists() and not (tmp_path / "outside.txt").exists()


def test_a_backup_of_a_newer_version_of_the_site_is_refused(
    document, media, empty_database, tmp_path
):
    archive = _backup(tmp_path, media)

    def newer(name, content, manifest):
        manifest["migrations"].append(["agreements", "9999_from_the_future"])
        return name, content

    _rewrite(archive, newer)
    with pytest.raises(backups.BackupError, match=r"agreements\.9999_from_the_future"):
        backups.restore(archive, empty_database, tmp_path / "restored-media")
    assert empty_database.introspection.table_names() == []


def test_the_commands_say_what_they_did_and_refuse_a_database_with_data(data, media, tmp_path):
    out = StringIO()
    call_command("backup", str(tmp_path), stdout=out)
    files_before = _files(media)
    # The demo's photos with their thumbnails and the document: every stored file.
    assert len(files_before) == 7
    assert f"Đã sao lưu cơ sở dữ liệu và {len(files_before)} tệp tải lên" in out.getvalue()
    (archive,) = tmp_path.glob("ketnghia-*.tar")

    with pytest.raises(CommandError, match="không trống"):
        call_command("restore", str(archive), stdout=StringIO())
    assert _files(media) == files_before

    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(tmp_path / "missing.tar"), stdout=StringIO())


def test_a_backup_follows_links_and_leaves_out_probes_and_files_deleted_meanwhile(
    document, media, tmp_path, monkeypatch
):
    (media / "health_check_storage_test").mkdir()
    (media / "health_check_storage_test" / "test-1.txt").write_text("written by /readyz")
    outside = tmp_path / "ban-goc.pdf"
    outside.write_bytes(PDF)
    (media / "legal" / "lien-ket.pdf").symlink_to(outside)  # a file kept elsewhere
    (media / "legal" / "da-xoa.pdf").write_bytes(PDF)
    size = FileSystemStorage.size

    def deleted_once_listed(self, name):
        if name.endswith("da-xoa.pdf"):
            raise FileNotFoundError(name)
        return size(self, name)

    monkeypatch.setattr(FileSystemStorage, "size", deleted_once_listed)
    archive = _backup(tmp_path, media)

    with tarfile.open(archive) as tar:
        members = {member.name: member for member in tar.getmembers()}
        assert tar.extractfile(members["media/legal/lien-ket.pdf"]).read() == PDF
    assert f"media/{document.file.name}" in members
    assert members[f"media/{document.file.name}"].mode == 0o644  # nginx reads a manual unpack
    assert "media/legal/da-xoa.pdf" not in members
    assert not [name for name in members if "health_check" in name]
