"""Municipal details in answers, filled in when an answer is sent: one trained model serves
every municipality in knowledge/municipalities/.

The knowledge files write ``{{ gemeente.naam }}``; knowledge/build.py turns that into the marker
``[[gemeente.naam]]`` in the generated Rasa responses (not Rasa's ``{slot}`` braces, and the
same for every municipality, so the generated files and the model do not depend on one). The
engine's NLG (bot/addons/nlg.py) and actions fill the markers for the conversation's
municipality (the ``municipality`` slot) with :func:`fill`, and send a municipality's own
answer of a topic (``overrides``) instead of the national one with :func:`override_answer`.
Everything is read once per process and cached per municipality and language.
"""

from __future__ import annotations

import functools
import re

from knowledge import loader

_MARKER = re.compile(r"\[\[gemeente\.([a-z_]+)\]\]")
MARKER_START = "[[gemeente."


def marker(name: str) -> str:
    return f"{MARKER_START}{name}]]"


def marker_context() -> dict[str, dict[str, str]]:
    """The Jinja context knowledge/build.py renders with: every placeholder becomes its marker."""
    return {"gemeente": {name: marker(name) for name in loader.PLACEHOLDER_NAMES}}


def resolve(municipality_id: str | None) -> loader.Municipality:
    """The conversation's municipality; the deployment default (WEGWIJS_MUNICIPALITY, then
    voorbeeldstad) when it is unknown or not (yet) set."""
    known = loader.municipalities()
    found = known.get(municipality_id) if municipality_id else None
    if found is None:
        found = known.get(loader.municipality_name()) or known.get(loader.DEFAULT_MUNICIPALITY)
    if found is None:  # only when the default file is missing: the validator reports that
        found = next(iter(known.values()))
    return found


@functools.lru_cache(maxsize=None)
def values(municipality_id: str, lang: str) -> dict[str, str]:
    """The marker values of one (known) municipality in one language."""
    return dict(loader.load_municipality(municipality_id).template_context(lang)["gemeente"])


def fill(text: str, municipality_id: str | None, lang: str | None) -> str:
    """`text` with every ``[[gemeente.*]]`` marker replaced by the municipality's value."""
    if MARKER_START not in text:
        return text
    filled = values(resolve(municipality_id).id, lang or loader.SOURCE_LANGUAGE)
    return _MARKER.sub(lambda m: filled.get(m.group(1), m.group(0)), text)


@functools.lru_cache(maxsize=None)
def override_answer(municipality_id: str, topic: str, lang: str) -> str | None:
    """The whole answer text (with markers) of a municipality that overrides `topic` in `lang`,
    or None: the national answer stays."""
    municipality = loader.municipalities().get(municipality_id)
    if municipality is None or topic not in municipality.overrides:
        return None
    if not (municipality.override(topic, "answer", lang) or municipality.override(topic, "more", lang)):
        return None
    from knowledge import build  # build imports this module

    return build.answer_text(loader.load_faq(topic), lang, municipality)


def warm() -> None:
    """Read every municipality and prepare its values and overrides (engine start-up), so no
    message waits for a YAML file."""
    for mid, municipality in loader.municipalities().items():
        for lang in loader.LANGUAGES:
            values(mid, lang)
            for topic in municipality.overrides:
                override_answer(mid, topic, lang)
