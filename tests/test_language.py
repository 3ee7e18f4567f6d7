import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_interface_speaks_indonesian_even_to_an_english_browser(client):
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response.headers["Content-Language"] == "id"
    assert "Masuk" in response.content.decode()


@pytest.mark.django_db
def test_interface_switches_to_english_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    response = client.get(reverse("login"))
    assert response.headers["Content-Language"] == "en"
    assert "Sign in" in response.content.decode()


def read_po(path):
    """(msgid, msgstr, is_plural, is_fuzzy) for every entry of a .po file but the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts, key = {}, None
        for line in block.splitlines():
            if line.startswith(("msgid", "msgstr")):
                key, value = line.split(" ", 1)
                parts[key] = value.strip('"')
            elif line.startswith('"') and key:
                parts[key] += line.strip('"')
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        if parts.get("msgid"):
            msgstr = parts.get("msgstr", parts.get("msgstr[0]", ""))
            entries.append((parts["msgid"], msgstr, "msgid_plural" in parts, fuzzy))
    return entries


def test_indonesian_catalogue_is_complete_and_compiled():
    import gettext
    from pathlib import Path

    folder = Path("locale/id/LC_MESSAGES")
    entries = read_po(folder / "django.po")
    assert len(entries) > 100
    assert [msgid for msgid, msgstr, _plural, fuzzy in entries if not msgstr or fuzzy] == []
    # The compiled catalogue is committed: it must hold what the .po says (run `make messages`).
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        msgid
        for msgid, msgstr, plural, _fuzzy in entries
        if not plural and "\\" not in msgid and catalogue.gettext(msgid) != msgstr and "\\" not in msgstr
    ]
    assert stale == []
