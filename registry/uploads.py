"""A cap on the size of an upload that stops reading the request as soon as it is crossed.

Django reads a whole multipart body before a view sees it, so a 700 MB upload would keep a worker busy for
seconds only to be refused afterwards. `SizeLimitUploadHandler` (first in FILE_UPLOAD_HANDLERS) stops the parser:

- at once, when the declared Content-Length is over REGISTRI_UPLOAD_MAX_BYTES (the largest evidence limit plus
  room for the form's other fields): nothing of the file is read;
- during the file, as soon as its bytes pass the limit of the kind its first bytes show (a PDF past 20 MB, an
  image past 10 MB; an unknown content past the largest limit), or all files together pass the cap.

The form fields sent before the file (the CSRF token, the document's number, date and subject: the evidence
form puts them first) are kept, so the view can answer with the form and its typed values. The view learns
of the stop through `refusal(request)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from registry.evidence_checks import HEAD_BYTES, display_name, file_kind_limit, kind_limits, largest_limit


@dataclass(frozen=True, slots=True)
class StoppedUpload:
    """Why the request body was not read to its end."""

    name: str
    received: int  # bytes of the file read before the stop (0 when stopped on Content-Length)
    declared: int  # the request's Content-Length
    limit: int

    def message(self) -> str:
        return gettext(
            "The file %(name)s is larger than %(limit)s, the most this file type may have; it was not "
            "uploaded. Make it smaller (for a PDF: print it again to PDF at a lower quality; for a video: "
            "shorten or compress it) and upload it again."
        ) % {"name": self.name, "limit": filesizeformat(self.limit)}


def client_size_limits() -> str:
    """The limits the browser checks a chosen file against before sending it (a file input's data-size-limits), as
    JSON: per kind of file its limit in bytes and the message the server gives when it stops such an upload, with
    %(name)s left for the file's name. "any" is for a file whose kind the browser cannot tell."""
    limits = kind_limits() | {"any": largest_limit()}
    return json.dumps(
        {
            kind: {"bytes": limit, "message": StoppedUpload("%(name)s", 0, 0, limit).message()}
            for kind, limit in limits.items()
        }
    )


def request_limit() -> int:
    """The most a request with files may send: the largest evidence limit plus room for the other fields."""
    return settings.REGISTRI_UPLOAD_MAX_BYTES


def refusal(request) -> StoppedUpload | None:
    """The stopped upload of this request, if any; read request.POST or request.FILES first."""
    return getattr(request, "_registri_stopped_upload", None)


class SizeLimitUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length
        self.total = 0

    def new_file(
        self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None
    ):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.head = b""
        self.file_limit = request_limit()
        if self.declared > request_limit():
            self._stop(received=0, limit=largest_limit())

    def receive_data_chunk(self, raw_data, start):
        if len(self.head) < HEAD_BYTES:
            self.head += raw_data[: HEAD_BYTES - len(self.head)]
            self.file_limit = min(file_kind_limit(self.head), request_limit())
        self.total += len(raw_data)
        received = start + len(raw_data)
        if received > self.file_limit:
            self._stop(received=received, limit=self.file_limit)
        if self.total > request_limit():
            self._stop(received=received, limit=largest_limit())
        return raw_data

    def file_complete(self, file_size):
        return None

    def _stop(self, *, received: int, limit: int):
        if self.request is not None:
            self.request._registri_stopped_upload = StoppedUpload(
                name=display_name(self.file_name or ""),
                received=received,
                declared=self.declared,
                limit=limit,
            )
        # connection_reset: the rest of the body is left unread; the server closes the connection after answering.
        raise StopUpload(connection_reset=True)
