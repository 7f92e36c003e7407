"""Measured fixes to Rasa 3.6 internals that have no configuration switch.

Each fix is an entry of ``REGISTRY`` (its name, the dotted path it replaces, the package versions
it was written and measured for, and why). Importing this module or any other ``addons`` module
changes nothing: ``apply()`` installs the fixes, once, at engine start-up. ``rasa run`` creates
the tracker store and the response generator named in bot/endpoints.yml
(``addons.stores.ResilientSQLTrackerStore``, ``addons.nlg.PayloadSafeNLG``) before it loads the
model, and their constructors call ``apply()``; later calls do nothing.

``apply()`` skips a fix, with a WARNING, when an installed package is not the version the fix was
written for (the fix reaches into that package's internals), and logs the applied fixes at INFO.
``WEGWIJS_ENGINE_PATCHES`` chooses them: ``all`` (the default), ``none`` (stock Rasa, e.g. to
compare: ``bench/run.sh --compare-patches``), ``-name1,-name2`` (all but these) or
``name1,name2`` (only these). An unknown name stops the engine at start-up with the valid names.
Note: without ``actions_in_engine`` Rasa calls the action server over HTTP even when
``actions_module`` is set, so run bot/serve_actions.py (``WEGWIJS_ACTIONS_MODULE=``).

Each fix keeps Rasa's behaviour and is covered by tests/bot/test_engine_speedups.py,
tests/bot/test_engine_inference_speedups.py or tests/bot/test_actions_in_engine.py; the registry
itself by tests/bot/test_patch_registry.py.

``RemoteAction._validate_action_result``
    Rasa calls ``jsonschema.validate(result, spec)`` for every answer of the action server.
    ``validate`` first checks the *schema* against the JSON Schema meta-schema, every time: in
    the profile of a deadline turn that check was 14 % of the engine's CPU (bench/RESULTS.md).
    Here the schema is compiled once with fastjsonschema (Python code generated from the schema;
    the instance check was another 10 % with jsonschema's ``oneOf`` over every event type). An
    answer that fails the fast check is checked again by jsonschema, so an invalid answer still
    raises the same ``ValidationError`` with Rasa's explanation.

``rasa.core.processor.DaskGraphRunner`` -> ``SequentialGraphRunner``
    Rasa runs the NLU pipeline and the policies of every turn as a dask graph on dask's
    synchronous scheduler: one thread, the nodes one after the other. Building the dask graph
    and scheduling it again for every message cost ~10 % of the engine's CPU (py-spy, serial
    turns). The graph is the same for every message, so its order is worked out once per set of
    targets and the nodes are called in that order, with the same inputs and results.

``RasaModel._rasa_predict``
    DIET and the response selector call a ``tf.function`` with a fixed input signature. Each
    call looked the signature up again (``_maybe_define_function``, input canonicalisation),
    which took more time than running the model. After the first call, which traces the
    function as Rasa does, the one concrete function is called directly with the inputs
    converted to the signature's types.

``EndpointConfig.session``
    Rasa opens a new aiohttp session, and so a new TCP connection, for every call to the action
    server. Under load each extra connect and accept waits for the engine's busy event loop once
    more, and a deadline turn paid that on every action call. Here each endpoint keeps one
    session whose connections are reused; an idle connection is dropped after
    ``KEEPALIVE_S`` seconds, well before the action server closes it (30 s, bot/serve_actions.py),
    so a request never goes out on a connection the server is closing.

``RulePolicy._get_possible_keys``
    To find the rules that match, Rasa filters all rules once per turn of the whole conversation,
    going back in time. A rule is applicable at every turn further back than its own length, so
    once the turns looked at exceed the longest remaining rule (4 states here) the filter cannot
    remove anything more: it stops there. Same rules found; the cost no longer grows with the
    length of the conversation.

``Agent.load_model``, then ``gc.freeze()``
    The loaded model (TensorFlow, spaCy, the domain, the rules) is ~640,000 Python objects that
    live as long as the process. Each full garbage collection walked all of them: under load one
    came every minute or so and stopped the engine for ~340 ms (gc callbacks in the engine,
    bench/RESULTS.md), which delayed every turn waiting behind it. After a model is loaded it is
    collected once and frozen, so later collections walk only the objects of conversations. A
    model replaced at run time stays in memory (frozen objects are freed by reference counting
    only, not by the cycle collector); restart the engine to load a new model. The custom actions
    are imported just before, when they run in the engine (below).

``Event.resolve_by_type``
    Every event read back (from the tracker store, from an action's answer) looked its class up by
    walking all ~40 event classes again (``all_subclasses`` with ``inspect.isabstract`` on each):
    2.3 ms for the 13 events of one deadline answer, and ~0.2 ms per event of every tracker read
    from the database. Here the name -> class table is built once (again when a name is not in
    it, so classes defined later are found); names Rasa does not know go to Rasa's own method.

``Features._combine_sparse_features``
    Each message's word and character n-gram features are put side by side with scipy's
    ``hstack``, whose general block-matrix code took ~200 us for two small COO matrices, several
    times per message (6 % of the engine under load). Two COO matrices are joined directly into the
    same arrays, dtypes and shape that ``hstack`` makes (~35 us); anything else goes to Rasa's code.

``RemoteAction.run``
    With ``actions_module`` set on the action endpoint, the custom actions run inside the engine
    through rasa_sdk's executor instead of an HTTP call: see ``addons.actions_in_engine``.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib
import importlib.metadata
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from addons import actions_in_engine

logger = logging.getLogger(__name__)

SETTING = "WEGWIJS_ENGINE_PATCHES"


@functools.lru_cache(maxsize=1)
def _fast_check() -> Callable[[Any], None]:
    """A compiled check of an action server answer; raises fastjsonschema.JsonSchemaException.

    Rasa's schema lists the event types under ``oneOf``, each fixing ``event`` to a constant.
    Checked as written, every event is tried against all 23 types, and each failed type builds
    an error message with the event in it (that was still 8 % of the engine's CPU). Because the
    constants differ, an event matches ``oneOf`` exactly when it matches the type its ``event``
    names, so each event is checked against that one type only. A schema of another shape
    (another Rasa version) is compiled as it is.
    """
    import copy

    import fastjsonschema
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    try:
        event_schema = spec["properties"]["events"]["items"]
        branches = event_schema["oneOf"]
        by_type = {branch["properties"]["event"]["const"]: branch for branch in branches}
    except (KeyError, TypeError):
        return fastjsonschema.compile(spec)
    if len(by_type) != len(branches):
        return fastjsonschema.compile(spec)
    base = {k: v for k, v in event_schema.items() if k != "oneOf"}
    per_type = {name: fastjsonschema.compile({"allOf": [base, branch]}) for name, branch in by_type.items()}
    outer = copy.deepcopy(spec)
    outer["properties"]["events"] = {"type": "array"}
    check_outer = fastjsonschema.compile(outer)

    def check(result: Any) -> None:
        check_outer(result)
        events = result.get("events") if isinstance(result, dict) else None
        for event in events or ():
            name = event.get("event") if isinstance(event, dict) else None
            validator = per_type.get(name) if isinstance(name, str) else None
            if validator is None:
                raise fastjsonschema.JsonSchemaException("event of no known type")
            validator(event)

    return check


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    import fastjsonschema
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _fast_check()(result)
        return True
    except fastjsonschema.JsonSchemaException:
        pass  # explain it the way Rasa does
    error = best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True  # the two checkers disagree: jsonschema, Rasa's own, decides


def _event_types_by_name(original: Callable) -> Callable:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    by_name: Dict[Text, Any] = {}

    def resolve_by_type(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
        cls = by_name.get(type_name)
        if cls is None:  # first use, or a name defined since: look at every event class again
            by_name.clear()
            for subclass in all_subclasses(Event):
                by_name.setdefault(subclass.type_name, subclass)  # Rasa's order: the first one wins
            cls = by_name.get(type_name)
        if cls is not None:
            return cls
        return original(type_name, default)  # Rasa's answer for unknown names: None, default or error

    resolve_by_type.__wrapped__ = original  # type: ignore[attr-defined]
    return resolve_by_type


def _coo_side_by_side(original: Callable) -> Callable:
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse._sputils import get_index_dtype, upcast

    def _combine_sparse_features(self: Any, additional_features: Any) -> None:
        left, right = self.features, additional_features.features
        if type(left) is not coo_matrix or type(right) is not coo_matrix or left.shape[0] != right.shape[0]:
            return original(self, additional_features)  # other formats, and Rasa's error for a mismatch
        # what scipy's hstack -> bmat builds for two COO blocks, without its general block handling
        shape = (left.shape[0], left.shape[1] + right.shape[1])
        index = get_index_dtype(maxval=max(shape))
        data = np.concatenate((left.data, right.data)).astype(upcast(left.dtype, right.dtype), copy=False)
        row = np.concatenate((left.row.astype(index, copy=False), right.row.astype(index, copy=False)))
        col = np.concatenate((left.col.astype(index, copy=False), right.col.astype(index) + index(left.shape[1])))
        self.features = coo_matrix((data, (row, col)), shape=shape)
        self._cached_fingerprint = None

    _combine_sparse_features.__wrapped__ = original  # type: ignore[attr-defined]
    return _combine_sparse_features


def _sequential_graph_runner() -> type:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    class SequentialGraphRunner(DaskGraphRunner):
        """Runs the nodes a target needs in dependency order, without building a dask graph.

        Nodes are instantiated by Rasa's runner; a node gets its parents' ``(name, output)``
        results (or the parent's name when nothing provides it, as dask passes an unknown key)
        and returns ``(name, output)``, as under dask.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._plans: Dict[Any, list] = {}

        def _plan(self, targets: tuple, input_names: frozenset) -> list:
            key = (targets, input_names)
            plan = self._plans.get(key)
            if plan is None:
                schema = self._graph_schema.minimal_graph_schema(list(targets))
                order: list = []
                done: set = set()

                def visit(name: Text) -> None:  # Rasa validated the graph at load: it has no cycle
                    if name in input_names or name not in schema.nodes or name in done:
                        return
                    done.add(name)
                    needs = list(schema.nodes[name].needs.values())
                    for parent in needs:
                        visit(parent)
                    order.append((name, needs))

                for target in targets:
                    visit(target)
                plan = self._plans[key] = order
            return plan

        def run(
            self, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
        ) -> Dict[Text, Any]:
            run_targets = tuple(targets if targets else self._graph_schema.target_names)
            inputs = inputs or {}
            for name, value in inputs.items():
                if isinstance(value, str) and value in self._graph_schema.nodes:
                    raise GraphRunError(
                        f"Input value '{value}' clashes with a node name. Make sure that none of the "
                        f"input names passed to the `run` method are the same as node names in the graph schema."
                    )
            results: Dict[Text, Any] = {name: (name, value) for name, value in inputs.items()}
            for name, needs in self._plan(run_targets, frozenset(inputs)):
                results[name] = self._instantiated_nodes[name](*(results.get(parent, parent) for parent in needs))
            return dict(results[target] for target in run_targets)

    return SequentialGraphRunner


def _fast_rasa_predict(original: Callable) -> Callable:
    import tensorflow as tf
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA

    def _rasa_predict(self: Any, batch_in: Any) -> Dict[Text, Any]:
        function = getattr(self, "_tf_predict_step", None)
        if function is None or self._run_eagerly or not self.prepared_for_prediction:
            return original(self, batch_in)  # the first call traces the function as Rasa does
        kept = self.__dict__.get("_wegwijs_concrete_predict")
        if kept is None:  # the concrete function and its flat input signature, looked up once
            concrete = function.get_concrete_function()
            specs = tf.nest.flatten(concrete.structured_input_signature[0])
            kept = self.__dict__["_wegwijs_concrete_predict"] = (concrete, specs)
        concrete, specs = kept
        if len(specs) != len(batch_in):
            return original(self, batch_in)
        tensors = []
        for value, spec in zip(batch_in, specs):
            tensor = tf.convert_to_tensor(value, dtype=spec.dtype)
            if not spec.shape.is_compatible_with(tensor.shape):
                return original(self, batch_in)
            tensors.append(tensor)
        self._training = False
        outputs = tf_utils.sync_to_numpy_or_python_type(concrete._call_flat(tensors, concrete.captured_inputs))
        if DIAGNOSTIC_DATA in outputs:
            outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
        return outputs

    _rasa_predict.__wrapped__ = original  # type: ignore[attr-defined]
    return _rasa_predict


def _possible_keys_up_to_the_longest_rule(original: Callable) -> Callable:
    def _get_possible_keys(self: Any, lookup: Dict[Text, Text], states: List[Dict]) -> set:
        possible_keys = set(lookup.keys())
        for i, state in enumerate(reversed(states)):
            if all(i >= len(self._rule_key_to_state(key)) for key in possible_keys):
                break  # every remaining rule is shorter: each is applicable at all earlier turns
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, i, state)}
        return possible_keys

    _get_possible_keys.__wrapped__ = original  # type: ignore[attr-defined]
    return _get_possible_keys


