from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.widgets import FilePicker

MAX_CATALOGUE_BYTES = 1024 * 1024


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file (YAML)"),
        help_text=_("The whole edition file, in the format of scoring/data/catalogue-2024.yaml."),
        widget=FilePicker(attrs={"accept": ".yaml,.yml"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CATALOGUE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 1 MB; a catalogue file is a few tens of kB.")
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from error
