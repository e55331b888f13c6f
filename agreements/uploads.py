"""Photo uploads: checked, decoded and re-encoded before anything is stored.

What an uploaded photo becomes on the site is a fresh JPEG, PNG or WebP file drawn from its
pixels alone, upright, with none of the uploaded file's metadata (EXIF, GPS, XMP, comments) and
none of its other bytes, under a name the server makes. The checks run from the cheapest to the
dearest: the byte size, then the header (format and dimensions, read without decoding the
pixels), then the bytes after the image, and only then the decoding itself.

Limits, from the settings: ``PHOTO_MAX_BYTES`` (10 MB) and ``PHOTO_MAX_PIXELS`` (40 megapixels).
"""

import io
import re
import uuid
from pathlib import PurePath

from botocore.exceptions import BotoCoreError, ClientError
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000

# Format read from the header → (format written, extension). MPO is how Pillow names a JPEG that
# carries further pictures after the first (phones store depth or HDR maps that way): only the
# first picture is kept, as a plain JPEG.
OUTPUT = {
    "JPEG": ("JPEG", ".jpg"),
    "MPO": ("JPEG", ".jpg"),
    "PNG": ("PNG", ".png"),
    "WEBP": ("WEBP", ".webp"),
}
EXTENSIONS = {".jpg", ".png", ".webp"}
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}
PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}

NOT_A_PHOTO = _("Upload a photo in JPEG, PNG or WebP format.")
TOO_LARGE = _("This photo is too large: at most %(max)s MB.")
TOO_MANY_PIXELS = _("This image has too many pixels (%(pixels)s megapixels; at most %(max)s).")
# When Pillow's guard refuses the header, the number of pixels is not known.
TOO_MANY_PIXELS_UNCOUNTED = _("This image has too many pixels (at most %(max)s megapixels).")
UNREADABLE = _("This file is not a readable image.")
TRAILING_DATA = _(
    "This file holds other data after the image: open the photo in an image editor, save it "
    "again and upload that copy."
)

# Markup that would make a browser read appended bytes as a page or a script.
_MARKUP = re.compile(
    rb"<(?:!doctype|\?php|html|head|body|script|iframe|svg|object|embed)\b", re.IGNORECASE
)


