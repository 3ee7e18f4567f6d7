from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import Cycle
from scoring.models import Edition


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["year", "edition", "submission_opens", "submission_closes", "review_opens", "review_closes"]
        widgets = {
            "submission_opens": DateInput(),
            "submission_closes": DateInput(),
            "review_opens": DateInput(),
            "review_closes": DateInput(),
        }

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.region = region
        self.fields["edition"].queryset = Edition.objects.order_by("-year", "-version")

    def clean(self):
        cleaned = super().clean()
        year, edition = cleaned.get("year"), cleaned.get("edition")
        if year and edition and edition.year != year:
            self.add_error("edition", _("Choose a catalogue edition of %(year)s.") % {"year": year})
        if (
            year
            and Cycle.objects.filter(region=self.instance.region, year=year)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("year", _("A cycle for %(year)s already exists.") % {"year": year})
        opens, closes = cleaned.get("submission_opens"), cleaned.get("submission_closes")
        review_opens, review_closes = cleaned.get("review_opens"), cleaned.get("review_closes")
        if opens and closes and opens > closes:
            self.add_error("submission_closes", _("Submissions cannot close before they open."))
        if review_opens and review_closes and review_opens > review_closes:
            self.add_error("review_closes", _("Review cannot close before it opens."))
        if opens and review_opens and review_opens < opens:
            self.add_error("review_opens", _("Review cannot open before submissions open."))
        if closes and review_closes and review_closes < closes:
            self.add_error("review_closes", _("Review cannot close before submissions close."))
        return cleaned
