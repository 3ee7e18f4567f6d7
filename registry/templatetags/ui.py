from django import template
from django.utils.html import format_html, format_html_join

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


def _options(choices, selected: set[str]):
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an option group
            yield format_html('<optgroup label="{}">{}</optgroup>', value, _joined(label, selected))
        else:
            value = "" if value is None else str(value)
            yield format_html(
                '<option value="{}"{}>{}</option>', value, " selected" if value in selected else "", label
            )


def _joined(choices, selected):
    return format_html_join("", "{}", ((option,) for option in _options(choices, selected)))


@register.filter
def filter_select(bound_field):
    """A filter form's single-choice select, written directly rather than through widget templates.

    Filter forms sit on the busiest list pages; rendering their options through the form
    renderer's per-option templates was most of the review queue's time.
    """
    widget = bound_field.field.widget
    if getattr(widget, "allow_multiple_selected", False):
        return _with_class(bound_field, "form-select")
    formatted = widget.format_value(bound_field.value())
    selected = {str(value) for value in formatted} if isinstance(formatted, list) else {str(formatted)}
    css = "form-select is-invalid" if bound_field.errors else "form-select"
    return format_html(
        '<select name="{}" id="{}" class="{}">{}</select>',
        bound_field.html_name,
        bound_field.auto_id,
        css,
        _joined(widget.choices, selected),
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
        '<input type="{}" name="{}" id="{}" class="{}"{}>',
        widget.input_type,
        bound_field.html_name,
        bound_field.auto_id,
        css,
        format_html(' value="{}"', value) if value not in (None, "") else "",
    )
