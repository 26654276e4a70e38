"""Languages by name: the EU authority table's language IRIs and ISO 639 codes, named in the
reader's language by Babel (its CLDR data).

Publishers point ``dct:language`` at the Publications Office's authority table
(``http://publications.europa.eu/resource/authority/language/DEU``), whose codes are ISO
639-3 (a few ISO 639-2/B too, e.g. ``GER``); CLDR names languages by ISO 639-1 where one
exists. The one table here maps the codes of the EU's official languages, the other
European ones and those common in public-sector catalogues; a code it lacks is tried as
it is (CLDR knows some three-letter codes, e.g. ``gsw``). No vocabulary file of languages
is loaded into the store, so pages, the statements table and the search facets all name
languages through :func:`language_name`.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

AUTHORITY = "http://publications.europa.eu/resource/authority/language/"

# ISO 639-3 (and the 639-2/B variants publishers also use) -> the code CLDR names it by
TO_CLDR: dict[str, str] = {
    # the EU's 24 official languages
    "BUL": "bg", "CES": "cs", "CZE": "cs", "DAN": "da", "DEU": "de", "GER": "de", "ELL": "el",
    "GRE": "el", "ENG": "en", "EST": "et", "FIN": "fi", "FRA": "fr", "FRE": "fr", "GLE": "ga",
    "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl",
    "DUT": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "RUM": "ro", "SLK": "sk", "SLO": "sk",
    "SLV": "sl", "SPA": "es", "SWE": "sv",
    # other European languages, regional ones included
    "CAT": "ca", "EUS": "eu", "BAQ": "eu", "GLG": "gl", "LTZ": "lb", "ISL": "is", "ICE": "is",
    "NOR": "no", "NOB": "nb", "NNO": "nn", "SQI": "sq", "ALB": "sq", "MKD": "mk", "MAC": "mk",
    "SRP": "sr", "BOS": "bs", "CNR": "cnr", "TUR": "tr", "UKR": "uk", "RUS": "ru", "BEL": "be",
    "CYM": "cy", "WEL": "cy", "GLA": "gd", "BRE": "br", "COS": "co", "FRY": "fy", "FAO": "fo",
    "KAL": "kl", "SME": "se", "RMY": "rmy", "ROH": "rm", "OCI": "oc", "SRD": "sc", "LAT": "la",
    "HYE": "hy", "ARM": "hy", "KAT": "ka", "GEO": "ka", "AZE": "az", "MOL": "ro", "YID": "yi",
    # other languages found in public-sector catalogues
    "ARA": "ar", "ZHO": "zh", "CHI": "zh", "JPN": "ja", "KOR": "ko", "HIN": "hi", "HEB": "he",
    "FAS": "fa", "PER": "fa", "URD": "ur", "VIE": "vi", "THA": "th", "IND": "id", "MSA": "ms",
    "SWA": "sw", "EPO": "eo",
    # the table's codes for no one language
    "MUL": "mul", "UND": "und", "ZXX": "zxx", "MIS": "mis",
}


def language_code(value: str) -> str | None:
    """The CLDR code of a language given as an EU authority IRI, an ISO 639-3/-2 code or an
    ISO 639-1 code / language tag (``de-AT`` -> ``de``); None for anything else (another
    IRI, an empty string).

    >>> language_code("http://publications.europa.eu/resource/authority/language/DEU")
    'de'
    >>> language_code("de-AT"), language_code("GER"), language_code("http://example.org/x")
    ('de', 'de', None)
    """
    code = value[len(AUTHORITY):] if value.startswith(AUTHORITY) else value
    if not code or "/" in code or ":" in code:
        return None
    primary = code.split("-", 1)[0].split("_", 1)[0]
    if not primary.isalpha():
        return None
    return TO_CLDR.get(primary.upper(), primary.lower())


@lru_cache(maxsize=4096)
def language_name(value: str, reader: str = "en") -> str | None:
    """The name of a language (see :func:`language_code` for what ``value`` may be) in the
    ``reader``'s language (a tag; English when Babel does not know it), first letter upper
    case as it heads a list item; None when the code names no language CLDR knows: the
    caller shows its own label then.

    >>> language_name("http://publications.europa.eu/resource/authority/language/DEU", "de")
    'Deutsch'
    >>> language_name("DEU", "fr"), language_name("en", "en"), language_name("XYZ")
    ('Allemand', 'English', None)
    """
    code = language_code(value)
    if code is None:
        return None
    name = _locale(reader).languages.get(code) or _locale("en").languages.get(code)
    return name[:1].upper() + name[1:] if name else None


@lru_cache(maxsize=64)
def _locale(reader: str) -> Locale:
    """Babel's locale for a reader's language tag, English when it does not know it."""
    try:
        return Locale.parse((reader or "en").split("-", 1)[0].split("_", 1)[0].lower())
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")
