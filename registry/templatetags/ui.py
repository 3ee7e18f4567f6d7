from html import escape

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from agencies.widgets import FilePicker

register = template.Library()


def _with_class(bound_field, css_class: str):
    classes = [css_class, bound_field.field.widget.attrs.get("class", "")]
    if bound_field.errors:
        classes.append("is-invalid")
    return bound_field.as_widget(attrs={"class": " ".join(c for c in classes if c)})


@register.filter
def add_class_control(bound_field):
    return _with_class(bound_field, "form-control")


@register.filter
def add_class_select(bound_field):
    return _with_class(bound_field, "form-select")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced: keeps filters across pages."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.filter
def attr_of(obj, name: str):
    """A named attribute of an object, for templates that loop over a fixed list of field names."""
    return getattr(obj, name)


def _options(choices, selected: set[str]) -> str:
    """The `<option>`s of a select, every value and label escaped (the urusan list has dozens)."""
    parts = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an option group
            parts.append(f'<optgroup label="{escape(str(value))}">{_options(label, selected)}</optgroup>')
        else:
            value = "" if value is None else str(value)
            chosen = " selected" if value in selected else ""
            parts.append(f'<option value="{escape(value)}"{chosen}>{escape(str(label))}</option>')
    return "".join(parts)


@register.filter
def filter_select(bound_field):
    """A filter form's single-choice select, written directly rather than through widget templates.

    Filter forms sit on the busiest list pages; rendering their options through the form
    renderer's per-option templates was most of the review queue's time.
    """
    widget = bound_field.field.widget
    value = bound_field.value()
    # A sort order of several fields (django-filter's CSV select) is shown as the text the user typed.
    several = isinstance(value, list) and len(value) > 1
    if getattr(widget, "allow_multiple_selected", False) or several:
        return _with_class(bound_field, "form-select")
    formatted = widget.format_value(value)
    selected = {str(value) for value in formatted} if isinstance(formatted, list) else {str(formatted)}
    css = "form-select is-invalid" if bound_field.errors else "form-select"
    return format_html(
        '<select name="{}" id="{}" class="{}">{}</select>',
        bound_field.html_name,
        bound_field.auto_id,
        css,
        mark_safe(_options(widget.choices, selected)),  # escaped in _options
    )


@register.filter
def filter_input(bound_field):
    """A filter form's text box, written directly like `filter_select`."""
    widget = bound_field.field.widget
    if getattr(widget, "input_type", None) not in ("text", "search", "number"):
        return _with_class(bound_field, "form-control")
    css = "form-control is-invalid" if bound_field.errors else "form-control"
    value = widget.format_value(bound_field.value())
    return format_html(
        '<input type="{}" name="{}" id="{}" class="{}"{}{}>',
        widget.input_type,
        bound_field.html_name,
        bound_field.auto_id,
        css,
        format_html(' value="{}"', value) if value not in (None, "") else "",
        flatatt(widget.attrs),  # the widget's own (a suggestion list, a placeholder), escaped
    )


@register.simple_tag
def file_picker(name: str, input_id: str, **attrs):
    """The file input of agencies/widgets.py `FilePicker` for a form written by hand (a profile document's upload):
    `accept`, `aria_label`, `data_size_limits`… become the input's attributes, underscores turned into dashes."""
    widget_attrs = {"id": input_id, "class": "form-control"}
    widget_attrs.update({key.replace("_", "-"): value for key, value in attrs.items()})
    return FilePicker(attrs=widget_attrs).render(name, None)
