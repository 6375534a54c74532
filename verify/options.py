"""The command-line options that map to `Settings`, declared once and shared by every command.

    @app.command()
    @settings_options("model", "engine", "top_k", defaults={"max_claims": 1000})
    def check(article: Path = typer.Argument(...), *, settings: Settings, profile: Profile | None): ...

`settings_options(*fields)` appends the chosen options (plus `--config`, `--profile` and
`--quiet/-q`) to the command's signature and hands the command one validated `Settings`:
the defaults < the command's `defaults` < the settings file (`--config FILE`, ./verify.toml or
[tool.verify] in ./pyproject.toml) < `--profile` < the options actually given. Every option
defaults to None ("not given"), so a file value is never overwritten by a default. A bad value is
one `InputError` (exit 2) naming the flag or the file it came from.
"""
from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import typer

from .settings import Settings, merge, read_settings_file, settings_file


@dataclass(frozen=True)
class Flag:
    field: str  # a Settings field, or "thresholds.<key>"
    decls: tuple[str, ...]
    type: Any
    help: str
    metavar: Optional[str] = None  # shown in --help instead of the type

    def default(self, base: Settings) -> Any:
        value = base.model_dump()
        for part in self.field.split("."):
            value = value[part]
        return value


def _help(flag: Flag, shown: Settings) -> str:
    """The flag's help with the command's default (a None default is explained in the help itself)."""
    value = flag.default(shown)
    if value is None or value == ():
        return flag.help
    return f"{flag.help} (default: {('on' if value else 'off') if isinstance(value, bool) else value})"


# parameter name → option; the one declaration of every settings flag (README "Settings" lists them).
FLAGS: dict[str, Flag] = {f.field.replace("thresholds.", "") + ("_threshold" if f.field.startswith("thresholds.") else ""): f for f in (
    Flag("model", ("--model",), Optional[str],
         "Verifier: an embedded name (`verify models`), one exported by `verify train --export`, a local folder or a "
         "Hugging Face id (default: the embedded minilm-nli)."),
    Flag("engine", ("--engine",), Optional[str],
         "NLI inference engine: auto (bf16 where the CPU/GPU runs it natively, else torch), torch (fp32), bf16 (torch "
         "bf16 autocast) or onnx (int8 ONNX Runtime, exported once and cached; [onnx] extra)."),
    Flag("trust_remote_code", ("--trust-remote-code/--no-trust-remote-code",), Optional[bool],
         "Allow a hub model's own Python code to run (it is code from the internet)."),
    Flag("temperature", ("--temperature",), Optional[float],
         "NLI logit temperature (default: the model folder's calibration.json)."),
    Flag("cache", ("--cache/--no-cache",), Optional[bool],
         "Reuse scores of pairs already seen, from a SQLite file in $VERIFY_CACHE_DIR (default ~/.cache/verify)."),
    Flag("top_k", ("--top-k",), Optional[int], "Passages retrieved per claim (1-100)."),
    Flag("index_dir", ("--index",), Optional[str],
         "Index folder (default: a folder in verify's cache, $VERIFY_CACHE_DIR; the corpus folder is never written)."),
    Flag("checks", ("--checks/--no-checks",), Optional[bool], "Numeric, date, place, role and relation consistency checks."),
    Flag("pairs", ("--pairs",), Optional[str],
         "Evidence windows scored per claim (NLI pairs): the best by word overlap with the claim, shorter windows first at equal overlap (verify.nli.windows.LENGTH_COST); 'all' scores every window."),
    Flag("settle", ("--settle",), Optional[str],
         "Early exit: score the first half of --pairs, and the rest only for claims not yet called supported or "
         "contradicted with at least this probability (default 0.6; 'off' scores every budgeted window)."),
    Flag("windows_kept", ("--windows",), Optional[str],
         "Faster: score each passage whole plus only the N sentence windows closest to the claim (default: every window)."),
    Flag("aggregator", ("--aggregator",), Optional[str],
         "How window scores and checks become a verdict: rules (the documented rule) or learned (a logistic "
         "regression trained on SciFact train)."),
    Flag("thresholds.support", ("--support-threshold",), Optional[float], "Minimum P(supported) for a supported verdict."),
    Flag("thresholds.contradict", ("--contradict-threshold",), Optional[float],
         "Minimum P(contradicted) for a contradicted verdict."),
    Flag("all_claims", ("--all-claims/--no-all-claims",), Optional[bool], "Also verify claims marked not check-worthy."),
    Flag("label_map", ("--label-map",), Optional[str],
         "The model's output labels as NLI labels, e.g. LABEL_0=entailment,LABEL_1=neutral,LABEL_2=contradiction; "
         "a 2-label model: LABEL_1=entailment,LABEL_0=not_entailment."),
    Flag("retriever", ("--retriever",), Optional[str],
         "Retriever that opens the corpus: hybrid (BM25 + dense, built in) or one a package registered."),
    Flag("lexicons", ("--lexicon",), Optional[list[str]],
         "Lexicon file (YAML/JSON) merged over the built-in word lists: name aliases, nationalities, event and "
         "counted nouns, unit aliases, event words (docs/lexicons.md). Repeatable.", "FILE"),
    Flag("max_claims", ("--max-claims",), Optional[int],
         "Refuse (exit 2) an article with more claims to verify than this, before any scoring (1000 claims take "
         "~12 min on 2 CPU cores)."),
)}
FLAG_OF_FIELD = {f.field: f.decls[0].split("/")[0] for f in FLAGS.values()}

