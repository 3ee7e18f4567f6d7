"""The public showcase (etalase): every region's approved innovations, for other agencies and regions to replicate.

No login. Only approved entries appear, and of their evidence only the items a reviewer marked public;
anything else answers 404, so a draft or a private document is not even revealed to exist.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator

from registry.downloads import serve
from registry.models import Evidence, Innovation
from reports.showcase_filters import ShowcaseFilter
from scoring.collect import gather_answers
from scoring.index import InnovationInput, kematangan

PAGE_SIZE = 12
# Shown in the browser; anything else is downloaded, so a stored file can never run as a page of this site.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
DOWNLOAD_TYPES = frozenset({"video/mp4"})
DESCRIPTION_LENGTH = 160


def showcase(request):
    search = ShowcaseFilter(
        request.GET or None, queryset=Innovation.objects.showcased().defer("design", "development_note")
    )
    page = Paginator(search.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/showcase_list.html", {"filter": search, "page": page})


def showcase_detail(request, pk):
    innovation = get_object_or_404(Innovation.objects.showcased().select_related("cycle__edition"), pk=pk)
    edition, answers = gather_answers(innovation)
    verified = kematangan(
        edition, InnovationInput(key=str(innovation.pk), name=innovation.name, answers=answers), verified=True
    )
    evidence = (
        Evidence.objects.public()
        .filter(answer__innovation=innovation)
        .select_related("answer__indicator")
        .order_by("answer__indicator__position", "created_at", "pk")
    )
    user = request.user
    can_replicate = (
        user.is_authenticated
        and user.is_innovator
        and Innovation.objects.replicable_for(user).filter(pk=innovation.pk).exists()
    )
    return render(
        request,
        "reports/showcase_detail.html",
        {
            "innovation": innovation,
            "description": _description(innovation),
            "verified": verified.kematangan,
            "kematangan_max": edition.parameters.sid_per_innovation_max,
            "evidence": evidence,
            "can_replicate": can_replicate,
            "canonical_url": request.build_absolute_uri(reverse("showcase_detail", args=[innovation.pk])),
        },
    )


def _description(innovation) -> str:
    """The meta description: the first profile text that says what the innovation is for."""
    text = innovation.goals or innovation.benefits or innovation.design or innovation.name
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)


def showcase_evidence(request, pk, evidence_pk):
    item = get_object_or_404(
        Evidence.objects.public().filter(kind=Evidence.Kind.FILE, answer__innovation_id=pk), pk=evidence_pk
    )
    inline = item.content_type in INLINE_TYPES
    known = inline or item.content_type in DOWNLOAD_TYPES
    response = serve(
        item.file,
        content_type=item.content_type if known else "application/octet-stream",
        filename=item.original_name,
        as_attachment=not inline or request.GET.get("download") == "1",
    )
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
    )
    return response
