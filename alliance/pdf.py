"""Render templates to PDF with WeasyPrint.

Chinese text needs a CJK font: `static/css/pdf.css` names the fonts the Makefile and the
Dockerfile install (Noto Sans CJK / WenQuanYi Zen Hei); WeasyPrint embeds the subset it
uses.  Documents may load only the project's own static files: anything else (other local
files, http, data from elsewhere) is refused by `safe_url_fetcher`.
"""

import threading
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

PDF_STYLESHEET = "css/pdf.css"


class RefusedURL(ValueError):
    pass


def _static_roots():
    roots = [Path(d) for d in settings.STATICFILES_DIRS]
    roots.append(Path(settings.STATIC_ROOT))
    return [r.resolve() for r in roots]


def static_base_url():
    return (Path(settings.STATICFILES_DIRS[0]).resolve()).as_uri() + "/"


@cache
def _fetcher_class():
    """WeasyPrint is imported where a PDF is rendered, not at every process start (it costs ~0.5 s)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serves file:// URLs inside the project's static folders, and the in-memory `images` the
        caller passed by their exact address; refuses everything else."""

        def __init__(self, images=None, **kwargs):
            super().__init__(allowed_protocols={"file"}, allow_redirects=False, **kwargs)
            self.images = images or {}

        def fetch(self, url, headers=None):
            if url in self.images:
                data = self.images[url]
                kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
                return URLFetcherResponse(url, data, {"Content-Type": kind})
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path == root or root in path.parents for root in _static_roots()) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise RefusedURL(f"PDF resources are limited to the project's static files; refused {url!r}")

    return StaticOnlyURLFetcher


_fonts = threading.local()


def font_config():
    """This thread's WeasyPrint FontConfiguration, made once and used for every PDF it renders.

    Without one, WeasyPrint makes a FontConfiguration per document: fontconfig's configuration
    and font list loaded again, and a new Pango font map that opens the CJK faces again (~20 MB
    each, copied once more for subsetting), garbage that only Python's rare full collection frees
    (reference cycles), while fontconfig and Pango keep part of it for good.  A worker rendering
    certificates grew to ~790 MB a child; with one configuration reused it stays flat and each
    render is quicker (bench/certificates.py, bench/README.md).  One per thread: a Pango font map
    is not safe to share between threads.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def safe_url_fetcher(url):
    return _fetcher_class()()(url)


def render_html_to_pdf(html, *, images=None):
    """`images`: {address: bytes} of pictures held in memory (an uploaded photo read through its
    permission-checked storage), which the HTML refers to by those exact addresses."""
    from weasyprint import CSS, HTML

    fetcher = _fetcher_class()(images=images)
    base = static_base_url()
    fonts = font_config()
    stylesheet = CSS(url=base + PDF_STYLESHEET, url_fetcher=fetcher, font_config=fonts)
    return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def render_pdf(template_name, context=None, request=None, *, images=None):
    """Render a Django template to PDF bytes.

    Templates refer to static files by relative path (e.g. `img/logo.png`); the base URL is
    the project's static folder.  `images` as for render_html_to_pdf.
    """
    html = render_to_string(template_name, context or {}, request=request)
    return render_html_to_pdf(html, images=images)


def pdf_response(pdf_bytes, filename, *, inline=True):
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
