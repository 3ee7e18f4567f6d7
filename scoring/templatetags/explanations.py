"""`{% load explanations %}`: a row result's plain sentence and its method help text (`scoring.explanations`).

<p>{{ result|explain }}</p>
{% include "includes/method_help.html" with text=result|row_help %}
"""

from django import template

from scoring import explanations
from scoring.index import RowResult

register = template.Library()


@register.filter
def explain(row: RowResult | None) -> str:
    return explanations.sentence(row) if row is not None else ""


@register.filter
def row_help(row: RowResult | None) -> str:
    return explanations.method_help(row) if row is not None else ""
