"""Photo uploads: hostile files are refused with a message and nothing stored; accepted photos
are re-encoded upright, without GPS, under a name the server makes; thumbnails are made once.

Every file is built here, in code.
"""

import functools
import io
import re
import struct
import zlib
from pathlib import Path
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils.html import escape
from PIL import Image, ImageFile
from sorl.thumbnail.base import ThumbnailBackend

from agreements import models as models_module
from agreements.models import Agreement, Photo
from agreements.uploads import PhotoField, clean_photo, photo_upload_to
from tests import factories

ORIENTATION, GPS_IFD = 0x0112, 0x8825
GPS = {1: "N", 2: (13.0, 59.0, 0.0), 3: "E", 4: (108.0, 0.0, 0.0)}  # near Pleiku
STORED_NAME = re.compile(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp)")
RED, BLUE = (220, 30, 30), (30, 30, 220)


# --- Files -------------------------------------------------------------------------------------


def encoded(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def two_halves(size=(40, 20)):
    """Red on the left, blue on the right: a rotation shows where the halves went."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def camera_exif():
    """What a phone writes: the picture is stored on its side (orientation 6), with GPS."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = GPS
    return exif


def phone_jpeg():
    return encoded(two_halves(), "JPEG", exif=camera_exif(), quality=95)


@functools.cache
def bilevel_png(width, height):
    """A real black-and-white PNG of any size: its zero rows compress to almost nothing."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    compressor = zlib.compressobj(9)
    rows = b"\0" * ((1 + (width + 7) // 8) * 100)  # 100 rows at a time: filter byte + bits
    idat = b"".join(compressor.compress(rows) for _ in range(height // 100)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def small_png():
    return encoded(Image.new("RGB", (30, 20), RED), "PNG")


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">
<script>alert(1)</script><rect width="10" height="10"/></svg>"""
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
APPENDED_HTML = b"<html><script>alert(1)</script></html>"

# name, bytes, the refusal's code
HOSTILE = {
    "png with html appended": (
        "photo.png",
        lambda: small_png() + APPENDED_HTML,
        "trailing_data",
    ),
    "jpeg with html appended": (
        "photo.jpg",
        lambda: phone_jpeg() + APPENDED_HTML,
        "trailing_data",
    ),
    "webp with html appended": (
        "photo.webp",
        lambda: encoded(two_halves(), "WEBP") + APPENDED_HTML,
        "trailing_data",
    ),
    "svg named png": ("photo.png", lambda: SVG, "format"),
    "html named jpg": ("photo.jpg", lambda: HTML, "format"),
    "gif": ("photo.gif", lambda: encoded(Image.new("P", (10, 10)), "GIF"), "format"),
    "100 megapixels": ("photo.png", lambda: bilevel_png(10_000, 10_000), "too_many_pixels"),
    "decompression bomb": ("bomb.png", lambda: bilevel_png(30_000, 30_000), "too_many_pixels"),
    "truncated jpeg": ("photo.jpg", lambda: phone_jpeg()[:-200], "unreadable"),
    "truncated png": ("photo.png", lambda: small_png()[:60], "unreadable"),
}


def upload(name, data):
    # The content type the browser claims is not trusted: it is not even looked at.
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def refusal(name, data):
    return refusal_of(upload(name, data))


def refusal_of(uploaded):
    with pytest.raises(ValidationError) as caught:
        clean_photo(uploaded)
    return caught.value


def reopened(content):
    content.seek(0)
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


def assert_upright_without_gps(image):
    assert image.size == (20, 40)  # stored 40 wide and 20 high, on its side
    assert _near(image.convert("RGB").getpixel((10, 5)), RED)  # the left half went to the top
    assert _near(image.convert("RGB").getpixel((10, 35)), BLUE)
    exif = image.getexif()
    assert GPS_IFD not in exif
    assert exif.get(ORIENTATION, 1) == 1
    assert "exif" not in image.info


def _near(colour, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


# --- clean_photo -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_each_hostile_file_is_refused(case):
    name, make, code = HOSTILE[case]
    error = refusal(name, make())
    assert error.code == code
    assert error.messages[0]


def test_a_phone_jpeg_is_stored_upright_without_gps():
    raw = Image.open(io.BytesIO(phone_jpeg()))
    assert raw.size == (40, 20) and raw.getexif().get_ifd(GPS_IFD)  # the test's own premise

    cleaned = clean_photo(upload("IMG_0001.JPG", phone_jpeg()))

    assert cleaned.name == "photo.jpg"
    image = reopened(cleaned)
    assert image.format == "JPEG"
    assert_upright_without_gps(image)


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_keep_their_format_and_lose_their_exif(image_format, extension):
    data = encoded(two_halves(), image_format, exif=camera_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)

    cleaned = clean_photo(upload(f"photo.{extension}", data))

    assert cleaned.name == f"photo.{extension}"
    image = reopened(cleaned)
    assert image.format == image_format
    assert_upright_without_gps(image)


def test_a_transparent_png_stays_transparent():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    image.putpixel((5, 5), (*RED, 255))
    cleaned = reopened(clean_photo(upload("logo.png", encoded(image, "PNG"))))
    assert cleaned.mode == "RGBA"
    assert cleaned.getpixel((0, 0))[3] == 0
    assert cleaned.getpixel((5, 5)) == (*RED, 255)


def test_a_jpeg_with_further_pictures_keeps_the_first_as_a_plain_jpeg():
    # Phones store an HDR or depth map after the picture (MPO); re-encoding keeps the picture.
    data = encoded(
        two_halves(), "MPO", save_all=True, append_images=[Image.new("RGB", (20, 10), BLUE)]
    )
    image = reopened(clean_photo(upload("photo.jpg", data)))
    assert (image.format, image.size) == ("JPEG", (40, 20))
    assert not getattr(image, "n_frames", 1) > 1


def test_binary_data_after_a_jpeg_is_dropped_not_refused():
    # A motion photo's video or a maker's trailer: no markup, and nothing of it is kept.
    trailer = b"\0\0\0\x18ftypmp42" + bytes(range(256)) * 4
    cleaned = clean_photo(upload("photo.jpg", phone_jpeg() + trailer))
    cleaned.seek(0)
    assert b"ftypmp42" not in cleaned.read()


class Unreadable(SimpleUploadedFile):
    def read(self, *args):
        raise AssertionError("the file was read")


def test_the_byte_size_is_checked_before_the_file_is_read(settings):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    big = Unreadable("photo.jpg", b"\xff\xd8" + b"\0" * (1024 * 1024))
    error = refusal_of(big)
    assert error.code == "too_large"
    assert error.params == {"max": "1"}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_pixels_are_counted_before_anything_is_decoded():
    with mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded")):
        error = refusal("photo.png", bilevel_png(10_000, 10_000))
    assert error.code == "too_many_pixels"
    assert error.params == {"pixels": "100", "max": "40"}


def test_the_pixel_limit_comes_from_the_settings(settings):
    settings.PHOTO_MAX_PIXELS = 30 * 20 - 1
    assert refusal("photo.png", small_png()).code == "too_many_pixels"
    settings.PHOTO_MAX_PIXELS = 30 * 20
    assert reopened(clean_photo(upload("photo.png", small_png()))).size == (30, 20)


def test_the_form_field_gives_the_refusal_and_ignores_long_names():
    field = PhotoField()
    with pytest.raises(ValidationError) as caught:
        field.clean(upload("photo.jpg", HTML))
    assert caught.value.code == "format"
    cleaned = field.clean(upload("z" * 300 + ".jpg", phone_jpeg()))
    assert cleaned.name == "photo.jpg"


# --- Names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uploaded", "extension"),
    [("photo.jpg", "jpg"), ("PHOTO.JPEG", "jpg"), ("photo.png", "png"), ("a.b.webp", "webp")],
)
def test_stored_names_are_made_by_the_server(uploaded, extension):
    name = photo_upload_to(None, uploaded)
    assert STORED_NAME.fullmatch(name)
    assert name.endswith(f".{extension}")
    assert name != photo_upload_to(None, uploaded)


@pytest.mark.parametrize("uploaded", ["photo.html", "photo.svg", "photo"])
def test_names_of_other_kinds_are_a_programming_error(uploaded):
    with pytest.raises(ValueError):
        photo_upload_to(None, uploaded)


# --- Through the admin -------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    yield tmp_path
    cache.clear()


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


def photo_post(agreement, name, data):
    return {
        "agreement": str(agreement.pk),
        "event": "",
        "image": upload(name, data),
        "caption": "Lễ ký kết",
        "credit": "Đức Hải",
        "position": "0",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("case", HOSTILE)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_photo_page_refuses_each_hostile_file_at_the_field(admin_client, media, case):
    name, make, _ = HOSTILE[case]
    agreement = factories.agreement()
    expected = refusal(name, make()).messages

    response = admin_client.post(
        "/admin/agreements/photo/add/", photo_post(agreement, name, make())
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"] == expected
    assert escape(expected[0]) in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_the_photo_page_stores_the_re_encoded_photo(admin_client, media):
    agreement = factories.agreement()
    response = admin_client.post(
        "/admin/agreements/photo/add/", photo_post(agreement, "IMG_0001.JPG", phone_jpeg())
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    photo = Photo.objects.get()
    assert STORED_NAME.fullmatch(photo.image.name)
    assert sorted(stored_files(media)) == sorted(
        [media / photo.image.name, media / photo.thumbnail.name]
    )
    with Image.open(media / photo.image.name) as image:
        assert image.format == "JPEG"
        assert_upright_without_gps(image)


@pytest.mark.django_db
def test_a_photo_edited_without_a_new_file_keeps_its_file(admin_client, media):
    photo = Photo.objects.create(
        agreement=factories.agreement(),
        caption="Lễ ký",
        image=clean_photo(upload("a.jpg", phone_jpeg())),
    )
    data = photo_post(photo.agreement, "unused.jpg", b"")
    del data["image"]
    data["caption"] = "Lễ ký kết giao ước"

    response = admin_client.post(f"/admin/agreements/photo/{photo.pk}/change/", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    edited = Photo.objects.get()
    assert (edited.caption, edited.image.name) == ("Lễ ký kết giao ước", photo.image.name)
    assert edited.thumbnail.name == Photo.objects.get().thumbnail.name != ""
    assert sorted(stored_files(media)) == sorted(
        [media / photo.image.name, media / edited.thumbnail.name]
    )


@pytest.mark.django_db
def test_the_photo_page_tells_which_files_it_takes(admin_client):
    content = admin_client.get("/admin/agreements/photo/add/").content.decode()
    assert 'accept="image/jpeg,image/png,image/webp"' in content
    assert escape(str(Photo._meta.get_field("image").help_text)) in content


def agreement_with_photo_post(parties, name, data):
    """The agreement's add page: two parties and one photo row."""
    data = {
        "title": "",
        "slug": "",
        "signed_on": "",
        "signed_at_place": "",
        "ended_on": "",
        "summary": "",
        "photos-0-image": upload(name, data),
        "photos-0-caption": "Lễ ký kết",
        "photos-0-credit": "",
        "photos-0-event": "",
        "photos-0-position": "0",
    }
    rows = {"parties": len(parties), "photos": 1}
    for prefix in ("parties", "commitments", "programmes", "events", "photos", "sources"):
        data[f"{prefix}-TOTAL_FORMS"] = str(rows.get(prefix, 0))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    for i, locality in enumerate(parties):
        data[f"parties-{i}-locality"] = str(locality.pk)
        data[f"parties-{i}-role"] = "party"
        data[f"parties-{i}-signatory_name"] = ""
        data[f"parties-{i}-signatory_title"] = ""
        data[f"parties-{i}-position"] = str(i)
    return data


@pytest.mark.django_db
def test_the_agreement_page_refuses_a_hostile_photo_at_its_row(admin_client, media):
    parties = [factories.locality(), factories.locality()]
    expected = refusal("photo.png", small_png() + APPENDED_HTML).messages

    response = admin_client.post(
        "/admin/agreements/agreement/add/",
        agreement_with_photo_post(parties, "photo.png", small_png() + APPENDED_HTML),
    )

    assert response.status_code == 200
    photos = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "photos"
    )
    assert photos.forms[0].errors["image"] == expected
    assert not Agreement.objects.exists()
    assert not Photo.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_the_agreement_page_stores_the_re_encoded_photo(admin_client, media):
    parties = [factories.locality(), factories.locality()]
    response = admin_client.post(
        "/admin/agreements/agreement/add/",
        agreement_with_photo_post(parties, "IMG_0001.JPG", phone_jpeg()),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    photo = Photo.objects.get()
    assert STORED_NAME.fullmatch(photo.image.name)
    with Image.open(media / photo.image.name) as image:
        assert_upright_without_gps(image)


# --- Thumbnails --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_photo_gets_a_small_thumbnail_that_the_photo_list_shows(admin_client, media):
    """Issue 16: the photo list showed each photo whole, scaled by the browser; it shows a
    thumbnail made when the photo is saved (WebP, at most 320 px, without the camera's data),
    and a new image gets a new one."""
    big = encoded(Image.new("RGB", (1600, 1200), "#2a6"), "JPEG", exif=camera_exif())
    photo = Photo.objects.create(
        agreement=factories.agreement(), caption="Lễ ký", image=clean_photo(upload("a.jpg", big))
    )
    photo.refresh_from_db()
    assert photo.thumbnail.name.startswith("photos/thumbs/")
    assert Path(photo.image.name).stem in photo.thumbnail.name
    with Image.open(media / photo.thumbnail.name) as thumbnail:
        # The camera held it turned: stored upright, 1200x1600, so 240x320.
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (240, 320))
        assert not thumbnail.getexif()
    assert photo.history.count() == 1  # made without a second version

    content = admin_client.get("/admin/agreements/photo/").content.decode()
    assert f'src="{photo.thumbnail.url}"' in content
    assert photo.image.url not in content.split('id="result_list"', 1)[1]

    first = photo.thumbnail.name
    photo.image = clean_photo(upload("b.png", small_png()))
    photo.save()
    photo.refresh_from_db()
    assert photo.thumbnail.name not in ("", first)
    assert Path(photo.image.name).stem in photo.thumbnail.name


@pytest.mark.django_db
def test_a_photo_given_a_stored_file_gets_its_thumbnail_and_the_old_one_goes(
    media, django_capture_on_commit_callbacks
):
    """As an approved proposal sets it (agreements.revisions): an image already stored, not an
    upload. The thumbnail follows it; the replaced one is deleted once the write commits."""
    photo = Photo.objects.create(
        agreement=factories.agreement(),
        caption="Lễ ký",
        image=clean_photo(upload("a.jpg", phone_jpeg())),
    )
    first = Photo.objects.get().thumbnail.name
    other = Photo.objects.create(
        agreement=photo.agreement,
        caption="Trao quà",
        image=clean_photo(upload("b.png", small_png())),
    )
    with django_capture_on_commit_callbacks(execute=True):
        photo.image = other.image.name
        photo.save()
    photo = Photo.objects.get(pk=photo.pk)
    assert photo.has_own_thumbnail() and photo.thumbnail.name not in (first, other.thumbnail.name)
    assert not (media / first).exists() and (media / photo.thumbnail.name).exists()


@pytest.mark.django_db
def test_a_transparent_png_keeps_its_transparency_in_its_thumbnail(media):
    photo = Photo.objects.create(
        agreement=factories.agreement(),
        caption="Logo",
        image=clean_photo(
            upload("logo.png", encoded(Image.new("P", (40, 40)), "PNG", transparency=0))
        ),
    )
    with Image.open(media / Photo.objects.get(pk=photo.pk).thumbnail.name) as thumbnail:
        assert thumbnail.mode == "RGBA"
        assert thumbnail.getpixel((0, 0))[3] == 0


@pytest.mark.django_db
def test_a_photo_whose_storage_fails_is_saved_and_listed_without_a_thumbnail(
    admin_client, media, monkeypatch
):
    """An object storage refusing the read (a 403 is no FileNotFoundError) does not stop the
    save: the photo is kept without a thumbnail, and the list shows the image itself."""

    def refused(image_file):
        raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "GetObject")

    monkeypatch.setattr(models_module, "thumbnail_of", refused)
    photo = Photo.objects.create(
        agreement=factories.agreement(),
        caption="Lễ ký",
        image=clean_photo(upload("a.jpg", phone_jpeg())),
    )
    photo = Photo.objects.get(pk=photo.pk)
    assert (photo.thumbnail.name, photo.has_own_thumbnail()) == ("", False)
    content = admin_client.get("/admin/agreements/photo/").content.decode()
    assert f'src="{photo.image.url}"' in content


@pytest.mark.django_db
def test_a_thumbnail_is_made_once_then_read_from_the_cache(media):
    agreement = factories.agreement()
    photo = Photo.objects.create(
        agreement=agreement, caption="Lễ ký kết", image=clean_photo(upload("a.jpg", phone_jpeg()))
    )
    template = Template(
        '{% load thumbnail %}{% thumbnail photo.image "640x480" crop="center" as im %}'
        "{{ im.url }}{% endthumbnail %}"
    )
    original = ThumbnailBackend._create_thumbnail
    with mock.patch.object(
        ThumbnailBackend, "_create_thumbnail", autospec=True, side_effect=original
    ) as create:
        first = template.render(Context({"photo": photo}))
        second = template.render(Context({"photo": photo}))

    assert create.call_count == 1
    assert first == second
    assert first.startswith("/media/cache/")
    assert (media / first.removeprefix("/media/")).is_file()
