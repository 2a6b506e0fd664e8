"""The English catalogue is complete, not fuzzy, and compiled (the .mo matches the .po)."""

import gettext
import json
import re
from pathlib import Path

import siaga

LC_MESSAGES = Path(siaga.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> list[str]:
    return (LC_MESSAGES / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]


def test_every_message_has_an_english_translation():
    untranslated = [
        entry
        for entry in po_entries()
        if re.search(r'^msgstr(\[\d\])? ""\n(?!")', entry + "\n", re.M)
        or "#, fuzzy" in entry
        or re.search(r"^#,.*\bfuzzy\b", entry, re.M)
    ]

    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    with (LC_MESSAGES / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    assert compiled.gettext("Masa tenang dan distribusi logistik") == (
        "Quiet period and logistics distribution"
    )
    pairs = [
        (context and json.loads(context.group(1)), json.loads(m.group(1)), json.loads(m.group(2)))
        for entry in po_entries()
        if (m := re.search(r'^msgid (".+")\nmsgstr (".+")$', entry, re.M))
        for context in [re.search(r'^msgctxt (".+")$', entry, re.M)]
    ]
    assert len(pairs) > 100
    assert any(context for context, _, _ in pairs)  # entries with a context are checked too
    stale = [
        (msgid, msgstr)
        for context, msgid, msgstr in pairs
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], "run: cd siaga && ../.venv/bin/django-admin compilemessages"
