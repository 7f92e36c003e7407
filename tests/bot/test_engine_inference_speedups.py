"""The graph runner and the direct model calls of addons.patches give Rasa's results, faster."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Text

import pytest

pytest.importorskip("rasa")

import rasa.core.processor  # noqa: E402
from rasa.engine.exceptions import GraphComponentException, GraphRunError  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode  # noqa: E402
from rasa.engine.runner.dask import DaskGraphRunner  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.classifiers.diet_classifier import DIETClassifier  # noqa: E402
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer  # noqa: E402
from rasa.nlu.selectors.response_selector import ResponseSelector  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from rasa.utils.tensorflow.models import RasaModel  # noqa: E402

from addons import patches  # noqa: E402

patches.apply("all")  # as the engine does at start-up, whatever WEGWIJS_ENGINE_PATCHES says


class Step(GraphComponent):
    """Appends its name to what its parents give, so the result shows the order of the calls."""

    calls: list[str] = []

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: Any, resource: Resource, execution_context: Any) -> "Step":
        return cls(config["name"])

    def run(self, **parents: Any) -> list:
        Step.calls.append(self.name)
        if self.name == "broken":
            raise ValueError("this step fails")
        return [item for key in sorted(parents) for item in parents[key]] + [self.name]


def node(name: str, needs: Dict[str, str], target: bool = False) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Step, constructor_name="create", fn="run", config={"name": name},
                      is_target=target)


# message -> a, b (both read the message) -> c (reads a and b) -> d; e hangs off a, f off nothing
SCHEMA = GraphSchema({
    "a": node("a", {"x": "message"}),
    "b": node("b", {"x": "message"}),
    "c": node("c", {"left": "a", "right": "b"}),
    "d": node("d", {"x": "c"}, target=True),
    "e": node("e", {"x": "a"}, target=True),
    "f": node("f", {}),
    "broken": node("broken", {"x": "a"}),
})


def runners(tmp_path: Path, schema: GraphSchema = SCHEMA) -> tuple:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(schema, "test-model")
    return DaskGraphRunner(schema, storage, context), rasa.core.processor.DaskGraphRunner(schema, storage, context)


def test_the_engine_runs_its_graphs_with_the_sequential_runner():
    runner = rasa.core.processor.DaskGraphRunner
    assert runner is not DaskGraphRunner and issubclass(runner, DaskGraphRunner)
    assert runner.__name__ == "SequentialGraphRunner"


@pytest.mark.parametrize("targets", [["d"], ["e"], ["d", "e"], ["c", "a"], ["f"], None])
def test_the_sequential_runner_returns_what_dask_returns(tmp_path: Path, targets):
    dask_runner, ours = runners(tmp_path)
    inputs = {"message": ["hallo"]}
    expected = dask_runner.run(inputs=inputs, targets=targets)
    assert ours.run(inputs=inputs, targets=targets) == expected
    assert ours.run(inputs=inputs, targets=targets) == expected  # the second time from the kept plan


def test_each_node_runs_once_and_only_nodes_a_target_needs_run(tmp_path: Path):
    _, ours = runners(tmp_path)
    Step.calls = []
    result = ours.run(inputs={"message": ["m"]}, targets=["d", "e"])
    assert sorted(Step.calls) == ["a", "b", "c", "d", "e"]  # a once although c and e need it; no f
    assert Step.calls.index("c") > max(Step.calls.index("a"), Step.calls.index("b"))
    assert result["d"] == ["m", "a", "m", "b", "c", "d"]


def test_a_missing_input_and_a_failing_node_raise_rasas_errors(tmp_path: Path):
    dask_runner, ours = runners(tmp_path)
    for runner in (dask_runner, ours):
        with pytest.raises(GraphRunError, match="Missing input"):
            runner.run(inputs={}, targets=["a"])
        with pytest.raises(GraphComponentException):
            runner.run(inputs={"message": ["m"]}, targets=["broken"])


def test_an_input_named_like_a_node_is_refused(tmp_path: Path):
    _, ours = runners(tmp_path)
    with pytest.raises(GraphRunError, match="clashes"):
        ours.run(inputs={"message": "a"}, targets=["d"])


# --- direct model calls -------------------------------------------------------------------------

EXAMPLES = {
    "greet": ["hallo", "hoi", "goedemorgen", "hello", "hi there"],
    "thank": ["dank je wel", "bedankt", "thanks a lot", "thank you"],
    "faq": ["wat kost inburgeren", "wat is een pip", "what is the brede intake", "moet ik examen doen"],
}
QUESTIONS = ["hallo daar", "dank u", "wat is de pip", "what does it cost", "xyz", "examen examen examen inburgeren"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple:
    """A tokenizer, featurizer, DIET and response selector trained for two epochs on a few examples."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test-model")
    messages = []
    for intent, texts in EXAMPLES.items():
        for i, text in enumerate(texts):
            data = {"text": text, "intent": intent}
            if intent == "faq":
                data.update(intent_response_key=f"faq/topic{i % 2}", response=f"answer {i % 2}")
            messages.append(Message(data=data))
    data = TrainingData(messages)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(data)
    featurizer = CountVectorsFeaturizer.create(CountVectorsFeaturizer.get_default_config(), storage,
                                               Resource("cvf"), context)
    featurizer.train(data)
    featurizer.process_training_data(data)
    options = {"epochs": 2, "random_seed": 1, "number_of_transformer_layers": 0, "entity_recognition": False}
    diet = DIETClassifier.create({**DIETClassifier.get_default_config(), **options}, storage, Resource("diet"), context)
    diet.train(data)
    selector_options = {"epochs": 2, "random_seed": 1, "retrieval_intent": "faq"}
    selector = ResponseSelector.create({**ResponseSelector.get_default_config(), **selector_options}, storage,
                                       Resource("selector"), context)
    selector.train(data)
    return tokenizer, featurizer, diet, selector


