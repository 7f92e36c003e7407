"""The multilingual intent and FAQ-topic classifier: labels, confidences, Rasa's output format."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from addons.linear_classifier import LinearIntentClassifier  # noqa: E402

EXAMPLES = {
    ("greet", None): {"nl": ["hallo", "hoi", "goedemorgen"], "tr": ["merhaba", "selam", "günaydın"],
                      "pt": ["olá", "oi", "bom dia"]},
    ("faq", "faq/boete"): {"nl": ["krijg ik een boete", "hoe hoog is de boete", "boete als ik te laat ben"],
                           "tr": ["ceza alır mıyım", "ceza ne kadar", "geç kalırsam ceza var mı"],
                           "pt": ["vou levar multa", "qual o valor da multa", "multa se eu atrasar"]},
    ("faq", "faq/kosten"): {"nl": ["wat kost inburgeren", "moet ik zelf betalen", "is de les gratis"],
                            "tr": ["inburgering ne kadar tutar", "kendim mi ödüyorum", "ders ücretsiz mi"],
                            "pt": ["quanto custa a integração", "eu tenho que pagar", "a aula é grátis"]},
    ("out_of_scope", None): {"nl": ["hoe vraag ik huurtoeslag aan", "wat voor weer wordt het", "vertel een grap"],
                             "tr": ["kira yardımı nasıl alınır", "yarın hava nasıl", "bir fıkra anlat"],
                             "pt": ["como peço auxílio aluguel", "como vai estar o tempo", "conta uma piada"]},
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test-model")
    messages = []
    for (intent, key), by_lang in EXAMPLES.items():
        for lang, texts in by_lang.items():
            for text in texts:
                data = {"text": text, "intent": intent, "metadata": {"intent": {"lang": lang}}}
                if key:
                    data.update(intent_response_key=key, response=key)
                messages.append(Message(data=data))
    config = LinearIntentClassifier.get_default_config()
    component = LinearIntentClassifier.create(config, storage, Resource("linear"), context)
    component.train(TrainingData(messages))
    loaded = LinearIntentClassifier.load(config, storage, Resource("linear"), context)
    return loaded


def parse(component: LinearIntentClassifier, text: str) -> Message:
    message = Message(data={"text": text})
    component.process([message])
    return message


def test_a_faq_question_gets_the_faq_intent_and_the_topic_in_the_response_selectors_format(trained):
    message = parse(trained, "hoe hoog is mijn boete eigenlijk")
    assert message.get("intent")["name"] == "faq"
    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/boete" and response["utter_action"] == "utter_faq/boete"
    assert response["confidence"] == pytest.approx(message.get("intent")["confidence"])
    assert [r["intent_response_key"] for r in selector["faq"]["ranking"]][0] == "faq/boete"


def test_confidences_are_probabilities_and_the_ranking_is_sorted(trained):
    message = parse(trained, "merhaba")
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "greet" == message.get("intent")["name"]
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True) and all(0 <= c <= 1 for c in confidences)
    # faq appears once in the intent ranking, for its best topic
    assert [r["name"] for r in ranking].count("faq") == 1
    assert message.get("response_selector") is None  # not a faq message: no selector output


def test_a_concept_learnt_in_other_languages_carries_over(trained):
    # "multa" is Portuguese for fine; the Turkish and Dutch examples teach the same topic
    assert parse(trained, "multa multa").get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/boete"


def test_an_untrained_component_leaves_messages_alone(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "empty")
    component = LinearIntentClassifier.load({}, storage, Resource("missing"), context)
    message = Message(data={"text": "hallo"})
    component.process([message])
    assert message.get("intent") is None