KEEPALIVE_S = 4.0


class _BorrowedSession:
    """``async with`` gives the kept session and leaves it open for the next request."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> bool:
        return False


def _kept_session(original: Callable) -> Callable:
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: a plain session, as Rasa makes it
            return original(self)
        kept = self.__dict__.get("_wegwijs_session")
        if kept is None or kept.closed or getattr(kept, "_loop", loop) is not loop:
            # Rasa's headers, authentication and timeout, with a connector that keeps connections
            basic = self.basic_auth
            auth = aiohttp.BasicAuth(basic["username"], basic["password"]) if basic else None
            kept = aiohttp.ClientSession(
                headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            )
            self.__dict__["_wegwijs_session"] = kept
        return _BorrowedSession(kept)

    session.__wrapped__ = original  # type: ignore[attr-defined]
    return session


def _freeze_after_loading(original: Callable) -> Callable:
    import gc

    def load_model(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if "actions_in_engine" in applied():  # the actions are imported before the freeze
            actions_in_engine.prepare(getattr(self, "action_endpoint", None))
        gc.collect()
        gc.freeze()
        logger.info("model loaded; %d objects frozen for the garbage collector", gc.get_freeze_count())

    load_model.__wrapped__ = original  # type: ignore[attr-defined]
    return load_model


# --- the registry ----------------------------------------------------------------------------------

RASA = "3.6.21"


@dataclass(frozen=True)
class Patch:
    """One fix: ``make(current)`` returns what replaces ``target`` (its current value is passed in)."""

    name: Text
    target: Text  # dotted path of the attribute replaced, e.g. "rasa.core.agent.Agent.load_model"
    versions: Dict[Text, Text]  # distribution -> version it was written for ("3.6.21", "2.12.*", ">=1,<2")
    reason: Text
    make: Callable[[Any], Any]


REGISTRY: Tuple[Patch, ...] = (
    Patch("kept_endpoint_sessions", "rasa.utils.endpoints.EndpointConfig.session",
          {"rasa": RASA, "aiohttp": "3.9.*"},
          reason="Reuses one aiohttp session and its connections per endpoint instead of a new TCP connection per call.",
          make=_kept_session),
    Patch("freeze_after_load", "rasa.core.agent.Agent.load_model",
          {"rasa": RASA},
          reason="Freezes the loaded model for the garbage collector so full collections no longer stop the engine.",
          make=_freeze_after_loading),
    Patch("rule_search_cutoff", "rasa.core.policies.rule_policy.RulePolicy._get_possible_keys",
          {"rasa": RASA},
          reason="Stops the rule search once the turns looked at exceed the longest remaining rule.",
          make=_possible_keys_up_to_the_longest_rule),
    Patch("action_result_check", "rasa.core.actions.action.RemoteAction._validate_action_result",
          {"rasa": RASA, "jsonschema": "4.17.*", "fastjsonschema": "2.*"},
          reason="Checks action answers with a schema compiled once instead of re-checking the schema every call.",
          make=lambda current: validate_action_result),
    Patch("actions_in_engine", "rasa.core.actions.action.RemoteAction.run",
          {"rasa": RASA, "rasa-sdk": "3.6.*"},
          reason="Runs the custom actions inside the engine when actions_module is set, without the HTTP round trip.",
          make=actions_in_engine.run_in_engine),
    Patch("event_type_table", "rasa.shared.core.events.Event.resolve_by_type",
          {"rasa": RASA},
          reason="Looks event classes up in a table instead of walking all event subclasses for every event.",
          make=lambda current: staticmethod(_event_types_by_name(current))),
    Patch("sparse_feature_join", "rasa.shared.nlu.training_data.features.Features._combine_sparse_features",
          {"rasa": RASA, "scipy": "1.10.*"},
          reason="Joins two COO feature matrices directly instead of through scipy's general hstack.",
          make=_coo_side_by_side),
    Patch("sequential_graph_runner", "rasa.core.processor.DaskGraphRunner",
          {"rasa": RASA},
          reason="Runs the model graph's nodes in a precomputed order instead of building a dask graph per message.",
          make=lambda current: _sequential_graph_runner()),
    Patch("direct_model_calls", "rasa.utils.tensorflow.models.RasaModel._rasa_predict",
          {"rasa": RASA, "tensorflow": "2.12.*", "keras": "2.12.*"},
          reason="Calls the traced TensorFlow function directly instead of looking its signature up on every call.",
          make=_fast_rasa_predict),
)
NAMES: Tuple[Text, ...] = tuple(p.name for p in REGISTRY)


class PatchSettingError(ValueError):
    """WEGWIJS_ENGINE_PATCHES names a patch that does not exist (or mixes the two forms)."""


def resolve(target: Text) -> Tuple[Any, Text]:
    """``(owner, attribute)`` of a dotted path: the longest importable module, then attributes."""
    parts = target.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:-1]:
            owner = getattr(owner, part)
        if not hasattr(owner, parts[-1]):
            raise AttributeError(f"{target}: {owner!r} has no attribute {parts[-1]!r}")
        return owner, parts[-1]
    raise ImportError(f"{target}: no module to import")


def select(setting: Optional[Text] = None) -> List[Patch]:
    """The patches ``setting`` (default: $WEGWIJS_ENGINE_PATCHES, else ``all``) turns on, in order."""
    if setting is None:
        setting = os.environ.get(SETTING, "")
    value = setting.strip()
    if value.lower() in ("", "all"):
        return list(REGISTRY)
    if value.lower() == "none":
        return []
    items = [item.strip() for item in value.split(",") if item.strip()]
    excluded = {item[1:].strip() for item in items if item.startswith("-")}
    included = {item for item in items if not item.startswith("-")}
    unknown = sorted((excluded | included) - set(NAMES))
    if unknown:
        raise PatchSettingError(
            f"{SETTING}={setting!r}: unknown engine patch(es) {', '.join(unknown)}; valid names: "
            f"{', '.join(NAMES)} (or all, none, -name to leave one out)"
        )
    if excluded and included:
        raise PatchSettingError(
            f"{SETTING}={setting!r}: either list the patches to apply (name1,name2) or the ones to leave "
            f"out (-name1,-name2), not both; valid names: {', '.join(NAMES)}"
        )
    if excluded:
        return [p for p in REGISTRY if p.name not in excluded]
    return [p for p in REGISTRY if p.name in included]


def installed_version(distribution: Text) -> Optional[Text]:
    """The installed version of a distribution, or None if it is not installed."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def version_matches(installed: Text, expected: Text) -> bool:
    """``expected`` is a version ("3.6.21", "2.12.*") or a specifier set (">=1.10,<1.11")."""
    spec = expected if expected[:1] in "<>=!~" else f"=={expected}"
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
    except ImportError:  # no packaging: a plain pattern match on the version string
        return expected[:1] not in "<>=!~" and fnmatch.fnmatchcase(installed, expected)
    try:
        return SpecifierSet(spec).contains(installed, prereleases=True)
    except InvalidSpecifier:
        return fnmatch.fnmatchcase(installed, expected)


