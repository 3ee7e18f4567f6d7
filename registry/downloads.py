"""Handing out stored files (evidence, profile PDFs, hand-off packages) after a view's access check.

Every download view checks access first and then calls `serve`, the one place that decides how the bytes travel:
streamed through Django (REGISTRI_EVIDENCE_DOWNLOAD=stream, the default, and always on the file system) or, with
object storage and signed-url, as a redirect to a URL that the storage signs for a few minutes and that carries
the file name and type the view chose, so the browser sees the same headers either way.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3File, S3Storage

STREAM_BLOCK = 64 * 1024
# Every stored file is handed out with this policy, whatever its type. `sandbox` gives the document an opaque
# origin with scripts, forms, plugins and pop-ups off, so even a file a browser renders as a page can neither
# run nor reach the signed-in session; `default-src 'none'` loads nothing but the file itself (its image or
# video, and the inline styles of the browser's own image, video and PDF viewers). Chromium still shows PDFs
# inline with it, in a tab and in the review page's frame (checked with Chromium 156).
DOCUMENT_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"


def open_stored(storage: Storage, name: str):
    """(readable, size or None) for a stored file; FileNotFoundError when it is gone.

    From object storage the object's body is read as it arrives: opening it through the storage would first copy
    the whole object into a temporary file, which delays the first byte of a large video and doubles the I/O of
    an archive built from hundreds of files.
    """
    handle = storage.open(name, "rb")
    if not isinstance(handle, S3File):
        return handle, None
    try:
        reply = handle.obj.get()
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(name) from error
        raise
    finally:
        handle.close()
    return reply["Body"], reply["ContentLength"]


def signs_urls(storage: Storage) -> bool:
    return settings.REGISTRI_EVIDENCE_DOWNLOAD == "signed-url" and isinstance(storage, S3Storage)


def serve(
    stored: FieldFile, *, content_type: str, filename: str = "", as_attachment: bool = False
) -> HttpResponse:
    """The response handing out `stored`; call it only after the access check. Missing file: 404.

    Streamed responses carry DOCUMENT_CSP and nosniff. A redirect to a signed URL cannot: the object store
    answers that second request itself, with the signed type and disposition but without these headers (set
    them on the bucket or its proxy if it serves a browser directly).
    """
    if not stored:
        raise Http404
    filename = filename or PurePosixPath(stored.name).name
    if signs_urls(stored.storage):
        return _redirect_to_signed_url(
            stored, content_type=content_type, filename=filename, attachment=as_attachment
        )
    try:
        body, size = open_stored(stored.storage, stored.name)
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(body, content_type=content_type, as_attachment=as_attachment, filename=filename)
    if size is not None:
        response["Content-Length"] = size
        response.block_size = STREAM_BLOCK
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    return response


def _redirect_to_signed_url(stored: FieldFile, *, content_type: str, filename: str, attachment: bool):
    # The storage answers with the headers named in the signature, so the type and name cannot be altered.
    url = stored.storage.url(
        stored.name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(attachment, filename),
            "ResponseCacheControl": "private, no-store",
        },
        expire=settings.REGISTRI_S3_SIGNED_URL_SECONDS,
    )
    response = HttpResponseRedirect(url)
    # A cached redirect would hand the signed URL out again without the access check.
    add_never_cache_headers(response)
    return response
