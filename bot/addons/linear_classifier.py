"""Intent and FAQ-topic classifier for five languages: linear, on folded words, concepts and
character n-grams (replaces DIETClassifier + ResponseSelector; bench/RESULTS.md has the numbers).

One classifier over every label (``greet`` … ``out_of_scope`` and each ``faq/<topic>``), trained
on all languages at once. Features (knowledge/textnorm.py):

- words and word pairs of the folded text, plus one token per concept of the cross-language
  lexicon (knowledge/lexicon/), so ``muafiyet``, ``إعفاء`` and ``vrijstelling`` share evidence;
- character 2–5-grams within words, for spelling variants, typos and inflection.

A linear SVM (scikit-learn's LinearSVC) separates the labels; the confidence of a label is the
softmax of the SVM's scores times ``temperature`` (the best label stays the SVM's own choice).
Platt scaling on cross-validation folds was measured too and lost: it let more out-of-scope
questions through and cost 3-5 points of FAQ accuracy in tr, ar and pt (bench/RESULTS.md). The best label wins; when it is a topic, the intent is
``faq`` with that topic's probability, and the message gets Rasa's ``response_selector`` output
for it, in the ResponseSelector's format, so rules (``utter_faq``), actions and evaluation read
it unchanged.

Training takes seconds on two cores, where DIET and the ResponseSelector needed minutes per
language; inference is one sparse dot product.
"""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.language_detector import example_language
from knowledge import textnorm

log = logging.getLogger(__name__)
MODEL_FILE = "linear_classifier.pkl"
RESPONSE_SELECTOR = "response_selector"


def _vectorizers(config: Dict[Text, Any]) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # the word features get texts already analysed (textnorm.analyse, which needs the language)
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, config["word_max_ngram"]), sublinear_tf=True,
        lowercase=False, token_pattern=r"\S+", min_df=1,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(config["char_min_ngram"], config["char_max_ngram"]),
        sublinear_tf=True, preprocessor=textnorm.normalise, min_df=config["char_min_df"],
    )
    return words, chars


def _detected_language(message: Message) -> Optional[Text]:
    """The language the LanguageDetector found in this message, if it was sure."""
    for entity in message.get(ENTITIES) or []:
        if entity.get("entity") == "language":
            return entity.get("value")
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "retrieval_intent": "faq",
            "C": 0.5,
            "word_max_ngram": 2,
            "char_min_ngram": 2,
            "char_max_ngram": 5,
            "char_min_df": 2,
            "temperature": 5.0,
            "ranking_length": 10,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[Text, Any]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    # -- training ------------------------------------------------------------------------------

    def _label(self, message: Message) -> Optional[Text]:
        intent = message.get(INTENT)
        if intent == self._config["retrieval_intent"]:
            return message.get(INTENT_RESPONSE_KEY) or None
        return intent

    def train(self, training_data: TrainingData) -> Resource:
        from scipy.sparse import hstack
        from sklearn.svm import LinearSVC

        texts, analysed, labels = [], [], []
        for message in training_data.intent_examples:
            label = self._label(message)
            if label and message.get(TEXT):
                texts.append(message.get(TEXT))
                analysed.append(textnorm.analyse(message.get(TEXT), example_language(message)))
                labels.append(label)
        if len(set(labels)) < 2:
            log.warning("LinearIntentClassifier: fewer than two labels, nothing trained")
            return self._resource
        words, chars = _vectorizers(self._config)
        features = hstack([words.fit_transform(analysed), chars.fit_transform(texts)]).tocsr()
        classifier = LinearSVC(C=self._config["C"], random_state=self._config["random_seed"])
        classifier.fit(features, np.array(labels))
        self._model = {"words": words, "chars": chars, "classifier": classifier}
        with self._model_storage.write_to(self._resource) as directory:
            with (directory / MODEL_FILE).open("wb") as handle:
                pickle.dump(self._model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                with (directory / MODEL_FILE).open("rb") as handle:
                    model = pickle.load(handle)  # our own training output, in the model archive
        except (ValueError, FileNotFoundError):
            log.warning("LinearIntentClassifier: no trained model found")
        return cls(config, model_storage, resource, model)

    # -- prediction ----------------------------------------------------------------------------

    def probabilities(
        self, texts: List[Text], langs: Optional[List[Optional[Text]]] = None
    ) -> tuple[np.ndarray, List[Text]]:
        from scipy.sparse import hstack

        assert self._model is not None
        langs = langs or [None] * len(texts)
        analysed = [textnorm.analyse(text, lang) for text, lang in zip(texts, langs)]
        features = hstack([self._model["words"].transform(analysed), self._model["chars"].transform(texts)])
        classifier = self._model["classifier"]
        scores = np.atleast_2d(classifier.decision_function(features.tocsr())) * self._config["temperature"]
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True), list(classifier.classes_)

    def process(self, messages: List[Message]) -> List[Message]:
        wanted = [m for m in messages if m.get(TEXT)]
        if self._model is None or not wanted:
            return messages
        matrix, classes = self.probabilities([m.get(TEXT) for m in wanted], [_detected_language(m) for m in wanted])
        retrieval = self._config["retrieval_intent"]
        prefix = f"{retrieval}/"
        is_topic = np.array([c.startswith(prefix) for c in classes])
        for message, row in zip(wanted, matrix):
            self._annotate(message, row, classes, is_topic, retrieval)
        return messages

    def _annotate(
        self, message: Message, row: np.ndarray, classes: List[Text], is_topic: np.ndarray, retrieval: Text
    ) -> None:
        # every label competes on its own probability; `faq` stands for its best topic (a sum
        # over 45 topics would turn many small doubts into one confident "faq")
        scores: Dict[Text, float] = {}
        for label, probability in zip(classes, row):
            name = retrieval if label.startswith(f"{retrieval}/") else label
            scores[name] = max(scores.get(name, 0.0), float(probability))
        ranking = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        top_name, top_confidence = ranking[0]
        message.set(INTENT, {INTENT_NAME_KEY: top_name, PREDICTED_CONFIDENCE_KEY: top_confidence},
                    add_to_output=True)
        message.set(
            INTENT_RANKING_KEY,
            [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: c} for n, c in ranking[: self._config["ranking_length"]]],
            add_to_output=True,
        )
        if top_name != retrieval or not is_topic.any():
            return
        topic_rows = [(classes[i], float(row[i])) for i in np.flatnonzero(is_topic)]
        topics = sorted(topic_rows, key=lambda item: item[1], reverse=True)
        best_key, best_confidence = topics[0]
        selector = message.get(RESPONSE_SELECTOR, {}) or {}
        selector["all_retrieval_intents"] = [retrieval]
        selector[retrieval] = {
            "response": {
                "responses": [],
                PREDICTED_CONFIDENCE_KEY: best_confidence,
                INTENT_RESPONSE_KEY: best_key,
                "utter_action": f"utter_{best_key}",
            },
            "ranking": [
                {PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: k}
                for k, p in topics[: self._config["ranking_length"]]
            ],
        }
        message.set(RESPONSE_SELECTOR, selector, add_to_output=True)
