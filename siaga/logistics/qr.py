"""The QR code printed on a shipment's documents: scanning it with a phone's camera opens the
handover page with the shipment code filled in (the code stays short enough to type by hand)."""

from urllib.parse import urlencode

import segno
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def handover_url(request, code: str) -> str:
    return request.build_absolute_uri(
        f"{reverse('logistics:handover')}?{urlencode({'kode': code})}"
    )


def qr_svg(data: str) -> SafeString:
    """An inline SVG of ``data`` (segno escapes nothing user-supplied into markup but the data)."""
    svg = segno.make(data, error="m").svg_inline(scale=4, border=2, title=data)
    return mark_safe(svg)  # noqa: S308 - segno's own SVG; the data is a URL we built
