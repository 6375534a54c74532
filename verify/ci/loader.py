"""Find and load claim-set YAML files, with errors that name the file, line and field."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import ValidationError

from ..errors import InputError, clip
from ..io import read_text
from .schema import ClaimSetSpec

YAML_SUFFIXES = (".yaml", ".yml")
MAX_CLAIM_SET_BYTES = 5 * 1024 * 1024  # a claim set is hand-written: megabytes of it are not
MAX_YAML_NODES = 100_000  # values once anchors/aliases are expanded
FieldPath = tuple[Union[str, int], ...]


@dataclass(frozen=True)
class ClaimSet:
    """A validated claim set plus where it came from (paths in `spec` are relative to `path`)."""

    spec: ClaimSetSpec
    path: Path
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # field path -> 1-based line in the file

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
    root, data, lines = _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: a claim set must be a YAML mapping with `name`, `corpus` and `claims` or `article`")
    _check_duplicates(path, data, lines)
    try:
        spec = ClaimSetSpec.model_validate(data)
    except ValidationError as err:
        raise InputError(_describe_validation_error(path, err, lines)) from None
    claim_set = ClaimSet(spec=spec, path=path, lines=lines)
    _check_paths_exist(claim_set, lines)
    return claim_set


def _parse_yaml(path: Path, text: str) -> tuple[yaml.Node | None, Any, dict[FieldPath, int]]:
    """Compose once, bound the document, then construct: (root node, data, field lines).

    Safe by construction: only plain YAML types are built (a `!!python/...` tag is refused, never
    run), aliases cannot expand past MAX_YAML_NODES ("billion laughs"), and a key given twice in one
    mapping is an error naming both lines, not a silent last-one-wins.
    """
    loader = yaml.SafeLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as err:
            raise InputError(f"{_where(path, err)}: invalid YAML: {_problem(err)}") from None
        except RecursionError:
            raise InputError(f"{path}: invalid YAML: nested too deeply") from None
        if root is None:
            return None, None, {}
        _check_size(path, root)
        _check_duplicate_keys(path, root)
        lines = field_lines(root)
        try:
            data = loader.construct_document(root)
        except yaml.YAMLError as err:  # e.g. a !!python/object tag: SafeLoader has no constructor for it
            raise InputError(f"{_where(path, err)}: {_problem(err)} (claim sets hold plain YAML only)") from None
        except ValueError as err:  # a date-looking scalar that is no date, e.g. 2026-13-01
            loc = _first_bad_timestamp(root) or ()
            raise InputError(f"{path}:{line_of(lines, loc)}: {format_field(loc)}: invalid date ({err})") from None
        except RecursionError:
            raise InputError(f"{path}: invalid YAML: nested too deeply") from None
        return root, data, lines
    finally:
        loader.dispose()


def _where(path: Path, err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    return f"{path}:{mark.line + 1}" if mark is not None else str(path)


def _problem(err: yaml.YAMLError) -> str:
    return clip(getattr(err, "problem", None) or str(err).splitlines()[0], 200)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_size(path: Path, root: yaml.Node) -> None:
    """Count the nodes the document has once every alias is expanded (shared nodes counted once per
    use, without expanding them) and refuse recursive aliases; linear in the composed size."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the current path: meeting one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_YAML_NODES:
                raise InputError(f"{path}:{node.start_mark.line + 1}: YAML expands to over {MAX_YAML_NODES:,} "
                                 "values (anchors and aliases multiply); refusing it")
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise InputError(f"{path}:{node.start_mark.line + 1}: a YAML alias refers to itself; refusing it")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _check_duplicate_keys(path: Path, root: yaml.Node) -> None:
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                line = key_node.start_mark.line + 1
                if key_node.value in first:
                    raise InputError(f"{path}:{line}: key {clip(repr(key_node.value), 60)} is given twice "
                                     f"(lines {first[key_node.value]} and {line}); keep one")
                first[key_node.value] = line
        stack.extend(_children(node))


def load_claim_sets(paths: list[str | Path]) -> list[ClaimSet]:
    sets = [load_claim_set(p) for p in find_claim_sets(paths)]
    names: dict[str, Path] = {}
    for s in sets:  # results, JUnit suites and the baseline are keyed by set name
        if s.name in names:
            raise InputError(f"two claim sets are named {s.name!r}: {names[s.name]} and {s.path}")
        names[s.name] = s.path
    return sets


# ---------------------------------------------------------------- line numbers


def field_lines(node: yaml.Node, prefix: FieldPath = ()) -> dict[FieldPath, int]:
    """Map each field path (keys and list indices) to the 1-based line where it starts."""
    lines: dict[FieldPath, int] = {prefix: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            lines.update(field_lines(value_node, prefix + (key,)))
            # An unknown key is reported at the key itself, not at its value.
            lines[prefix + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(field_lines(item, prefix + (index,)))
    return lines


def line_of(lines: dict[FieldPath, int], loc: FieldPath) -> int:
    """The line of `loc`, or of its nearest present parent (a missing field → its mapping)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def format_field(loc: FieldPath) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


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


def _first_bad_timestamp(node: yaml.Node | None, prefix: FieldPath = ()) -> FieldPath | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            dt.date.fromisoformat(node.value[:10])
        except ValueError:
            return prefix
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            found = _first_bad_timestamp(value_node, prefix + (str(key_node.value),))
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _first_bad_timestamp(item, prefix + (index,))
            if found is not None:
                return found
    return None


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