def max_bytes():
    return getattr(settings, "PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_pixels():
    return getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def photo_upload_to(instance, filename):
    """photos/<year>/<month>/<random hex>.<ext>: the uploader's file name is never used.

    Only the extension is kept, and it is the re-encoded format's (clean_photo names its file
    "photo.jpg", "photo.png" or "photo.webp"). Migrations refer to this function by its path.
    """
    extension = PurePath(filename).suffix.lower().replace(".jpeg", ".jpg")
    if extension not in EXTENSIONS:
        # A file that did not go through clean_photo: a programming error, not bad input.
        raise ValueError(f"a photo is stored as JPEG, PNG or WebP, not {extension or filename!r}")
    return timezone.now().strftime(f"photos/%Y/%m/{uuid.uuid4().hex}{extension}")


# What reading or writing a stored file may raise: the disk's errors, or an object storage's
# (django-storages turns only a missing object into FileNotFoundError).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

# A photo's thumbnail, for the admin's lists: at most this size, as WebP (small, and it keeps a
# PNG's transparency), made when the photo is saved (Photo.save).
THUMBNAIL_SIZE = (320, 320)


def thumbnail_upload_to(instance, filename):
    """photos/thumbs/<the photo's own random name>.webp. Migrations refer to it by its path."""
    stem = PurePath(instance.image.name).stem if instance.image else uuid.uuid4().hex
    return timezone.now().strftime(f"photos/thumbs/%Y/%m/{stem}.webp")


def thumbnail_of(image_file):
    """A stored photo (already re-encoded by clean_photo) made small, as a ContentFile: its
    transparency and colour profile kept. Raises one of STORAGE_ERRORS when it cannot be read."""
    image_file.open("rb")
    try:
        with Image.open(image_file, formats=["JPEG", "PNG", "WEBP"]) as image:
            image.draft("RGB", THUMBNAIL_SIZE)  # a JPEG decodes at a fraction of its size
            icc_profile = image.info.get("icc_profile")
            has_alpha = "A" in image.mode or "transparency" in image.info
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA" if has_alpha else "RGB")
            image.thumbnail(THUMBNAIL_SIZE)
            options = {"quality": 80}
            if icc_profile:
                options["icc_profile"] = icc_profile
            buffer = io.BytesIO()
            image.save(buffer, format="WEBP", **options)
    finally:
        image_file.close()
    return ContentFile(buffer.getvalue(), name="thumbnail.webp")


def clean_photo(uploaded_file):
    """The uploaded file re-encoded as a new ContentFile, or ValidationError with a message."""
    limit = max_bytes()
    if uploaded_file.size > limit:
        raise _too_large(limit)
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:  # the size announced was wrong
        raise _too_large(limit)

    image = _open(data)
    width, height = image.size
    if width * height > max_pixels():
        raise _too_many_pixels(width * height)
    if _has_trailing_data(image.format, data):
        raise ValidationError(TRAILING_DATA, code="trailing_data")
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # in place: no second copy in memory
    except Exception as error:  # Pillow raises many kinds on a broken or truncated file
        raise ValidationError(UNREADABLE, code="unreadable") from error

    output_format, extension = OUTPUT[image.format]
    return ContentFile(_encode(image, output_format), name=f"photo{extension}")


def _open(data):
    """The image with its header read and its pixels not yet decoded."""
    try:
        # formats=: no other decoder is even tried (an SVG, an HTML page, a TIFF are refused).
        return Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
    except Image.UnidentifiedImageError:
        raise ValidationError(NOT_A_PHOTO, code="format") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own, global guard (MAX_IMAGE_PIXELS) fires before ours for the largest
        # headers; the warning is an error only where warnings are turned into errors.
        raise ValidationError(
            TOO_MANY_PIXELS_UNCOUNTED,
            code="too_many_pixels",
            params={"max": _megapixels(max_pixels())},
        ) from None
    except Exception as error:  # a broken header raises many kinds
        raise ValidationError(UNREADABLE, code="unreadable") from error


def _has_trailing_data(image_format, data):
    """Bytes after the image that a browser could read as something else.

    PNG and WebP say where they end, and nothing legitimate follows: any byte after the end is
    refused. After a JPEG's end, phones store their own extras (a motion photo's video, an HDR
    map, a maker's trailer), which re-encoding drops: only markup is refused there.
    """
    if image_format == "PNG":
        end = _png_end(data)
        return end is not None and end < len(data)
    if image_format == "WEBP":
        end = 8 + int.from_bytes(data[4:8], "little")
        return end < len(data)
    end = _jpeg_end(data)
    return end is not None and _MARKUP.search(data, end) is not None


def _png_end(data):
    """Offset just after the IEND chunk, or None if the file has none (the decoder then fails)."""
    position = 8  # the signature
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + length  # length, type, data, CRC
        if kind == b"IEND":
            return position
    return None


def _jpeg_end(data):
    """Offset just after the first picture's end-of-image marker, or None when not found.

    Segments carry their length, so an EXIF thumbnail inside one is skipped whole; after a
    start-of-scan, the compressed data runs to the next marker that is not a restart marker or
    a stuffed 0xFF00.
    """
    position, size = 2, len(data)  # after the start-of-image marker
    while position + 2 <= size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image
            return position + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            position += 2
            continue
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker != 0xDA:  # not a start of scan
            continue
        while True:
            position = data.find(b"\xff", position)
            if position < 0 or position + 1 >= size:
                return None
            following = data[position + 1]
            if following == 0 or 0xD0 <= following <= 0xD7:
                position += 2
            elif following == 0xFF:
                position += 1
            else:
                break
    return None


def _encode(image, output_format):
    """A new file from the pixels: no EXIF, GPS, XMP or comment is passed on."""
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    mode = _output_mode(image, output_format)
    if mode != image.mode:
        image = image.convert(mode)
        # The profile described the old colours (a CMYK profile on RGB pixels would be wrong).
        icc_profile = transparency = None
    # PNG's encoder reads the transparency and the profile from info; nothing else is kept.
    image.info = {"transparency": transparency} if transparency is not None else {}
    options = dict(SAVE_OPTIONS[output_format])
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    image.save(buffer, format=output_format, **options)
    return buffer.getvalue()


def _output_mode(image, output_format):
    has_alpha = "A" in image.mode or "transparency" in image.info
    if output_format == "JPEG":
        return image.mode if image.mode in ("L", "RGB") else "RGB"
    if output_format == "PNG":
        return image.mode if image.mode in PNG_MODES else ("RGBA" if has_alpha else "RGB")
    return image.mode if image.mode in ("RGB", "RGBA") else ("RGBA" if has_alpha else "RGB")


def _number(value):
    """10 rather than 10.0; 12,5 in Vietnamese."""
    value = round(value, 1)
    return formats.number_format(int(value) if value == int(value) else value)


def _megabytes(size):
    return _number(size / (1024 * 1024))


def _megapixels(pixels):
    return _number(pixels / 1_000_000)


def _too_large(limit):
    return ValidationError(TOO_LARGE, code="too_large", params={"max": _megabytes(limit)})


def _too_many_pixels(pixels):
    return ValidationError(
        TOO_MANY_PIXELS,
        code="too_many_pixels",
        params={"pixels": _megapixels(pixels), "max": _megapixels(max_pixels())},
    )


class PhotoField(forms.FileField):
    """A form field whose cleaned value is the re-encoded photo (see clean_photo)."""

    def __init__(self, *, max_length=None, **kwargs):
        # The server names the file: the length of the uploader's file name does not matter.
        super().__init__(**kwargs)

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        return clean_photo(uploaded)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs.setdefault("accept", "image/jpeg,image/png,image/webp")
        return attrs
