from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from agencies.models import TOP_KINDS, Agency, Role, User


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "parent"]

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

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "kind" in self.changed_data and self.instance.children.exists():
            self.add_error("kind", _("This agency has sub-agencies; move them before changing its kind."))
        return cleaned


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns code,name,kind,parent_code; UTF-8, separated by commas or semicolons."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
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
