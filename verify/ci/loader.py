"""Find and load claim-set YAML files, with errors that name the file, line and field."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, clip
from ..io import FieldPath, format_field, line_of, parse_yaml, read_text
from .schema import ClaimSetSpec

YAML_SUFFIXES = (".yaml", ".yml")
MAX_CLAIM_SET_BYTES = 5 * 1024 * 1024  # a claim set is hand-written: megabytes of it are not


@dataclass(frozen=True)
class ClaimSet:
    """A validated claim set plus where it came from (paths in `spec` are relative to `path`)."""

    spec: ClaimSetSpec
    path: Path

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def corpus_path(self) -> Path | None:
        return (self.base_dir / self.spec.corpus) if self.spec.corpus is not None else None

    @property
    def article_path(self) -> Path | None:
        return (self.base_dir / self.spec.article) if self.spec.article is not None else None

    @property
    def is_article_set(self) -> bool:
        return self.spec.article is not None

    def corpus(self) -> Any:
        """What Pipeline accepts as a corpus: the folder path, or SourceDocs for inline passages."""
        if self.spec.passages is None:
            return str(self.corpus_path)
        from ..corpus.loaders import SourceDoc

        return [SourceDoc(id=p.id, text=p.text, title=p.title, source=str(self.path)) for p in self.spec.passages]


def is_claim_set_filename(path: Path) -> bool:
    """Folder discovery rule: `claims.yaml` / `claims.yml` or `*.claims.yaml` / `*.claims.yml`."""
    name = path.name.lower()
    return any(name == f"claims{s}" or name.endswith(f".claims{s}") for s in YAML_SUFFIXES)


def find_claim_sets(paths: list[str | Path]) -> list[Path]:
    """Expand files and folders into claim-set files (sorted, no duplicates).

    A file given explicitly is taken as a claim set if it is YAML, whatever its name (pre-commit
    passes changed files one by one). In a folder, only files named by `is_claim_set_filename`
    count, so other YAML (CI configs, notes) can live alongside; hidden folders are skipped.
    """
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(f"claim set path not found: {path}")
        if path.is_file():
            if path.suffix.lower() not in YAML_SUFFIXES:
                raise InputError(f"not a claim-set file (expected .yaml or .yml): {path}")
            found.append(path)
            continue
        in_folder = [
            f
            for f in sorted(path.rglob("*"))
            if f.is_file()
            and is_claim_set_filename(f)
            and not any(part.startswith(".") for part in f.relative_to(path).parts)
        ]
        if not in_folder:
            raise InputError(f"no claim sets under {path} (looked for claims.yaml and *.claims.yaml)")
        found.extend(in_folder)
    unique: dict[Path, Path] = {}
    for f in found:
        unique.setdefault(f.resolve(), f)
    return sorted(unique.values(), key=lambda f: str(f))


def load_claim_set(path: str | Path) -> ClaimSet:
    """Read, validate and resolve one claim-set file; raise InputError naming file:line: field."""
    path = Path(path)
    text = read_text(path, "claim set", max_bytes=MAX_CLAIM_SET_BYTES)
    root, data, lines = parse_yaml(path, text)
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: a claim set must be a YAML mapping with `name`, `corpus` and `claims` or `article`")
    _check_duplicates(path, data, lines)
    try:
        spec = ClaimSetSpec.model_validate(data)
    except ValidationError as err:
        raise InputError(_describe_validation_error(path, err, lines)) from None
    claim_set = ClaimSet(spec=spec, path=path)
    _check_paths_exist(claim_set, lines)
    return claim_set


def load_claim_sets(paths: list[str | Path]) -> list[ClaimSet]:
    sets = [load_claim_set(p) for p in find_claim_sets(paths)]
    names: dict[str, Path] = {}
    for s in sets:  # results, JUnit suites and the baseline are keyed by set name
        if s.name in names:
            raise InputError(f"two claim sets are named {s.name!r}: {names[s.name]} and {s.path}")
        names[s.name] = s.path
    return sets


# ---------------------------------------------------------------- error messages


def _describe_validation_error(path: Path, err: ValidationError, lines: dict[FieldPath, int]) -> str:
    problems = []
    for error in err.errors():
        loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
        explanation = _explain(error)
        # Cross-field checks raise "field: message" from a model validator (loc without the field).
        named = re.match(r"^(\w+): (.*)$", explanation) if error["type"] == "value_error" else None
        if named:
            loc, explanation = loc + (named.group(1),), named.group(2)
        problems.append(f"{path}:{line_of(lines, loc)}: {format_field(loc)}: {explanation}")
    extra = f" (and {len(problems) - 1} more: {'; '.join(problems[1:4])})" if len(problems) > 1 else ""
    return problems[0] + extra


def _is_union_tag(part: object) -> bool:
    # pydantic inserts the branch type name ("list[...]", "str") into locs for Optional unions.
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "date"})


def _explain(error: dict) -> str:
    kind = error["type"]
    got = error.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see claims/README.md for the allowed keys)"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"must be one of {allowed} (got {clip(repr(got), 80)})"
    message = str(error["msg"]).removeprefix("Value error, ")
    return clip(message, 200) if kind == "value_error" else f"{message} (got {clip(repr(got), 80)})"


def _check_duplicates(path: Path, data: dict, lines: dict[FieldPath, int]) -> None:
    for section, key in (("claims", "text"), ("expect", "match")):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            value = item.get(key) if isinstance(item, dict) else None
            if not isinstance(value, str):
                continue
            if value in seen:
                loc = (section, index, key)
                raise InputError(
                    f"{path}:{line_of(lines, loc)}: {format_field(loc)}: duplicate of "
                    f"{section}[{seen[value]}] ({clip(repr(value), 80)}); results and the baseline are keyed by it"
                )
            seen[value] = index


def _check_paths_exist(claim_set: ClaimSet, lines: dict[FieldPath, int]) -> None:
    path = claim_set.path
    corpus = claim_set.corpus_path
    if corpus is not None and not corpus.exists():
        raise InputError(f"{path}:{line_of(lines, ('corpus',))}: corpus: not found: {corpus}")
    article = claim_set.article_path
    if article is not None and not article.is_file():
        raise InputError(f"{path}:{line_of(lines, ('article',))}: article: file not found: {article}")
