from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agencies.widgets import ChoiceChecklist, DayField, FilePicker
from registry.entries import design_min_words, urusan_choices
from registry.evidence_checks import (
    EvidenceRejected,
    accept_attribute,
    check_document_date,
    check_link,
    check_upload,
    describe_kinds,
)
from registry.models import Cycle, Innovation
from registry.uploads import client_size_limits
from scoring.models import Edition


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = Cycle.SETTINGS
        # Typed as dd/mm/yyyy whatever the browser's language (agencies/widgets.py).
        field_classes = {
            "submission_opens": DayField,
            "submission_closes": DayField,
            "review_opens": DayField,
            "review_closes": DayField,
        }

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.region = region
        # National editions and the region's own uploads; another region's are not offered (nor accepted).
        self.fields["edition"].queryset = (
            Edition.objects.for_region(region.pk).defer("source_text").order_by("-year", "-version")
        )
        # Left empty, the limit stays what it is (1 for a new cycle).
        self.fields["entries_per_agency"].required = False

    def clean_entries_per_agency(self):
        ceiling = self.cleaned_data.get("entries_per_agency")
        return self.instance.entries_per_agency if ceiling is None else ceiling

    def clean(self):
        cleaned = super().clean()
        year, edition = cleaned.get("year"), cleaned.get("edition")
        # Kemendagri publishes a year's catalogue during that year: until then a cycle runs on an earlier one.
        if year and edition and edition.year > year:
            self.add_error(
                "edition", _("Choose a catalogue edition of %(year)s or an earlier year.") % {"year": year}
            )
        elif edition and self.instance.pk:
            problem = self.instance.edition_change_problem(edition)
            if problem:
                self.add_error("edition", problem)
        if (
            year
            and Cycle.objects.filter(region=self.instance.region, year=year)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("year", _("A cycle for %(year)s already exists.") % {"year": year})
        ceiling = cleaned.get("entries_per_agency")
        if ceiling and edition and not self.has_error("edition"):
            problem = self.instance.entries_per_agency_problem(ceiling, edition)
            if problem:
                self.add_error("entries_per_agency", problem)
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

    @transaction.atomic
    def save(self, commit=True):
        """Save the cycle; a changed edition takes the cycle's answers along (`Cycle.switch_edition`).

        Raises EditionChangeRefused when an entry arrived since the form was checked.
        """
        cycle = super().save(commit=False)
        if cycle.pk and "edition" in self.changed_data:
            cycle.switch_edition(cycle.edition)
        cycle.save()
        return cycle


class StartEntryForm(forms.Form):
    name = forms.CharField(label=_("Innovation name"), max_length=255)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=Innovation.Stage.choices, initial=Innovation.Stage.PENERAPAN
    )


# Catalogue profile field -> Innovation field whose choices it gives.
CATALOGUE_CHOICE_FIELDS = {
    "inisiator": "initiator",
    "jenis": "digital_kind",
    "bentuk": "form_kind",
    "tematik": "thematic",
}


def _not_in_future(value, today):
    if value and value > today:
        raise forms.ValidationError(
            _("The date %(date)s is in the future.") % {"date": value.strftime("%d-%m-%Y")}
        )
    return value


class ProfileForm(forms.Form):
    """The innovation profile. Every field may stay empty in a draft; submitting checks completeness."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Innovation name"), max_length=255)
    stage = forms.ChoiceField(label=_("Stage"), choices=Innovation.Stage.choices)
    initiator = forms.ChoiceField(label=_("Initiator"), required=False)
    initiator_name = forms.CharField(label=_("Initiator's name"), max_length=200, required=False)
    digital_kind = forms.ChoiceField(label=_("Digital or not"), required=False)
    form_kind = forms.ChoiceField(label=_("Form of innovation"), required=False)
    thematic = forms.ChoiceField(label=_("Theme"), required=False)
    urusan = forms.ChoiceField(label=_("Main government affair (urusan)"), required=False)
    related_urusan = forms.MultipleChoiceField(
        label=_("Related government affairs"),
        required=False,
        widget=ChoiceChecklist(
            search_label=_("Search the government affairs"),
            search_placeholder=_("Search, e.g. kesehatan"),
        ),
        help_text=_("Optional. Tick every other affair the innovation serves."),
    )
    trial_date = DayField(label=_("Trial date"), required=False)
    implementation_date = DayField(label=_("Implementation date"), required=False)
    has_development = forms.BooleanField(
        label=_("The innovation has developed since it was implemented"), required=False
    )
    development_note = forms.CharField(
        label=_("How it has developed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    design = forms.CharField(
        label=_("Design (rancang bangun)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        # Its word minimum is the catalogue edition's (set in __init__).
        help_text=_(
            "Legal basis, problem, strategic issue, method of renewal, advantages and novelty, how it works."
        ),
    )
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    benefits = forms.CharField(label=_("Benefits"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    results = forms.CharField(label=_("Results"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, edition, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        empty = [("", _("— choose —"))]
        for profile_field in edition.profile_fields:
            target = CATALOGUE_CHOICE_FIELDS.get(profile_field.name)
            if target and profile_field.values:
                self.fields[target].choices = empty + [(value, value) for value in profile_field.values]
        groups = urusan_choices()
        self.fields["urusan"].choices = empty + groups
        self.fields["related_urusan"].choices = groups
        minimum = design_min_words(edition)
        if minimum:
            self.fields["design"].help_text = _(
                "At least %(minimum)s words: legal basis, problem, strategic issue, method of renewal, advantages and novelty, how it works."
            ) % {"minimum": minimum}

    def clean_trial_date(self):
        return _not_in_future(self.cleaned_data.get("trial_date"), self.today)

    def clean_implementation_date(self):
        return _not_in_future(self.cleaned_data.get("implementation_date"), self.today)

    def clean(self):
        cleaned = super().clean()
        trial, implemented = cleaned.get("trial_date"), cleaned.get("implementation_date")
        if trial and implemented and trial > implemented:
            self.add_error("trial_date", _("The trial cannot come after the implementation."))
        return cleaned

    def valid_values(self) -> dict:
        """The fields that passed validation: a draft keeps them even when another field has an error."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and name not in self.errors
        }