def mismatches(patch: Patch) -> List[Tuple[Text, Text, Optional[Text]]]:
    """``(package, expected, installed)`` for every package not at the version the patch was written for."""
    found = []
    for distribution, expected in patch.versions.items():
        installed = installed_version(distribution)
        if installed is None or not version_matches(installed, expected):
            found.append((distribution, expected, installed))
    return found


_applied: Optional[List[Text]] = None  # names applied by apply(); None until it ran
_undo: List[Tuple[Any, Text, bool, Any]] = []  # (owner, attribute, owned it before, previous value)


def applied() -> List[Text]:
    """Names of the patches apply() installed (empty before it ran)."""
    return list(_applied or ())


def apply(setting: Optional[Text] = None) -> List[Text]:
    """Install the selected patches whose package versions match; once per process (idempotent).

    Raises PatchSettingError for an unknown name in ``setting`` / $WEGWIJS_ENGINE_PATCHES.
    Returns the names applied.
    """
    global _applied
    if _applied is not None:
        return list(_applied)
    chosen = select(setting)
    names: List[Text] = []
    skipped: List[Text] = []
    for patch in chosen:
        wrong = mismatches(patch)
        if wrong:
            for distribution, expected, installed in wrong:
                logger.warning(
                    "engine patch %s skipped: written for %s %s, installed %s (%s)",
                    patch.name, distribution, expected, installed or "none", patch.target,
                )
            skipped.append(patch.name)
            continue
        owner, attribute = resolve(patch.target)
        owned = attribute in vars(owner)
        previous = vars(owner)[attribute] if owned else None
        setattr(owner, attribute, patch.make(getattr(owner, attribute)))
        _undo.append((owner, attribute, owned, previous))
        names.append(patch.name)
    _applied = names
    off = [name for name in NAMES if name not in {p.name for p in chosen}]
    logger.info(
        "engine patches applied (%d of %d): %s%s%s", len(names), len(NAMES), ", ".join(names) or "none",
        f"; skipped for versions: {', '.join(skipped)}" if skipped else "",
        f"; off by {SETTING}: {', '.join(off)}" if off else "",
    )
    if "actions_in_engine" not in names:
        logger.warning(
            "engine patch actions_in_engine is not applied: custom actions go to the action server over "
            "HTTP even if actions_module is set in endpoints.yml (run bot/serve_actions.py)"
        )
    return list(names)


def revert() -> None:
    """Undo apply() (tests, benchmarks): every target gets its previous value back."""
    global _applied
    while _undo:
        owner, attribute, owned, previous = _undo.pop()
        if owned:
            setattr(owner, attribute, previous)
        else:
            delattr(owner, attribute)
    _applied = None
