"""PDF rendering: the only caller of WeasyPrint (CMS-1500 claims, statements, appeal letters).

No network: relative URLs resolve against the static folder, and any other URL (http, https,
fonts from a CDN) is refused by the URL fetcher, so a template cannot leak data or stall a worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


def _static_dir() -> Path:
    dirs = list(getattr(settings, "STATICFILES_DIRS", []))
    return Path(dirs[0]) if dirs else Path(settings.BASE_DIR) / "static"


def _local_only_fetcher(url: str, *args: Any, **kwargs: Any) -> Any:
    from weasyprint.urls import default_url_fetcher

    if not url.startswith(("file:", "data:")):
        raise ValueError(f"remote resources are not allowed in PDFs: {url[:60]}")
    if url.startswith("file:"):
        root = _static_dir().resolve().as_uri()
        if not url.startswith(root):
            raise ValueError("only files under the static folder may be used in PDFs")
    return default_url_fetcher(url, *args, **kwargs)


def render_html(template_name: str, context: dict[str, Any]) -> str:
    """The HTML a PDF is made from (tests check its fields; the PDF itself is opaque)."""
    return render_to_string(template_name, context)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a Django template to PDF bytes with WeasyPrint (imported lazily: it is heavy)."""
    from weasyprint import HTML

    html = render_html(template_name, context)
    base = _static_dir().resolve().as_uri() + "/"
    pdf: bytes = HTML(string=html, base_url=base, url_fetcher=_local_only_fetcher).write_pdf()
    return pdf
