"""The one country-code picker of every phone form: "+44 United Kingdom", +1 first."""

from __future__ import annotations

from functools import lru_cache

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

# Regions libphonenumber's English locale data has no name for.
_MISSING_NAMES = {"AC": "Ascension Island", "XK": "Kosovo"}


def _english_name(names: dict) -> str:
    """The English name; the data stores repeats as ``*xx``, meaning "as language xx"."""
    name = names.get("en") or ""
    seen = set()
    while name.startswith("*") and name not in seen:
        seen.add(name)
        name = names.get(name[1:]) or ""
    return name


@lru_cache(maxsize=1)
def country_code_choices() -> list[SelectChoice]:
    """Every country calling code phonenumbers knows, named by its main country."""
    # Imported here: the locale data is large, and start-up should not pay for a
    # page nobody has opened yet.
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
    from phonenumbers.geodata.locale import LOCALE_DATA

    choices = []
    for code, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        # "001" is non-geographic numbering (toll-free, satellite): no country to show.
        geographic = [r for r in regions if r != "001"]
        if not geographic:
            continue
        main = geographic[0]
        name = _english_name(LOCALE_DATA.get(main, {})) or _MISSING_NAMES.get(main, main)
        shown = "United States, Canada" if code == 1 else name
        choices.append(SelectChoice(f"+{code}", f"+{code} {shown}"))
    return choices


def country_code_field() -> SelectField:
    """The "Country code" select, defaulting to +1."""
    return SelectField("Country code", choices=country_code_choices, default="+1")
