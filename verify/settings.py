"""Everything that decides a pipeline's answers, declared once.

`Settings` is the one model every front door takes its settings from: `Pipeline`, `verify check`,
`ci`, `bench`, `run`, `score` and `serve`. It is frozen (a run's settings cannot drift half-way)
and validated (a bad value is one `InputError`, exit 2). Runtime plumbing that does not change an
answer — progress callbacks, the score cache's location — is not a setting.

    Settings()                                  # the defaults
    Settings(top_k=8, pairs=None)               # keyword overrides, validated
    Settings.load(overrides={"top_k": 8})       # + verify.toml / [tool.verify] in pyproject.toml

Precedence: the defaults < the settings file < a calibration profile < options actually given
(`overrides`). The file is `--config FILE`, else `verify.toml` in the working directory, else the
`[tool.verify]` table of its `pyproject.toml`; keys are the field names below (TOML has no null:
`pairs = "all"` / `windows_kept = "all"` for every window). Library code never reads a file by
itself: `Pipeline()` is the defaults; the command line calls `Settings.load`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError, ModelError
from .registry import AGGREGATORS, RETRIEVERS, VERIFIERS

SETTLE = 0.6  # early exit by default: the probability that settles a claim after half the pair budget (benchmarks/window_rank.py, SciFact train)
PAIRS = 4  # NLI pairs (evidence windows) per claim by default; curves: benchmarks/window_rank.py (ranking and budget, SciFact train), benchmarks/perf.py --sections pairs
ENGINES = ("auto", *VERIFIERS.builtin_names())  # auto = bf16 where the hardware runs it natively, else torch

SETTINGS_FILE = "verify.toml"
MAX_SETTINGS_BYTES = 1024 * 1024  # a settings file is a few lines; refuse anything bigger


Row3 = tuple[float, float, float]


class VerdictScaling(BaseModel):
    """A calibration of an aggregator's verdict probabilities (matrix scaling), fitted by `verify
    calibrate` on labelled claims (verify/profile.py): with the labels in the order supported,
    contradicted, not_enough_info, P'(k) ∝ exp(Σ_j weights[k][j] · log P(j) + bias[k]). Applied by the
    aggregator before it decides the label (verify/aggregate/base.py `scale`); the default is the identity."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    weights: tuple[Row3, Row3, Row3] = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    bias: Row3 = (0.0, 0.0, 0.0)

    @field_validator("weights", "bias")
    @classmethod
    def _finite(cls, v: Any) -> Any:
        flat = [x for row in v for x in row] if v and isinstance(v[0], tuple) else list(v)
        if any(not (-100.0 <= x <= 100.0) for x in flat):  # also refuses NaN
            raise ValueError("verdict scaling values must be finite numbers within ±100")
        return v


class Thresholds(BaseModel):
    """Where the aggregators draw their lines (verify/aggregate)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    support: float = Field(0.5, ge=0, le=1)
    contradict: float = Field(0.5, ge=0, le=1)
    relevance: float = Field(0.5, ge=0, le=1)  # share of claim words a window needs for its entailment or contradiction to count in full
    cite: int = Field(2, ge=1)  # evidence windows cited per verdict
    scaling: Optional[VerdictScaling] = None  # verdict calibration from a profile (None = the aggregator's own probabilities)


class Settings(BaseModel):
    """The pipeline's settings (see the README's "Settings" table)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- verifier ---------------------------------------------------------------------------
    model: Optional[str] = None  # embedded name, local folder, Hugging Face id (None = the embedded default)
    engine: str = "auto"  # auto (bf16 where native, else torch) | torch | bf16 | onnx (int8 ONNX Runtime)
    trust_remote_code: bool = False
    label_map: Optional[dict[str, str]] = None  # model label (name or id) -> entailment|neutral|contradiction|not_entailment
    temperature: Optional[float] = Field(None, gt=0)  # NLI logit temperature (None = the model folder's calibration.json)
    batch_size: int = Field(32, ge=1, le=4096)
    cache: Union[bool, str] = False  # persistent SQLite score cache: True = default folder, a path, or False
    # -- retrieval --------------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=100)  # passages retrieved per claim
    index_dir: Optional[str] = None  # index folder (None = in verify's cache)
    retriever: str = "hybrid"  # registered retriever that opens a corpus (verify/registry.py): BM25 + dense
    # -- scoring and verdicts ---------------------------------------------------------------
    checks: bool = True  # numeric and date consistency checks
    pairs: Optional[int] = Field(PAIRS, ge=1)  # evidence windows scored per claim (None = every window)
    windows_kept: Optional[int] = Field(None, ge=1)  # sub-windows per passage besides the whole one (None = all)
    # early exit: score the first half of the pair budget, and the rest only for claims the
    # aggregator has not called supported or contradicted with at least this probability (None = off)
    settle: Optional[float] = Field(SETTLE, gt=0, le=1)
    aggregator: str = "rules"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    # -- extraction -------------------------------------------------------------------------
    all_claims: bool = False  # verify claims marked not check-worthy too
    max_claims: Optional[int] = Field(None, ge=1)  # check: refuse an article with more claims to verify than this
    # -- text -------------------------------------------------------------------------------
    lexicons: tuple[str, ...] = ()  # user lexicon files (YAML/JSON) merged over the built-in word lists, in order

    @field_validator("pairs", "windows_kept", mode="before")
    @classmethod
    def _all(cls, v: Any) -> Any:
        """'all' (any case) = every window (None); numbers may come as text from a command line."""
        if isinstance(v, str):
            text = v.strip().lower()
            if text == "all":
                return None
            if text.isdigit():
                return int(text)
            raise ValueError(f"must be a positive number or 'all', got {v!r}")
        return v

    @field_validator("settle", mode="before")
    @classmethod
    def _off(cls, v: Any) -> Any:
        """'off' (any case) = no early exit (None); a probability may come as text from a command line."""
        if isinstance(v, str):
            text = v.strip().lower()
            if text == "off":
                return None
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"must be a probability in (0, 1] or 'off', got {v!r}") from None
        return v

    @field_validator("aggregator", "retriever", "engine")
    @classmethod
    def _known_name(cls, v: str, info: Any) -> str:
        """A stage chosen by name must exist: the registry's names (plugins included), engines."""
        choices = {"aggregator": AGGREGATORS, "retriever": RETRIEVERS, "engine": ENGINES}[info.field_name]
        if v not in choices:
            raise ValueError(f"unknown {info.field_name} '{v}' (choose from: {', '.join(choices)})")
        return v

    @field_validator("label_map", mode="before")
    @classmethod
    def _label_map(cls, v: Any) -> Any:  # "LABEL_0=entailment,LABEL_1=not_entailment" or a dict
        try:
            return parse_label_map(v)
        except ModelError as e:
            raise ValueError(str(e)) from None

    @classmethod
    def make(cls, _name: Callable[[str], str] = lambda field: f"setting {field}", **values: Any) -> "Settings":
        """`Settings(**values)` with a validation failure turned into one `InputError` (exit 2);
        `_name(field)` says where a bad value came from (a file, a flag)."""
        try:
            return cls(**values)
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ())) or "settings"
            msg = "unknown setting" if first.get("type") == "extra_forbidden" else first.get("msg", "invalid")
            raise InputError(f"{_name(where)}: {str(msg).removeprefix('Value error, ')}") from None

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some values changed, validated again (`thresholds` may be a partial dict)."""
        return self.make(**merge(self.model_dump(), changes))

    @classmethod
    def load(cls, config: str | Path | None = None, overrides: dict | None = None,
             cwd: str | Path | None = None) -> "Settings":
        """The defaults < the settings file (`config`, else found in `cwd`) < `overrides`."""
        found = settings_file(config, cwd)
        base = cls() if found is None else cls.make(**read_settings_file(found))
        return base.replace(**overrides) if overrides else base


def merge(base: dict, changes: dict) -> dict:
    """`base` updated by `changes`, with the nested `thresholds` table merged key by key."""
    out = {**base, **changes}
    if isinstance(changes.get("thresholds"), dict) and isinstance(base.get("thresholds"), dict):
        out["thresholds"] = {**base["thresholds"], **changes["thresholds"]}
    return out


def settings_file(config: str | Path | None = None, cwd: str | Path | None = None) -> Optional[Path]:
    """`config` (which must exist), else ./verify.toml, else ./pyproject.toml when it has [tool.verify]."""
    if config is not None:
        path = Path(config).expanduser()
        if not path.is_file():
            raise InputError(f"settings file not found: {path}")
        return path
    folder = Path(cwd) if cwd is not None else Path.cwd()
    if (folder / SETTINGS_FILE).is_file():
        return folder / SETTINGS_FILE
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and "[tool.verify]" in _read(pyproject):
        return pyproject
    return None


def _read(path: Path) -> str:
    from .io import read_text

    return read_text(path, "settings file", max_bytes=MAX_SETTINGS_BYTES)


def read_settings_file(path: str | Path) -> dict[str, Any]:
    """The values a settings file sets, validated. A bad file is one InputError naming it: not
    TOML, too large, not text, an unknown key or a bad value. In a pyproject.toml only the
    [tool.verify] table is read. Relative `index_dir` / `cache` / `lexicons` paths are relative to the file."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    path = Path(path)
    try:
        data = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML ({e})") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("verify", {})
        if not isinstance(data, dict):
            raise InputError(f"{path}: [tool.verify] must be a table")
    for key in ("index_dir", "cache"):
        value = data.get(key)
        if isinstance(value, str) and not Path(value).expanduser().is_absolute():
            data[key] = str(path.parent / value)
    if isinstance(data.get("lexicons"), list):
        data["lexicons"] = [str(path.parent / v) if isinstance(v, str) and not Path(v).expanduser().is_absolute() else v
                            for v in data["lexicons"]]
    checked = Settings.make(_name=lambda field: f"{path}: {field}", **data)
    return checked.model_dump(include=set(checked.model_fields_set))


MAP_TARGETS = ("entailment", "neutral", "contradiction", "not_entailment")


def parse_label_map(value: str | dict | None) -> dict[str, str] | None:
    """`LABEL_0=entailment,LABEL_1=neutral,...` (or a dict) → {model label: NLI label}; keys are the
    model's label names or output ids; values one of MAP_TARGETS. A bad map is one ModelError."""
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, str):
        items = [part.split("=", 1) for part in value.split(",") if part.strip()]
        if any(len(item) != 2 for item in items):
            raise ModelError(f"label map {value!r}: write MODEL_LABEL=NLI_LABEL pairs joined by commas, "
                             "e.g. LABEL_0=entailment,LABEL_1=not_entailment")
        value = dict(items)
    out = {str(k).strip(): str(v).strip().lower() for k, v in dict(value).items()}
    bad = sorted(v for v in out.values() if v not in MAP_TARGETS)
    if bad:
        raise ModelError(f"label map: unknown NLI label {bad[0]!r} (use {', '.join(MAP_TARGETS)})")
    return out
