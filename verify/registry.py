"""The contracts between pipeline stages, and the registries that name their implementations.

    Verifier    predict(pairs, batch_size, progress) -> one {entailment, neutral, contradiction} per pair
    Retriever   search(queries, k) -> ranked Evidence per query
    Aggregator  aggregator(claim, window_scores, findings) -> Verdict
    Progress    progress(stage, done, total): how library code reports progress (the CLI draws bars)

`Pipeline(settings, verifier=..., retriever=..., aggregator=...)` takes any objects that fit; by
default it builds them by name from the registries below. A third-party package adds an
implementation through an entry point in its own pyproject.toml, found when it is installed and
loaded only when its name is asked for:

    [project.entry-points."verify.verifiers"]
    mine = "my_package.module:make_verifier"   # verify check --model plugin:mine

Groups: `verify.verifiers`, `verify.retrievers`, `verify.aggregators`. What a factory is called
with is said by each registry's `contract`. A plugin that fails to import, to build or to fit its
protocol stops the run with one `PluginError` line naming the plugin and its package.
"""
from __future__ import annotations

from importlib import metadata
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence

from .errors import InputError, PluginError, VerifyError
from .records import CheckFinding, Evidence, Verdict, WindowScore

Pair = tuple[str, str]  # (premise = evidence, hypothesis = claim)
Probs = dict[str, float]  # entailment / neutral / contradiction, summing to 1
Progress = Callable[[str, int, Optional[int]], None]  # (stage, done so far, total or None when unknown)


def report(progress: Optional[Progress], stage: str, done: int, total: Optional[int]) -> None:
    """Call `progress` when there is one (a bool from older callers means none): library code reports
    through this and never draws."""
    if callable(progress):
        progress(stage, done, total)


class Verifier(Protocol):
    name: str  # recorded in every report's provenance
    hash: str  # identity of the weights: a new hash invalidates cached scores

    def predict(self, pairs: Sequence[Pair], batch_size: int = 32, progress: Optional[Progress] = None) -> list[Probs]: ...


class Retriever(Protocol):
    name: str
    hash: Optional[str]  # identity of what is searched (the corpus hash): the report's provenance "index_hash"

    def search(self, queries: list[str], k: int = 10) -> list[list[Evidence]]: ...


class ClaimLike(Protocol):
    id: str
    text: str


class Aggregator(Protocol):
    """`aggregator(claim, window_scores, findings) -> Verdict`: the claim's whole score image (raw
    NLI probabilities of every scored window) and the check findings of every passage."""

    name: str

    def __call__(self, claim: ClaimLike, windows: Sequence[WindowScore], findings: Sequence[CheckFinding]) -> Verdict: ...


class Registry:
    """Names → factories: built-ins (as "module:attribute" strings, imported on first use), then
    what `register` adds at run time, then the installed packages' entry points of `group`."""

    def __init__(self, kind: str, group: str, builtins: dict[str, str], needs: tuple[str, ...], contract: str):
        self.kind, self.group, self.needs, self.contract = kind, group, needs, contract
        self._builtins = dict(builtins)
        self._added: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, factory: Callable[..., Any]) -> None:
        """Add an implementation in-process (tests, notebooks); a built-in name cannot be taken."""
        if name in self._builtins:
            raise PluginError(f"{self.kind} '{name}' is built in; choose another name")
        self._added[name] = factory

    def _entry_points(self) -> dict[str, metadata.EntryPoint]:
        found: dict[str, metadata.EntryPoint] = {}
        for ep in metadata.entry_points(group=self.group):
            found.setdefault(ep.name, ep)  # the first on sys.path wins, as for imports
        return found

    def names(self) -> list[str]:
        plugins = [n for n in sorted({*self._added, *self._entry_points()}) if n not in self._builtins]
        return [*self._builtins, *plugins]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._builtins or name in self._added or name in self._entry_points())

    def builtin_names(self) -> tuple[str, ...]:
        return tuple(self._builtins)

    def is_plugin(self, name: str) -> bool:
        return name not in self._builtins

    def _describe(self, name: str, ep: Optional[metadata.EntryPoint]) -> str:
        where = f" ({ep.value}" + (f", package {ep.dist.name}" if ep is not None and ep.dist is not None else "") + ")" if ep else ""
        return f"{self.kind} plugin '{name}'{where}"

    def factory(self, name: str) -> Callable[..., Any]:
        if name in self._builtins:
            return metadata.EntryPoint(name, self._builtins[name], self.group).load()
        if name in self._added:
            return self._added[name]
        ep = self._entry_points().get(name)
        if ep is None:
            raise InputError(f"unknown {self.kind} '{name}' (choose from: {', '.join(self.names())})")
        try:
            made = ep.load()
        except Exception as e:  # any failure inside someone else's package: one line naming it
            raise PluginError(f"{self._describe(name, ep)} cannot be loaded: {type(e).__name__}: {e}") from None
        if not callable(made):
            raise PluginError(f"{self._describe(name, ep)} is not callable: {self.contract}")
        return made

    def create(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The implementation `name` built by its factory; a plugin's failures become one PluginError."""
        factory = self.factory(name)
        if not self.is_plugin(name):
            return factory(*args, **kwargs)
        ep = self._entry_points().get(name) if name not in self._added else None
        try:
            made = factory(*args, **kwargs)
        except VerifyError:
            raise
        except Exception as e:
            raise PluginError(f"{self._describe(name, ep)} failed to build: {type(e).__name__}: {e}") from None
        missing = [a for a in self.needs if not hasattr(made, a)]
        if missing:
            raise PluginError(f"{self._describe(name, ep)} built a {type(made).__name__} without "
                              f"{', '.join(missing)}: {self.contract}")
        return made


VERIFIERS = Registry(
    "verifier", "verify.verifiers",
    {"torch": "verify.nli.verifier:TransformersVerifier",  # fp32 (CUDA when present)
     "bf16": "verify.nli.verifier:bf16_verifier",  # torch under bf16 autocast
     "onnx": "verify.nli.onnx:OnnxVerifier"},  # int8 ONNX Runtime ([onnx] extra)
    needs=("name", "hash", "predict"),
    contract="a verifier factory is called with keyword options only (temperature=, trust_remote_code= "
             "when set) and returns an object with name, hash and predict(pairs, batch_size, progress)")
PLUGIN_PREFIX = "plugin:"  # --model plugin:NAME chooses a registered verifier

RETRIEVERS = Registry(
    "retriever", "verify.retrievers",
    {"hybrid": "verify.corpus.store:hybrid_retriever"},  # BM25 + dense, fused by reciprocal rank
    needs=("search",),
    contract="a retriever factory is called as factory(corpus, index_dir=..., progress=...) and returns "
             "an object with search(queries, k) -> list of Evidence lists (and name, hash)")

AGGREGATORS = Registry(
    "aggregator", "verify.aggregators",
    {"rules": "verify.aggregate.rules:RulesAggregator",  # the documented rule
     "learned": "verify.aggregate.learned:LearnedAggregator.load"},  # logistic regression over the score image
    needs=("name", "__call__"),
    contract="an aggregator factory is called as factory(thresholds=Thresholds) and returns a callable "
             "aggregator(claim, window_scores, findings) -> Verdict with a name")