def option_value(group: str, level: int | None) -> str:
    if level is None:
        return ""
    return f"{group}:{level}" if group else str(level)


class AnswerForm(forms.Form):
    """The option chosen for one indicator; with option groups the value is 'group:level'."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    option = forms.ChoiceField(label=_("Your answer"), required=False)

    def __init__(self, *args, indicator, options, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not chosen yet —"))]
        grouped: dict[str, list] = {}
        for option in options:
            grouped.setdefault(option.group, []).append(
                (option_value(option.group, option.level), f"{option.level} · {option.label}")
            )
        for group, items in grouped.items():
            if group:
                choices.append((group.replace("_", " ").capitalize(), items))
            else:
                choices.extend(items)
        self.fields["option"].choices = choices

    def chosen(self) -> tuple[str, int | None]:
        value = self.cleaned_data.get("option") or ""
        if not value:
            return "", None
        group, _sep, level = value.rpartition(":")
        return group, int(level)


class EvidenceForm(forms.Form):
    """One evidence item: a file or a link, with the document's number, date and subject.

    The document fields come first, also in the request the browser sends: an upload stopped for its size
    (registry/uploads.py) leaves the fields before the file, so the form comes back with them filled.
    """

    document_number = forms.CharField(label=_("Document number"), max_length=150, required=False)
    document_date = DayField(label=_("Document date"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=255, required=False)
    file = forms.FileField(label=_("File"), required=False, widget=FilePicker)
    url = forms.CharField(label=_("Or a link"), required=False, max_length=500)

    def __init__(self, *args, kinds, today, stopped_upload=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds, self.today = list(kinds), today
        self.stopped_upload = stopped_upload
        self.fields["file"].help_text = describe_kinds(self.kinds)
        # The picker offers only what is accepted; a photo can come straight from the camera (inputs.js makes it
        # smaller before it is sent).
        self.fields["file"].widget = FilePicker(
            attrs={"accept": accept_attribute(self.kinds) or False},
            camera="image" in self.kinds or "screenshot" in self.kinds,
        )
        # registri.js refuses a file over the limit before sending it, with the message the server would give.
        self.fields["file"].widget.attrs["data-size-limits"] = client_size_limits()
        if "link" not in self.kinds:
            del self.fields["url"]
        if "metadata" in self.kinds:
            for name in ("document_number", "document_date", "subject"):
                self.fields[name].required = True

    def clean_document_date(self):
        value = self.cleaned_data.get("document_date")
        try:
            check_document_date(value, today=self.today)
        except EvidenceRejected as rejected:
            raise forms.ValidationError(str(rejected)) from rejected
        return value

    def clean(self):
        cleaned = super().clean()
        if self.stopped_upload is not None:
            self.add_error("file", self.stopped_upload.message())
            return cleaned
        upload, url = cleaned.get("file"), (cleaned.get("url") or "").strip()
        if upload and url:
            raise forms.ValidationError(_("Add either a file or a link, not both at once."))
        if not upload and not url:
            raise forms.ValidationError(
                _("Choose a file to upload or paste a link.")
                if "url" in self.fields
                else _("Choose a file to upload.")
            )
        try:
            if upload:
                cleaned["checked"] = check_upload(upload, self.kinds)
            else:
                cleaned["url"] = check_link(url, self.kinds)
        except EvidenceRejected as rejected:
            self.add_error("file" if upload else "url", str(rejected))
        return cleaned


class AttachmentForm(forms.Form):
    """A PDF of the profile (the budget, the business profile) to store, or the stored one to remove."""

    remove = forms.BooleanField(required=False)
    # An empty file is refused by check_upload, with its own words.
    file = forms.FileField(required=False, allow_empty_file=True)

    def __init__(self, *args, stopped_upload=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopped_upload = stopped_upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove"):
            return cleaned
        if self.stopped_upload is not None:
            raise forms.ValidationError(self.stopped_upload.message())
        upload = cleaned.get("file")
        if not upload:
            raise forms.ValidationError(_("Choose a PDF file to upload."))
        try:
            cleaned["checked"] = check_upload(upload, ["pdf"])
        except EvidenceRejected as rejected:
            raise forms.ValidationError(str(rejected)) from rejected
        return cleaned
