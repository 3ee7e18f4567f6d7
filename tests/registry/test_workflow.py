import pytest

from registry import workflow
from registry.models import Innovation, ReviewEvent

Status = Innovation.Status

# Each action: (function, who acts, extra keyword arguments).
ACTIONS = {
    "submit": (workflow.submit, "owner", {}),
    "start_review": (workflow.start_review, "reviewer", {}),
    "request_revision": (workflow.request_revision, "reviewer", {"note": "Lengkapi SK"}),
    "approve": (workflow.approve, "reviewer", {}),
    "reject": (workflow.reject, "reviewer", {"reason": "Bukan inovasi"}),
}
# The expected outcome of every (state, action) pair, written out from issue 6's workflow.
ALLOWED = {
    (Status.DRAFT, "submit"): Status.SUBMITTED,
    (Status.REVISION_REQUESTED, "submit"): Status.RESUBMITTED,
    (Status.SUBMITTED, "start_review"): Status.IN_REVIEW,
    (Status.RESUBMITTED, "start_review"): Status.IN_REVIEW,
    (Status.IN_REVIEW, "request_revision"): Status.REVISION_REQUESTED,
    (Status.IN_REVIEW, "approve"): Status.APPROVED,
    (Status.IN_REVIEW, "reject"): Status.REJECTED,
}


@pytest.mark.django_db
@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_state_and_action(entry, owner, reviewer, status, action):
    Innovation.objects.filter(pk=entry.pk).update(status=status)
    entry.refresh_from_db()
    function, actor, kwargs = ACTIONS[action]
    person = {"owner": owner, "reviewer": reviewer}[actor]
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(workflow.TransitionRefused):
            function(entry, by=person, **kwargs)
        assert ReviewEvent.objects.count() == 0
        assert Innovation.objects.get(pk=entry.pk).status == status
    else:
        function(entry, by=person, **kwargs)
        event = ReviewEvent.objects.get()
        assert (event.from_status, event.to_status, event.actor) == (status, expected, person)
        assert Innovation.objects.get(pk=entry.pk).status == expected


@pytest.mark.parametrize("status", Status.values)
def test_can_transition_roles_are_exclusive(status):
    for target in Status.values:
        innovator = workflow.can_transition(status, target, workflow.INNOVATOR)
        reviewer = workflow.can_transition(status, target, workflow.REVIEWER)
        assert not (innovator and reviewer)


@pytest.mark.django_db
def test_innovator_cannot_make_reviewer_moves_nor_reviewer_submit(entry, owner, reviewer):
    Innovation.objects.filter(pk=entry.pk).update(status=Status.IN_REVIEW)
    entry.refresh_from_db()
    with pytest.raises(workflow.TransitionRefused):
        workflow.approve(entry, by=owner)
    Innovation.objects.filter(pk=entry.pk).update(status=Status.DRAFT)
    entry.refresh_from_db()
    with pytest.raises(workflow.TransitionRefused):
        workflow.submit(entry, by=reviewer)


@pytest.mark.django_db
def test_stale_page_is_told_and_nothing_is_overwritten(entry, owner, reviewer):
    Innovation.objects.filter(pk=entry.pk).update(status=Status.IN_REVIEW)
    first, second = Innovation.objects.get(pk=entry.pk), Innovation.objects.get(pk=entry.pk)
    workflow.approve(first, by=reviewer)
    with pytest.raises(workflow.StaleStatus):
        workflow.reject(second, by=reviewer, reason="Terlambat")
    assert Innovation.objects.get(pk=entry.pk).status == Status.APPROVED
    assert ReviewEvent.objects.count() == 1


@pytest.mark.django_db
def test_revision_and_rejection_need_a_note(entry, reviewer):
    Innovation.objects.filter(pk=entry.pk).update(status=Status.IN_REVIEW)
    entry.refresh_from_db()
    with pytest.raises(workflow.TransitionRefused):
        workflow.request_revision(entry, by=reviewer, note=" ")
    with pytest.raises(workflow.TransitionRefused):
        workflow.reject(entry, by=reviewer, reason="")
    assert ReviewEvent.objects.count() == 0


def test_changes_since_lists_only_changed_rows():
    before = {
        "SID-16": {"level": 2, "group": "", "evidence": [[1, "sk.pdf", "1"]]},
        "SID-17": {"level": 1, "group": "", "evidence": []},
    }
    after = {
        "SID-16": {"level": 2, "group": "", "evidence": [[1, "sk.pdf", "1"]]},
        "SID-17": {"level": 2, "group": "", "evidence": []},
    }
    assert list(workflow.changes_since(before, after)) == ["SID-17"]
    assert workflow.changes_since(before, before) == {}


@pytest.mark.django_db
def test_review_events_cannot_be_changed_or_deleted_in_the_admin(entry, owner):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    event = ReviewEvent.objects.create(
        innovation=entry, actor=owner, from_status="draft", to_status="submitted"
    )
    superuser = type(owner).objects.create_superuser(email="root@example.org", password="x", full_name="Root")
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = site._registry[ReviewEvent]
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert not model_admin.has_add_permission(request)
