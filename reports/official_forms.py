"""Forms of the *Hasil resmi* page: one year's official result, and the CSV upload."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import AgencyImportForm
from reports.models import OfficialResult


class OfficialResultForm(forms.ModelForm):
    """One year of the region's official results; the region is the administrator's, set by the view."""

    class Meta:
        model = OfficialResult
        fields = ["year", "claimed_iid", "validated_iid", "predicate", "innovation_count", "source", "note"]

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        for name in ("claimed_iid", "validated_iid"):
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Give a year between 2000 and 2100."))
        taken = OfficialResult.objects.filter(region=self.region, year=year).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This year already has an official result; edit that one."))
        return year

    def clean(self):
        cleaned = super().clean()
        names = ("claimed_iid", "validated_iid")
        for name in names:
            value = cleaned.get(name)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                self.add_error(name, _("An IID lies between 0 and 100."))
        if not any(self.has_error(name) for name in names) and all(
            cleaned.get(name) is None for name in names
        ):
            self.add_error(None, _("Give at least one IID: the self-assessed or the validated one."))
        return cleaned

    def _post_clean(self):
        self.instance.region = self.region
        super()._post_clean()


class OfficialImportForm(AgencyImportForm):
    """The same upload limits as the agency import, for the official results file."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Columns region_code,year,iid_claimed,iid_verified,predicate,innovations,rank_note,source; "
            "UTF-8, separated by commas or semicolons; a decimal comma is accepted."
        )
