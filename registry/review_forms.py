"""The forms of Bappeda's review pages: assigning entries, and the verdicts on one row and on its evidence items.

They check that what was sent is one of the choices the page offers. The rules of a verdict (every item judged
before the row, a note for Tidak Sesuai, the supported level not above the chosen one) are the workflow's
(`workflow.record_verdict`, `workflow.record_evidence_verdict`), which every way of judging goes through.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from registry.models import Answer, Evidence, Innovation


class TickedIds(forms.Field):
    """The numbers of the ticked rows (checkboxes sharing one name); whatever is not a number is left out."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [int(item) for item in value or () if str(item).isdigit()]


class ReviewAssignForm(forms.Form):
    """Assign the ticked entries of the queue to one of the region's reviewers, or to nobody (left empty).

    A reviewer who is not the region's (or no longer active) is no choice: the view answers 404, as for any
    object of another region.
    """

    reviewer = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    entries = TickedIds(required=False)
    # The queue's filter, to go back to the same list.
    query = forms.CharField(required=False, strip=False)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["reviewer"].queryset = User.objects.reviewers_of(region)

    def save(self) -> int:
        """Assign the region's entries among those ticked (another region's are left out); how many were."""
        return Innovation.objects.filter(
            pk__in=self.cleaned_data["entries"], cycle__region=self.region
        ).update(assigned_reviewer=self.cleaned_data["reviewer"])


class RowVerdictForm(forms.Form):
    """The verdict on one row: Sesuai, or Tidak Sesuai with the level the evidence supports and why.

    Left empty, the row's verdict is not changed: the reviewer may save the items' verdicts alone.
    """

    verdict = forms.ChoiceField(
        required=False,
        choices=[choice for choice in Answer.Verdict.choices if choice[0]],
        error_messages={"invalid_choice": _("Choose Sesuai or Tidak Sesuai.")},
    )
    level = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    note = forms.CharField(required=False)

    def __init__(self, *args, chosen_level: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        # The "Supported level" menu: from 0 to the level the filler chose.
        top = chosen_level or 0
        self.fields["level"].choices = [(level, level) for level in range(top + 1)]
        self.fields["level"].error_messages["invalid_choice"] = _(
            "Choose the level the evidence supports: from 0 to the chosen level %(level)s."
        ) % {"level": top}


def item_field(item: Evidence) -> str:
    return f"item-{item.pk}"


def item_note_field(item: Evidence) -> str:
    return f"item-note-{item.pk}"


class EvidenceReviewsForm(forms.Form):
    """The verdicts on the evidence items of one row: per item, `item-<pk>` (Sesuai or Tidak Sesuai) and
    `item-note-<pk>` (why), the names the review page sends.

    Only the row's own items are fields: a verdict sent for another item (another row's, another entry's) is
    no field of this form and is left alone. An item sent without a verdict keeps the one it has.
    """

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[item_field(item)] = forms.ChoiceField(
                required=False,
                choices=[
                    choice for choice in Evidence.Review.choices if choice[0] != Evidence.Review.PENDING
                ],
                error_messages={"invalid_choice": _("Choose Sesuai or Tidak Sesuai.")},
            )
            self.fields[item_note_field(item)] = forms.CharField(required=False)

    def sent(self, item: Evidence) -> tuple[str, str] | None:
        """The verdict and note sent for the item, or None when it was sent none (or none of the choices)."""
        review = self.cleaned_data.get(item_field(item))
        if not review:
            return None
        return review, self.cleaned_data.get(item_note_field(item), "")

    def changed(self) -> list[tuple[Evidence, str, str]]:
        """(item, verdict, note) for each item sent a verdict or a note other than the one it has."""
        changes = []
        for item in self.items:
            sent = self.sent(item)
            if sent and sent != (item.review, item.review_note):
                changes.append((item, *sent))
        return changes
