"""The public showcase (etalase): every region's approved innovations, for other agencies and regions to replicate.

No login. Only approved entries appear, and of their evidence only the items a reviewer marked public;
anything else answers 404, so a draft or a private document is not even revealed to exist.
"""

from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator

from registry.models import Evidence, Innovation, ReviewEvent
from reports.showcase_filters import ShowcaseFilter
from scoring.collect import gather_answers
from scoring.index import InnovationInput, kematangan

PAGE_SIZE = 12
# Shown in the browser; anything else is downloaded, so a stored file can never run as a page of this site.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
DOWNLOAD_TYPES = frozenset({"video/mp4"})
DESCRIPTION_LENGTH = 160


def showcased():
    """Approved innovations, newest approval first, with how many agencies have replicated each."""
    approved_at = (
        ReviewEvent.objects.filter(innovation=OuterRef("pk"), to_status=Innovation.Status.APPROVED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    replicated_by = (
        Innovation.objects.filter(replicated_from=OuterRef("pk"))
        .order_by()
        .values("replicated_from")
        .annotate(agencies=Count("agency", distinct=True))
        .values("agencies")
    )
    return (
        Innovation.objects.approved()
        .select_related("agency__region", "cycle")
        .annotate(approved_at=Subquery(approved_at), replicated_by=Coalesce(Subquery(replicated_by), 0))
        # Entries approved before events were recorded have no date; they come last, newest year first.
        .order_by(F("approved_at").desc(nulls_last=True), "-cycle__year", "-pk")
    )


def public_evidence():
    """Evidence anyone may see: marked public by a reviewer, of an approved entry, and a file or a web link."""
    web_link = Q(kind=Evidence.Kind.LINK) & (Q(url__istartswith="https://") | Q(url__istartswith="http://"))
    return Evidence.objects.filter(
        Q(kind=Evidence.Kind.FILE) | web_link,
        is_public=True,
        answer__innovation__status=Innovation.Status.APPROVED,
    )


def showcase(request):
    search = ShowcaseFilter(request.GET or None, queryset=showcased().defer("design", "development_note"))
    page = Paginator(search.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/showcase_list.html", {"filter": search, "page": page})


def showcase_detail(request, pk):
    innovation = get_object_or_404(showcased().select_related("cycle__edition"), pk=pk)
    edition, answers = gather_answers(innovation)
    verified = kematangan(
        edition, InnovationInput(key=str(innovation.pk), name=innovation.name, answers=answers), verified=True
    )
    evidence = (
        public_evidence()
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
        public_evidence().filter(kind=Evidence.Kind.FILE, answer__innovation_id=pk), pk=evidence_pk
    )
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    inline = item.content_type in INLINE_TYPES
    known = inline or item.content_type in DOWNLOAD_TYPES
    response = FileResponse(
        handle,
        content_type=item.content_type if known else "application/octet-stream",
        as_attachment=not inline or request.GET.get("download") == "1",
        filename=item.original_name or None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
    )
    return response
