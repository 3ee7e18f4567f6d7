"""The engine's reasons as plain sentences in the interface language (issue 14).

`scoring.index` gives each row a `Reason` and the figures behind it, and a D4 shortfall as figures; it imports no
Django, so the wording lives here. Every explanation has two parts:

- `sentence`: what an innovator or a reviewer reads, a plain sentence without the method's notation;
- `method_help`: the method decision behind it (D1, D2, ...) and its formula, for those who want it. Pages show
  it only inside the one help-text markup of the app (`templates/includes/method_help.html`, class
  "method-help").
"""

from __future__ import annotations

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from scoring.index import Reason, RowResult, SpreadShortfall


def figure(value: Decimal | int) -> str:
    """A score or weight as the pages show it: up to 2 decimals, trailing zeros dropped, localized (1,5)."""
    return floatformat(value, "-2")


def sentence(row: RowResult) -> str:
    """Why the row scores what it scores, in one plain sentence."""
    values = {
        "score": figure(row.score),
        "level": row.level,
        "weight": figure(row.bobot),
        "supported": row.supported,
    }
    reason = row.reason
    if reason == Reason.NO_OPTION:
        return _("This row scores 0 because no option has been chosen yet.")
    if reason == Reason.NO_EVIDENCE:
        return _("This row scores 0 because it has no evidence yet.")
    if reason == Reason.WITH_EVIDENCE:
        return (
            _(
                "This row scores %(score)s: the chosen level %(level)s times the weight %(weight)s, with evidence."
            )
            % values
        )
    if reason == Reason.NOT_VERIFIED:
        return _("This row scores 0 in the verified score because it has not been verified yet.")
    if reason == Reason.SESUAI:
        return (
            _(
                "The verifier judged this row Sesuai: it scores %(score)s (the chosen level %(level)s times the "
                "weight %(weight)s)."
            )
            % values
        )
    if reason == Reason.TIDAK_SESUAI:
        if not row.supported:
            return _(
                "The verifier judged this row Tidak Sesuai: the evidence supports no level, so it scores 0."
            )
        if row.supported == row.level:
            return (
                _(
                    "The verifier judged this row Tidak Sesuai, but the evidence supports the chosen level "
                    "%(level)s: it scores %(score)s (level %(level)s times the weight %(weight)s)."
                )
                % values
            )
        return (
            _(
                "The verifier judged this row Tidak Sesuai: the evidence supports level %(supported)s, not the "
                "chosen level %(level)s, so it scores %(score)s (level %(supported)s times the weight %(weight)s)."
            )
            % values
        )
    raise ValueError(f"Unknown reason: {reason!r}")


def method_help(row: RowResult) -> str:
    """The method decision and formula behind the row's score, for the help text."""
    if row.reason == Reason.NO_OPTION:
        return _("How a row is scored: weight × chosen level; a row without a chosen option scores 0.")
    if row.reason == Reason.NO_EVIDENCE:
        return _(
            "Method decision D1: a row whose option is chosen but which has no evidence item (no file and no "
            "link) scores 0; the self-assessed score counts only rows with evidence."
        )
    if row.reason == Reason.WITH_EVIDENCE:
        return _(
            "How a row is scored: weight × chosen level (%(weight)s × %(level)s = %(score)s). Method decision "
            "D1: it counts because the row has evidence."
        ) % {"weight": figure(row.bobot), "level": row.level, "score": figure(row.score)}
    return _(
        "Method decision D2: in the verified score a row scores weight × chosen level when Sesuai, weight × "
        "the verifier's level when Tidak Sesuai, and 0 while it has no verdict yet."
    )


def spread_sentence(shortfall: SpreadShortfall) -> str:
    """D4's warning in plain words: how many basic-service urusan are covered, how many the year asks."""
    covered = len(shortfall.covered)
    values = {
        "covered": covered,
        "total": shortfall.total,
        "year": shortfall.year,
        "threshold": shortfall.threshold,
        "names": "; ".join(shortfall.covered),
    }
    if covered:
        text = (
            _(
                "The region's innovations cover %(covered)s of the %(total)s basic-service urusan (%(names)s); "
                "the %(year)s rules ask for at least %(threshold)s."
            )
            % values
        )
    else:
        text = (
            _(
                "The region's innovations cover none of the %(total)s basic-service urusan; the %(year)s rules "
                "ask for at least %(threshold)s."
            )
            % values
        )
    if shortfall.consequence:
        return text + " " + _("Consequence: %(consequence)s.") % {"consequence": shortfall.consequence}
    return text + " " + _("Its effect on the score is not known yet, so the score is not changed.")


def spread_help(shortfall: SpreadShortfall) -> str:
    return _(
        "Method decision D4: in %(year)s the spread rule produces a warning on the dashboard and in the reports "
        "and does not change the score; the edition holds the threshold and the penalty."
    ) % {"year": shortfall.year}