CONFIG_HELP = ("Settings file (TOML; default: ./verify.toml, else [tool.verify] in ./pyproject.toml). "
               "Options given on the command line win over it.")
PROFILE_HELP = "Calibration profile (JSON from `verify calibrate`): temperature, verdict calibration and thresholds."
QUIET_HELP = "No progress bars and no summary on the terminal."
# Injected into the command when its signature asks for them.
INJECTED = ("settings", "profile", "profile_path", "quiet")


def warn_deprecated(old: str, new: str) -> None:
    """One line on stderr; the old spelling keeps working."""
    typer.echo(f"warning: {old} is deprecated; use {new}", err=True)


def settings_from_options(given: dict[str, Any], config: Optional[Path] = None, profile_path: Optional[Path] = None,
                          defaults: Optional[dict] = None):
    """(Settings, Profile | None) from the options given (parameter name → value, None = not given),
    over the profile, over the settings file, over `defaults`, over Settings' own defaults."""
    base = Settings.make(**(defaults or {}))
    found = settings_file(config)
    if found is not None:
        base = Settings.make(**merge(base.model_dump(), read_settings_file(found)))
    profile = None
    if profile_path is not None:
        from .profile import load_profile

        profile = load_profile(profile_path)
        base = base.replace(**profile.settings_changes())
    changes: dict[str, Any] = {}
    for name, value in given.items():
        if value is None or (isinstance(value, (list, tuple)) and not value):  # not given (an empty repeatable)
            continue
        field = FLAGS[name].field
        if field.startswith("thresholds."):
            changes.setdefault("thresholds", {})[field.split(".", 1)[1]] = value
        else:
            changes[field] = value
    settings = base if not changes else Settings.make(_name=lambda field: FLAG_OF_FIELD.get(field, field),
                                                      **merge(base.model_dump(), changes))
    if profile is not None:
        from .profile import check_profile_settings

        check_profile_settings(profile, settings)
    return settings, profile


def settings_options(*names: str, defaults: Optional[dict] = None,
                     before: Optional[Callable[[dict, dict], None]] = None):
    """Decorator for a typer command: add the options `names` (keys of FLAGS) plus --config,
    --profile and --quiet/-q, and call the command with `settings` (and `profile`, the loaded
    Profile, `profile_path`, `quiet` when its signature has them). `before(given, kwargs)` may
    rewrite the raw values first (deprecated aliases)."""
    unknown = [n for n in names if n not in FLAGS]
    if unknown:
        raise ValueError(f"no settings option named {unknown}")
    command_defaults = defaults or {}
    shown = Settings.make(**command_defaults)

    def decorate(func):
        sig = inspect.signature(func)
        hints = typing.get_type_hints(func)
        wants = {n for n in INJECTED if n in sig.parameters}
        own = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()
               if p.name not in INJECTED]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=FLAGS[name].type,
                                   default=typer.Option(None, *FLAGS[name].decls, show_default=False,
                                                        metavar=FLAGS[name].metavar, help=_help(FLAGS[name], shown)))
                 for name in names]
        added += [
            inspect.Parameter("config", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[Path],
                              default=typer.Option(None, "--config", help=CONFIG_HELP, show_default=False)),
            inspect.Parameter("profile", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[Path],
                              default=typer.Option(None, "--profile", help=PROFILE_HELP, show_default=False)),
            inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
                              default=typer.Option(False, "--quiet", "-q", help=QUIET_HELP)),
        ]

        @functools.wraps(func)
        def command(**kwargs):
            given = {n: kwargs.pop(n) for n in names}
            config, profile_path, quiet = kwargs.pop("config"), kwargs.pop("profile"), kwargs.pop("quiet")
            if before is not None:
                before(given, kwargs)
            settings, profile = settings_from_options(given, config, profile_path, command_defaults)
            injected = {"settings": settings, "profile": profile, "profile_path": profile_path, "quiet": quiet}
            return func(**kwargs, **{k: v for k, v in injected.items() if k in wants})

        del command.__wrapped__  # typer reads the signature below, not the wrapped function's
        command.__signature__ = sig.replace(parameters=own + added)
        command.__annotations__ = {p.name: p.annotation for p in own + added}
        return command

    return decorate
