"""Benchmark: the entry pages and an autosave request of an entry with 20 indicators filled.

Target (issue 5): query counts that do not grow with the number of filled indicators, and an
autosave under 50 ms (median) on SQLite. Run: `.venv/bin/python bench/submission_form.py`.
"""

from _setup import demo_cycle, start_django, timed

REPEATS = 30


def fill(entry, admin, rows: int):
    from registry.entries import answers_for
    from registry.models import Evidence

    indicators = list(entry.cycle.edition.indicators.filter(part="SID").order_by("position"))[:rows]
    answers = answers_for(entry, indicators)
    for indicator in indicators:
        answer = answers[indicator.pk]
        option = indicator.options.order_by("-level").first()
        answer.option_group, answer.level = option.group, option.level
        answer.save()
        Evidence.objects.create(
            answer=answer, kind="link", url=f"https://example.org/{indicator.code}", created_by=admin
        )


def requests_for(client, entry):
    """(label, call) for each request measured on one entry."""
    from django.urls import reverse

    from registry.models import Answer

    detail_url = reverse("entry_detail", args=[entry.pk])
    profile_url = reverse("entry_profile", args=[entry.pk])
    answer_url = reverse("entry_indicator", args=[entry.pk, "SID-16"])
    state = {"version": entry.version}

    def autosave_profile():
        response = client.post(
            profile_url,
            {"version": state["version"], "name": entry.name, "stage": "penerapan", "goals": "Tujuan"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.status_code
        state["version"] += 1

    def autosave_answer():
        version = Answer.objects.values_list("version", flat=True).get(
            innovation=entry, indicator__code="SID-16"
        )
        response = client.post(
            answer_url, {"version": version, "option": "3"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200, response.status_code

    return [
        ("GET entry overview (meter, kematangan)", lambda: client.get(detail_url)),
        ("GET profile form", lambda: client.get(profile_url)),
        ("GET indicator page", lambda: client.get(answer_url)),
        ("POST autosave profile (htmx)", autosave_profile),
        ("POST autosave answer (htmx)", autosave_answer),
    ]


def main():
    url = start_django()
    from django.test import Client

    from agencies.models import Agency, User
    from registry.entries import start_entry

    cycle, admin = demo_cycle()
    innovator = User.objects.get(email="inovator.dinkes@parepare.demo")
    client = Client()
    client.force_login(innovator)
    print(f"database: {url.split('://')[0]}")
    print(f"{'filled rows':>12} {'request':<40} {'median ms':>10} {'queries':>8}")
    for rows, code in ((1, "PD-DINKES"), (20, "PD-DIKBUD")):
        agency = Agency.objects.get(code=code)
        innovator.agencies.add(agency)
        entry = start_entry(agency=agency, cycle=cycle, by=innovator, name=f"Inovasi {code}")
        fill(entry, admin, rows)
        for label, call in requests_for(client, entry):
            median, queries = timed(call, REPEATS)
            print(f"{rows:>12} {label:<40} {median * 1000:>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