def parse(trained: tuple, text: str) -> Message:
    tokenizer, featurizer, diet, selector = trained
    message = Message(data={"text": text})
    tokenizer.process([message])
    featurizer.process([message])
    diet.process([message])
    selector.process([message])
    return message


def outputs(message: Message) -> tuple:
    ranking = [(r["name"], r["confidence"]) for r in message.get("intent_ranking")]
    selected = message.get("response_selector")["faq"]
    return message.get("intent"), ranking, selected["response"], selected["ranking"]


def test_the_direct_model_call_gives_rasas_intents_and_answers(trained, monkeypatch):
    ours = [outputs(parse(trained, text)) for text in QUESTIONS]
    monkeypatch.setattr(RasaModel, "_rasa_predict", RasaModel._rasa_predict.__wrapped__)
    rasas = [outputs(parse(trained, text)) for text in QUESTIONS]
    assert ours == rasas


def test_after_the_first_call_the_models_are_called_directly(trained):
    _, _, diet, selector = trained
    parse(trained, "hallo")
    parse(trained, "een veel langere vraag over wat inburgeren kost")
    for model in (diet.model, selector.model):
        assert "_wegwijs_concrete_predict" in model.__dict__


# --- kept connections to the action server --------------------------------------------------------


async def test_action_calls_reuse_one_connection_and_keep_rasas_token_and_errors():
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    peers: list = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        if request.query.get("token") != "s3cret":
            return web.json_response({"error": "unauthorized"}, status=401)
        return web.json_response({"echo": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="s3cret")
        answers = [await endpoint.request(json={"n": n}) for n in range(3)]
        answers += await asyncio.gather(*(endpoint.request(json={"n": n}) for n in range(3, 5)))
        assert [a["echo"]["n"] for a in answers] == [0, 1, 2, 3, 4]
        assert len(set(peers[:3])) == 1  # one after the other: one connection, kept
        assert len(set(peers)) <= 2  # two at once need a second one, no more
        with pytest.raises(ClientResponseError):  # a refusal still raises Rasa's error
            await EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="wrong").request(json={})
    finally:
        await runner.cleanup()


def test_the_action_server_keeps_idle_connections_longer_than_the_engine_does():
    import serve_actions

    from addons import patches

    app = serve_actions.build_app("t")
    assert app.config.KEEP_ALIVE_TIMEOUT >= 5 * patches.KEEPALIVE_S


# --- the loaded model is left out of later garbage collections ------------------------------------


