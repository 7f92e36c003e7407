"""Dutch and English wording for deadline results, shared by chat, PNG timeline and ICS.

Titles of the date and check keys come from rules.yaml (one place); this module adds the
words around them: dates written out, input field names for re-asks, and warning texts.
No locale settings are used.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from . import ruleset

LANGS = ("nl", "en")

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}

# Date keys in the order they happen in a typical gezinsmigrant's journey.
DATE_KEYS = (
    "mvv_collect_by",
    "enter_nl_by",
    "health_insurance_by",
    "termijn_start",
    "verlenging_earliest",
    "duo_warning_letter",
    "termijn_end",
    "loan_repayment_start",
    "permanent_residence_earliest",
    "naturalisation_earliest",
)
CHECK_KEYS = ("verlenging_hours_ground", "afschalen")

# Labels that are not rule titles.
EXTRA_LABELS = {
    "extended_end": {"nl": "Nieuw einde na verlenging (uiterlijk)",
                     "en": "New end after the extension (at most)"},
    "today": {"nl": "Vandaag", "en": "Today"},
    "term": {"nl": "Uw inburgeringstermijn", "en": "Your integration term"},
    "extension_window": {"nl": "Verlenging mogelijk", "en": "Extension possible"},
    "estimate_note": {
        "nl": "Dit is een schatting. De datum in de brief van DUO of in Mijn Inburgering geldt altijd.",
        "en": "This is an estimate. The date in the DUO letter or in Mijn Inburgering always wins.",
    },
}

FIELD_LABELS = {
    "today": {"nl": "datum van vandaag", "en": "today's date"},
    "plicht_start": {"nl": "datum waarop u uw verblijfspas ophaalde",
                     "en": "date you collected your residence card"},
    "pip_date": {"nl": "datum van uw PIP", "en": "date of your PIP"},
    "route": {"nl": "leerroute", "en": "learning route"},
    "hours_bow": {"nl": "aantal uren les bij een school met het keurmerk Blik op Werk",
                  "en": "number of lesson hours at a Blik op Werk school"},
    "hours_bow_online": {"nl": "aantal uren online les", "en": "number of online lesson hours"},
    "exams_passed": {"nl": "aantal gehaalde examens", "en": "number of exams passed"},
    "mvv_decision_date": {"nl": "datum van het besluit van de IND over uw mvv",
                          "en": "date of the IND decision on your mvv"},
    "mvv_issue_date": {"nl": "datum waarop uw mvv is afgegeven", "en": "date your mvv was issued"},
    "arrival_date": {"nl": "datum van aankomst in Nederland",
                     "en": "date you arrived in the Netherlands"},
    "partner_dutch": {"nl": "of uw partner de Nederlandse nationaliteit heeft",
                      "en": "whether your partner has Dutch nationality"},
    "relationship_start": {"nl": "startdatum van uw huwelijk, partnerschap of samenwonen",
                           "en": "start date of your marriage, partnership or living together"},
    "residence_start": {"nl": "startdatum van uw verblijf in Nederland",
                        "en": "start date of your stay in the Netherlands"},
    "klaar_date": {"nl": "datum waarop u klaar was met inburgeren",
                   "en": "date you finished inburgering"},
}

# Warning texts. Placeholders are rule parameters (read from rules.yaml) or result values.
WARNINGS = {
    "estimate": {
        "nl": "Deze data zijn een schatting. De datum in de brief van DUO of in Mijn Inburgering geldt altijd.",
        "en": "These dates are estimates. The date in the DUO letter or in Mijn Inburgering always wins.",
    },
    "wi2013": {
        "nl": "Uw inburgeringsplicht begon vóór 1 januari 2022. Dan geldt waarschijnlijk de Wet inburgering 2013, "
              "met andere termijnen. Vraag uw data aan DUO of kijk in Mijn Inburgering.",
        "en": "Your integration duty started before 1 January 2022, so the Wet inburgering 2013 probably applies, "
              "with different dates. Ask DUO for your dates or look in Mijn Inburgering.",
    },
    "law_border_case": {
        "nl": "Uw plicht begon rond 1 januari 2022. Vraag de helpdesk van DUO welke wet voor u geldt.",
        "en": "Your duty started close to 1 January 2022. Ask the DUO helpdesk which law applies to you.",
    },
    "pip_before_wi2021": {
        "nl": "Een PIP bestaat pas sinds 1 januari 2022. Kijk nog eens naar de datum op uw PIP.",
        "en": "A PIP exists only since 1 January 2022. Please check the date on your PIP.",
    },
    "pip_in_future": {
        "nl": "De datum van uw PIP ligt in de toekomst. Klopt die datum?",
        "en": "The date of your PIP is in the future. Is that date right?",
    },
    "plicht_start_in_future": {
        "nl": "De startdatum van uw plicht ligt in de toekomst. Klopt die datum?",
        "en": "The start date of your duty is in the future. Is that date right?",
    },
    "leap_day": {
        "nl": "Uw PIP-datum ligt vlak bij 29 februari. De einddatum kan 1 dag anders zijn. "
              "Kijk in Mijn Inburgering en plan niets op de laatste 2 dagen.",
        "en": "Your PIP date is close to 29 February, so the end date may differ by 1 day. "
              "Check Mijn Inburgering and do not plan anything for the last 2 days.",
    },
    "termijn_passed": {
        "nl": "Volgens deze schatting is uw termijn voorbij. Kijk in Mijn Inburgering of neem contact op met DUO.",
        "en": "By this estimate your term has ended. Look in Mijn Inburgering or contact DUO.",
    },
    "verlenging_conditions": {
        "nl": "Verlenging om veel uren les gaat automatisch en is maximaal {verlenging_max_extension_months} maanden. "
              "Alleen uren bij een school met het keurmerk Blik op Werk tellen. "
              "DUO kan nog andere voorwaarden stellen.",
        "en": "Extra time for many lesson hours is given automatically, for at most "
              "{verlenging_max_extension_months} months. Only hours at a Blik op Werk school count. "
              "DUO may have further conditions.",
    },
    "afschalen_needs_approval": {
        "nl": "Afschalen mag alleen met toestemming van uw regievoerder bij de gemeente. Daarna wordt uw PIP aangepast.",
        "en": "Afschalen needs permission from your regievoerder at the gemeente; your PIP is then changed.",
    },
    "route_z": {
        "nl": "Afschalen hoort bij de B1-route. In de Z-route heeft u 800 uur les in de klas nodig "
              "bij een school met het keurmerk Blik op Werk.",
        "en": "Afschalen belongs to the B1-route. In the Z-route you need 800 hours of classroom lessons "
              "at a Blik op Werk school.",
    },
    "loan_trigger": {
        "nl": "De start van het terugbetalen is een schatting. DUO stuurt u een brief met de precieze datum.",
        "en": "The start of repayment is an estimate. DUO sends you a letter with the exact date.",
    },
    "mvv_sticker": {
        "nl": "De einddatum die op uw mvv-sticker staat, geldt altijd.",
        "en": "The end date printed on your mvv sticker always wins.",
    },
    "naturalisation_conditions": {
        "nl": "Voor naturalisatie heeft u meestal ook een inburgeringsdiploma nodig. "
              "Het plan om de termijn van 5 naar 10 jaar te verlengen geldt nog niet. "
              "Vraag de IND wat voor u geldt.",
        "en": "Naturalisation usually also needs an inburgeringsdiploma. "
              "The plan to raise 5 years to 10 years is not in force yet. "
              "Ask the IND what applies to you.",
    },
    "permanent_residence_conditions": {
        "nl": "Voor verblijf voor onbepaalde tijd heeft u ook een inburgeringsdiploma en genoeg inkomen nodig. "
              "Vraag de IND wat voor u geldt.",
        "en": "A permanent residence permit also needs an inburgeringsdiploma and enough income. "
              "Ask the IND what applies to you.",
    },
}


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


def format_date(d: date | str, lang: str) -> str:
    """`date(2027, 5, 12)` -> "12 mei 2027" (nl) / "12 May 2027" (en)."""
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return f"{d.day} {MONTHS[_lang(lang)][d.month - 1]} {d.year}"


def label(key: str, lang: str) -> str:
    """Label of a date/check key (from rules.yaml) or of an extra key such as `extended_end`."""
    lang = _lang(lang)
    if key in EXTRA_LABELS:
        return EXTRA_LABELS[key][lang]
    return ruleset.title(key, lang)


def field_label(field: str, lang: str) -> str:
    entry = FIELD_LABELS.get(field)
    return entry[_lang(lang)] if entry else field


def warning_text(code: str, lang: str, params: Mapping[str, Any] | None = None) -> str:
    return WARNINGS[code][_lang(lang)].format(**(params or {}))
