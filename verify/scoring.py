"""`verify.score(contexts, answers)`: faithfulness of answers to their own contexts, as a DataFrame.

The shape RAG and summarisation evaluations use (one context per answer, no corpus): each answer
is split into claims, every check-worthy claim is verified against that answer's context only — the
context's windows are scored directly, as `Pipeline.judge` does, so no index is built — and each
claim becomes one row. Per answer:

    faithfulness = supported claims / check-worthy claims   (NaN when an answer has no check-worthy claim)

so a contradicted claim and a claim the context does not settle (not_enough_info) count alike
against it. The per-answer table is in `frame.attrs["answers"]` (`answers_frame(frame)` makes it a
DataFrame).
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence, Union

from .errors import InputError, clip
from .records import ROW_COLUMNS, ROW_DTYPES, Claim, Document, claim_row

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import Pipeline
    from .registry import Progress
    from .settings import Settings

Context = Union[str, Sequence[str]]  # one context text, or several (each scored as a passage of its own)
COLUMNS = ("answer_id",) + ROW_COLUMNS
ANSWER_COLUMNS = ("answer_id", "claims", "checkworthy", "supported", "contradicted", "not_enough_info", "faithfulness")
TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")


def score(contexts: Sequence[Context], answers: Optional[Sequence[str]] = None, *,
          claims: Optional[Sequence[Optional[Sequence[Union[str, Claim]]]]] = None, ids: Optional[Sequence[str]] = None,
          date: Optional[dt.date] = None, settings: "Settings | None" = None, pipeline: "Pipeline | None" = None,
          progress: "Progress | None" = None, **overrides) -> "pd.DataFrame":
    """One row per claim of each answer, verified against that answer's context.

    contexts: one per answer — a text, or a list of texts. answers: the texts to split into claims;
    or give `claims` (a list of claim texts per answer, all taken as check-worthy; `answers` then
    only locates them: `start`/`end` are None where a claim is not found verbatim; or the answer's
    `Claim` records, as `extract_claims` gave them, used as they are; None for an answer to split). ids: answer ids
    (default "0", "1", ...). settings / keyword overrides: as `Pipeline` takes them
    (`score(..., model="my-nli", pairs=4)`), or pass a ready `pipeline` (its model stays loaded).
    progress(stage, done, total): the one progress callback (verify/registry.py), told after each batch
    of claims ("verifying claims") and by the NLI stage ("scoring pairs").
    """
    from .pipeline import CLAIM_BATCH, VERIFYING, Pipeline, given_evidence
    from .registry import report

    if answers is None and claims is None:
        raise InputError("score: give the answers, or their claims (claims=)")
    n = len(contexts)
    for name, given in (("answers", answers), ("claims", claims), ("ids", ids)):
        if given is not None and len(given) != n:
            raise InputError(f"score: {len(given)} {name} for {n} contexts; give one per context")
    answer_ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(n)]
    if len(set(answer_ids)) != n:
        raise InputError("score: answer ids must be unique")
    if pipeline is None:
        pipeline = Pipeline(settings, progress=progress, **overrides)
    elif settings is not None or overrides:
        raise InputError("score: give either a pipeline or settings, not both")
    texts = [[c] if isinstance(c, str) else [str(t) for t in c] for c in contexts]

    per_answer = [_claims_of(answers[i] if answers is not None else None, claims[i] if claims is not None else None,
                             date) for i in range(n)]
    targets = [(i, c) for i, cs in enumerate(per_answer) for c in cs if c.checkworthy or pipeline.all_claims]
    verdicts = {}
    for start in range(0, len(targets), CLAIM_BATCH):
        batch = targets[start: start + CLAIM_BATCH]
        refs = [(f"{answer_ids[i]}\x1f{c.id}", c.text) for i, c in batch]
        got = pipeline.verify_retrieved(refs, given_evidence([texts[i] for i, _ in batch]), date)
        verdicts.update((key, v) for (key, _), v in zip(refs, got))
        report(progress, VERIFYING, min(start + CLAIM_BATCH, len(targets)), len(targets))

    import pandas as pd

    rows = [{"answer_id": answer_ids[i], **claim_row(c, verdicts.get(f"{answer_ids[i]}\x1f{c.id}"))}
            for i, cs in enumerate(per_answer) for c in cs]
    frame = pd.DataFrame(rows, columns=list(COLUMNS)).astype(ROW_DTYPES)
    frame.attrs["answers"] = [_answer_summary(answer_ids[i], [r for r in rows if r["answer_id"] == answer_ids[i]])
                              for i in range(n)]
    frame.attrs["model"] = pipeline.verifier.name
    return frame


def answers_frame(frame: "pd.DataFrame") -> "pd.DataFrame":
    """The per-answer table of a `score` frame: claims, check-worthy claims, counts per label, faithfulness."""
    import pandas as pd

    return pd.DataFrame(frame.attrs.get("answers", []), columns=list(ANSWER_COLUMNS))


def _answer_summary(answer_id: str, rows: list[dict]) -> dict:
    checked = [r for r in rows if r["label"] is not None]
    counts = {label: sum(r["label"] == label for r in checked) for label in ("supported", "contradicted", "not_enough_info")}
    worthy = sum(bool(r["checkworthy"]) for r in rows)
    return {"answer_id": answer_id, "claims": len(rows), "checkworthy": worthy, **counts,
            "faithfulness": counts["supported"] / len(checked) if checked else math.nan}


def _claims_of(answer: Optional[str], given: Optional[Sequence[Union[str, Claim]]], date: Optional[dt.date]) -> list[Claim]:
    from .extract import extract_claims

    if given is None:
        return list(extract_claims(Document(text=answer, date=date)))
    if all(isinstance(c, Claim) for c in given):  # already extracted (e.g. by the service, to size its batch)
        return list(given)
    out, cursor = [], 0
    for k, text in enumerate(given):
        text = str(text)
        at = answer.find(text, cursor) if answer is not None else -1
        if at < 0 and answer is not None:
            at = answer.find(text)
        span = (at, at + len(text)) if at >= 0 else (-1, -1)
        cursor = span[1] if at >= 0 else cursor
        out.append(Claim(id=f"c{k + 1}", text=text, source_span=span, sentence_index=k, type="entity", checkworthy=True))
    return out


# -- tables ---------------------------------------------------------------------------------------

def read_pairs(path: Path, context_col: str, answer_col: str, id_col: Optional[str] = None):
    """(contexts, answers, ids) from a .jsonl/.csv/.parquet table; a missing column or a non-text cell
    is one InputError naming it."""
    from .io import read_table

    frame = read_table(path, what="data file")
    columns = [str(c) for c in frame.columns]
    for option, col in (("--context-col", context_col), ("--answer-col", answer_col), ("--id-col", id_col)):
        if col is not None and col not in columns:
            raise InputError(f"{path} has no column {col!r} ({option}); its columns are: {', '.join(columns) or '(none)'}")
    contexts, answers = [], []
    for row, (ctx, ans) in enumerate(zip(frame[context_col], frame[answer_col]), start=1):
        if not isinstance(ans, str):
            raise InputError(f"row {row} of {path}: {answer_col!r} is not text (got {clip(repr(ans), 40)})")
        if isinstance(ctx, str):
            contexts.append(ctx)
        elif hasattr(ctx, "tolist") or isinstance(ctx, (list, tuple)):  # a list of passages (JSONL, parquet)
            contexts.append([str(t) for t in (ctx.tolist() if hasattr(ctx, "tolist") else ctx)])
        else:
            raise InputError(f"row {row} of {path}: {context_col!r} is not text (got {clip(repr(ctx), 40)})")
        answers.append(ans)
    ids = [str(v) for v in frame[id_col]] if id_col else None
    if ids is not None and len(set(ids)) != len(ids):
        raise InputError(f"{path}: column {id_col!r} (--id-col) has duplicate ids")
    return contexts, answers, ids


def table_bytes(frame: "pd.DataFrame", suffix: str) -> bytes:
    """The frame as .csv, .jsonl or .parquet bytes (written by the caller with `atomic_write`)."""
    import io

    if suffix == ".csv":
        return frame.to_csv(index=False).encode("utf-8")
    if suffix == ".jsonl":
        return frame.to_json(orient="records", lines=True, force_ascii=False).encode("utf-8")
    if suffix == ".parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    raise InputError(f"unknown table format '{suffix}' (use {', '.join(TABLE_SUFFIXES)})")
