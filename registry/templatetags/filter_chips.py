"""The active filters of a list page as chips: each names a filter and its value and links to the same list
without that filter (templates/includes/filter_form.html)."""

from django import template

register = template.Library()


def _labels(choices) -> dict[str, str]:
    """Value → label of a field's choices, option groups flattened."""
    labels = {}
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            labels.update(_labels(label))
        else:
            labels[str(value)] = str(label)
    return labels


@register.simple_tag(takes_context=True)
def active_filters(context, filterset) -> list[dict]:
    """One chip per filter of `filterset` that the query string gives a value: its label, the value as the
    form shows it (a choice's label), and the query string without it (and without the page number)."""
    request = context.get("request")
    if request is None or not filterset.is_bound:
        return []
    chips = []
    for field in filterset.form:
        values = [value for value in request.GET.getlist(field.html_name) if value.strip()]
        if not values:
            continue
        choices = getattr(field.field, "choices", None)
        if choices is not None:
            labels = _labels(choices)
            values = [labels.get(value, value) for value in values]
        query = request.GET.copy()
        query.pop(field.html_name, None)
        query.pop("page", None)
        chips.append({"name": field.label, "value": ", ".join(values), "query": query.urlencode()})
    return chips
