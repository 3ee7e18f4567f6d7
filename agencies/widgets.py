"""Form inputs that look and read the same on every phone, whatever language its browser speaks (issue 15).

- `FilePicker`: a file input whose button and "no file chosen" text are ours ("Pilih berkas", "Belum ada berkas
  dipilih") instead of the browser's English; with `camera=True` also an "Ambil foto" control that opens the
  phone's camera, and a choice to send a photo at full size (static/js/inputs.js makes photos smaller first).
- `DayInput` and `DayField`: a date typed as dd/mm/yyyy (the browser's own date input shows mm/dd/yyyy on an
  English phone); yyyy-mm-dd and eight digits are accepted too.
- `ChoiceChecklist`: checkboxes grouped like the choices, with a search box and a count of what is ticked,
  instead of a multiple select that cuts long names off and needs Ctrl-click.

Their templates live in templates/widgets/ and are rendered by the project's template engine: Django's form
renderer only looks inside apps. Without JavaScript every input still works as a plain one. They sit in agencies,
the lowest layer, so that every app's forms may use them.
"""

import re

from django import forms
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class _ProjectTemplate:
    def _render(self, template_name, context, renderer=None):
        return mark_safe(get_template(template_name).render(context))  # the template escapes what it shows


class FilePicker(_ProjectTemplate, forms.FileInput):
    """A visually hidden native file input behind a <label> styled as a button, and the chosen file's name.

    The native input keeps the focus and the keyboard (Space/Enter opens the picker); the label is bound to it.
    `camera=True` adds a second input with capture="environment" under the same name: the first one with a
    file is sent. static/js/inputs.js shows the name and size, and makes large photos smaller.
    """

    template_name = "widgets/file_picker.html"

    def __init__(self, attrs=None, *, camera=False):
        super().__init__(attrs)
        self.camera = camera

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["camera"] = self.camera
        input_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"]["id"] = input_id
        widget["ids"] = {
            "chosen": f"{input_id}-chosen",
            "camera": f"{input_id}-camera",
            "full": f"{input_id}-full",
        }
        described = [widget["attrs"].get("aria-describedby"), widget["ids"]["chosen"]]
        widget["attrs"]["aria-describedby"] = " ".join(part for part in described if part)
        widget["attrs"]["data-file-native"] = "main"
        return context


# What a date may be typed as: day first (the Indonesian order) with /, -, . or a space between, or ISO.
DATE_FORMAT = "%d/%m/%Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d"]
_EIGHT_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{4})$")


class DayInput(_ProjectTemplate, forms.DateInput):
    """A text box for a date in dd/mm/yyyy, with a numeric keyboard, a placeholder and the format spelled out.

    The browser's own date input would show its language's format (mm/dd/yyyy on an English phone).
    inputs.js adds the slashes while digits are typed and, where the browser has one, a calendar button.
    """

    input_type = "text"
    template_name = "widgets/day_input.html"

    def __init__(self, attrs=None):
        defaults = {
            "inputmode": "numeric",
            "autocomplete": "off",
            "placeholder": _("dd/mm/yyyy"),
            "maxlength": "10",
            "pattern": r"\d{1,2}[/.\- ]\d{1,2}[/.\- ]\d{4}|\d{4}-\d{1,2}-\d{1,2}|\d{8}",
            "data-day-input": "",
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format=DATE_FORMAT)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        input_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"]["id"] = input_id
        widget["hint_id"] = f"{input_id}-format"
        described = [widget["attrs"].get("aria-describedby"), widget["hint_id"]]
        widget["attrs"]["aria-describedby"] = " ".join(part for part in described if part)
        return context


class DayField(forms.DateField):
    """A date typed day first (17/08/2024), as an ISO date (2024-08-17), or as eight digits (17082024, what a
    phone's number pad without a slash gives). The error says which format is wanted, in the page's language."""

    widget = DayInput
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {
        "invalid": _("Write the date as dd/mm/yyyy, for example 17/08/2024."),
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = " ".join(value.split())
            digits = _EIGHT_DIGITS.match(value)
            if digits:
                value = "/".join(digits.groups())
        return super().to_python(value)


class ChoiceChecklist(_ProjectTemplate, forms.CheckboxSelectMultiple):
    """Checkboxes in the choices' groups, with a search box and a count of ticked choices (inputs.js).

    Without JavaScript every checkbox shows and the count is the one the page was loaded with.
    """

    template_name = "widgets/choice_checklist.html"

    def __init__(self, attrs=None, choices=(), *, search_label=None, search_placeholder=None):
        super().__init__(attrs, choices)
        self.search_label = search_label or _("Search")
        self.search_placeholder = search_placeholder or ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["id"] = widget["attrs"].get("id") or f"id_{name}"
        widget["chosen"] = [
            option["label"]
            for _group, options, _index in widget["optgroups"]
            for option in options
            if option["selected"]
        ]
        widget["search_label"] = self.search_label
        widget["search_placeholder"] = self.search_placeholder
        return context
