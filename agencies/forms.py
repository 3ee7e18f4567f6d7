from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from agencies.models import TOP_KINDS, Agency, Region, Role, User
from agencies.widgets import FilePicker


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "parent", "head_name", "contact_email", "contact_phone"]

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.region = region
        parents = Agency.objects.filter(region=region, kind__in=TOP_KINDS).order_by("kind", "name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False
        self.fields["parent"].help_text = _(
            "Required for a UPTD (its perangkat daerah) and a kelurahan (its kecamatan)."
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        duplicates = Agency.objects.filter(region=self.instance.region, code=code).exclude(
            pk=self.instance.pk
        )
        if duplicates.exists():
            raise forms.ValidationError(_("Another agency already uses the code %(code)s.") % {"code": code})
        return code

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "kind" in self.changed_data and self.instance.children.exists():
            self.add_error("kind", _("This agency has sub-agencies; move them before changing its kind."))
        return cleaned


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns code,name,kind,parent_code, and optionally head_name,contact_email,contact_phone; "
            "UTF-8, separated by commas or semicolons."
        ),
        widget=FilePicker(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.AGENCY_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class PersonForm(forms.ModelForm):
    """Invite a person or change one: their role and, for innovators, the agencies they work for."""

    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("An innovator acts only for these agencies."),
    )

    class Meta:
        model = User
        fields = ["email", "full_name", "nip", "phone", "role", "agencies"]

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.region = region
        self.fields["agencies"].queryset = (
            Agency.objects.filter(region=region).active().order_by("kind", "name")
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This e-mail address is already registered."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.INNOVATOR and not cleaned.get("agencies"):
            self.add_error("agencies", _("Choose at least one agency for an innovator."))
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        if user._state.adding:
            user.set_unusable_password()
        if commit:
            user.save()
            # Memberships are kept only for innovators: reviewers and admins act region-wide.
            agencies = self.cleaned_data["agencies"] if user.role == Role.INNOVATOR else []
            user.agencies.set(agencies)
        return user


class RegionSetupForm(forms.Form):
    """A person outside every region joins one as its administrator, or creates it."""

    existing = forms.ModelChoiceField(
        label=_("Existing region"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("— create a new region —"),
    )
    code = forms.CharField(
        label=_("Kemendagri code"),
        max_length=20,
        required=False,
        help_text=_("For example 73.71 (a province: 73)."),
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("For example Kota Makassar.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Region.Kind.choices, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("existing"):
            return cleaned
        code, name, kind = (
            cleaned.get("code", "").strip(),
            cleaned.get("name", "").strip(),
            cleaned.get("kind"),
        )
        for field, value in (("code", code), ("name", name), ("kind", kind)):
            if not value:
                self.add_error(
                    field, _("Fill this in to create a new region, or choose an existing one above.")
                )
        if code and kind:
            problem = Region.code_problem(code, kind)
            if problem:
                self.add_error("code", problem)
            elif Region.objects.filter(code=code).exists():
                self.add_error("code", _("A region with this code exists: choose it above."))
        cleaned.update(code=code, name=name)
        return cleaned

    def save(self, person: User) -> Region:
        region = self.cleaned_data["existing"] or Region.objects.create(
            code=self.cleaned_data["code"], name=self.cleaned_data["name"], kind=self.cleaned_data["kind"]
        )
        person.region, person.role = region, Role.ADMIN
        person.save(update_fields=["region", "role"])
        return region
