"""Checking and cleaning uploaded photos and videos before they are stored.

Every channel that accepts attachments (field form, API, public form, Telegram, checklists) calls
``media_clean``: the type is read from the bytes, never trusted from the name or the header; the
size is capped (``SIAGA_UPLOAD_MAX_MB``); images are decoded by Pillow (a file that does not
decode is refused) and re-encoded, which drops whatever a crafted file carried after the image.
With ``strip_location`` (public reports) the whole EXIF block goes, the GPS position with it;
otherwise only the GPS position is removed from the stored copy when ``keep_location`` is false.
Videos are accepted only where ``allow_video`` is set (field officers): their metadata cannot be
cleaned without a transcoder, so the public form takes images only.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from siaga.core.errors import DomainError

IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
GPS_IFD = 0x8825


@dataclass(frozen=True)
class CleanMedia:
    content: bytes
    content_type: str
    extension: str
    sha256: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)


def _video_type(head: bytes) -> tuple[str, str] | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"3g"):
            return "video/3gpp", "3gp"
        return "video/mp4", "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm", "webm"
    return None


def max_bytes() -> int:
    return settings.SIAGA_UPLOAD_MAX_MB * 1024 * 1024


def media_clean(
    data: bytes, *, name: str = "", allow_video: bool = False, strip_location: bool = False
) -> CleanMedia:
    """Validate ``data`` and return the copy to store; raise ``DomainError`` naming the file."""
    label = name or _("lampiran")
    if not data:
        raise DomainError(_("%(file)s: berkas kosong.") % {"file": label})
    if len(data) > max_bytes():
        raise DomainError(
            _("%(file)s: ukuran %(size).1f MB melebihi batas %(limit)d MB.")
            % {"file": label, "size": len(data) / 1048576, "limit": settings.SIAGA_UPLOAD_MAX_MB}
        )
    video = _video_type(data[:16])
    if video:
        if not allow_video:
            raise DomainError(
                _("%(file)s: video tidak diterima di kanal ini; kirim foto.") % {"file": label}
            )
        return CleanMedia(data, video[0], video[1], hashlib.sha256(data).hexdigest())
    return _clean_image(data, label=label, strip_location=strip_location)


def _clean_image(data: bytes, *, label: str, strip_location: bool) -> CleanMedia:
    refused = DomainError(
        _("%(file)s: bukan foto JPEG, PNG atau WebP, atau video MP4/3GP/WebM.") % {"file": label}
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in IMAGE_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(_("%(file)s: gambar terlalu besar.") % {"file": label})
            probe.load()
            image = probe.copy()
            exif = probe.getexif()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise refused from exc
    content_type, extension = IMAGE_FORMATS[kind]
    options: dict = {}
    if strip_location:
        image = ImageOps.exif_transpose(image)  # keep the picture upright without its EXIF
    else:
        if GPS_IFD in exif:
            del exif[GPS_IFD]
        options["exif"] = exif.tobytes()
    if kind == "JPEG":
        options["quality"] = 90
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    content = out.getvalue()
    return CleanMedia(
        content,
        content_type,
        extension,
        hashlib.sha256(content).hexdigest(),
        width=image.width,
        height=image.height,
    )
