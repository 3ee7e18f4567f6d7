from django import template

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