def test_loading_a_model_freezes_it_for_the_garbage_collector():
    import gc

    from rasa.core.agent import Agent

    from addons import patches

    assert Agent.load_model.__wrapped__ is not None  # the engine's Agent freezes after loading
    loaded = []

    def load(agent: object, path: str) -> None:
        loaded.append((agent, path, [object() for _ in range(1000)]))  # the "model": new objects

    gc.unfreeze()
    try:
        patches._freeze_after_loading(load)("agent", "models/x.tar.gz")
        assert loaded[0][:2] == ("agent", "models/x.tar.gz")
        assert gc.get_freeze_count() > 1000
        assert not any(obj is loaded for obj in gc.get_objects())  # no longer walked by collections
    finally:
        gc.unfreeze()


# --- the rule search stops at the longest rule -----------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

STATE = st.fixed_dictionaries(
    {"prev_action": st.fixed_dictionaries({"action_name": st.sampled_from(["action_listen", "utter_a", "action_b"])})},
    optional={
        "user": st.fixed_dictionaries({"intent": st.sampled_from(["faq", "greet", "ask_deadlines"])}),
        "slots": st.fixed_dictionaries({"ready": st.sampled_from([(1.0,), (0.0,), "should_not_be_set"])}),
        "active_loop": st.fixed_dictionaries({"name": st.sampled_from(["deadlines_form", "should_not_be_set"])}),
    },
)
RULE = st.lists(st.one_of(st.just({}), STATE), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(rules=st.lists(RULE, min_size=1, max_size=12), states=st.lists(STATE, min_size=0, max_size=15))
def test_the_rule_search_finds_exactly_the_rules_rasas_search_finds(rules, states):
    import json

    from rasa.core.policies.rule_policy import RulePolicy

    policy = RulePolicy.__new__(RulePolicy)  # the search uses no trained state besides the lookup
    lookup = {json.dumps(rule, sort_keys=True): "action" for rule in rules}
    ours = policy._get_possible_keys(lookup, states)
    assert ours == RulePolicy._get_possible_keys.__wrapped__(policy, lookup, states)


# --- sparse features side by side -------------------------------------------------------------------

import numpy as np  # noqa: E402
import scipy.sparse  # noqa: E402

SPARSE_DTYPES = st.sampled_from([np.int64, np.int32, np.float32, np.float64])


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 12), left_cols=st.integers(1, 400), right_cols=st.integers(1, 400),
       density=st.floats(0.0, 0.3), left_dtype=SPARSE_DTYPES, right_dtype=SPARSE_DTYPES, seed=st.integers(0, 10_000))
def test_combined_sparse_features_equal_scipys_hstack(rows, left_cols, right_cols, density, left_dtype, right_dtype, seed):
    from rasa.shared.nlu.training_data.features import Features

    rng = np.random.default_rng(seed)
    left = scipy.sparse.random(rows, left_cols, density=density, format="coo", dtype=left_dtype, random_state=rng)
    right = scipy.sparse.random(rows, right_cols, density=density, format="coo", dtype=right_dtype, random_state=rng)
    ours = Features(left, "sequence", "text", "a")
    ours.combine_with_features(Features(right, "sequence", "text", "b"))
    expected = scipy.sparse.hstack([left, right])
    got = ours.features
    assert type(got) is type(expected) and got.shape == expected.shape and got.dtype == expected.dtype
    for name in ("data", "row", "col"):
        assert getattr(got, name).dtype == getattr(expected, name).dtype
        assert np.array_equal(getattr(got, name), getattr(expected, name))


def test_sparse_features_of_different_lengths_still_get_rasas_error():
    from rasa.shared.nlu.training_data.features import Features

    ours = Features(scipy.sparse.coo_matrix(np.ones((2, 3))), "sequence", "text", "a")
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        ours.combine_with_features(Features(scipy.sparse.coo_matrix(np.ones((3, 3))), "sequence", "text", "b"))


def test_other_sparse_formats_are_combined_by_scipy_as_before():
    from rasa.shared.nlu.training_data.features import Features

    left, right = scipy.sparse.csr_matrix(np.eye(2)), scipy.sparse.csr_matrix(np.ones((2, 1)))
    ours = Features(left, "sequence", "text", "a")
    ours.combine_with_features(Features(right, "sequence", "text", "b"))
    assert ours.features.format == scipy.sparse.hstack([left, right]).format
    assert np.array_equal(ours.features.toarray(), [[1, 0, 1], [0, 1, 1]])
