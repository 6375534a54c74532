"""`verify bench extraction` and `verify bench checkworthiness`: the claim extractor scored on
hand-annotated files in tests/data (no model, no data folder needed).

extraction: tests/data/extraction_gold.yaml, articles with their expected atomic claims. A
predicted claim matches a gold claim when their source spans overlap (intersection over union
>= SPAN_IOU) and their texts agree (token F1 >= TEXT_F1); matching is one-to-one, best pairs
first. Reported per split (dev: rules may be tuned on it; report: only measured) and overall:
- check-worthy facts: precision = predicted check-worthy claims matched to a check-worthy gold
  claim / predicted check-worthy claims; recall = check-worthy gold claims matched by a
  check-worthy prediction / check-worthy gold claims;
- all claims (check-worthiness ignored), and check-worthiness agreement on matched pairs;
- facts lost: check-worthy gold claims whose span no predicted claim overlaps, other than one
  flagged as boilerplate (a fact dropped as page furniture).

checkworthiness: tests/data/checkworthiness_labels.yaml, documents whose sentences are labelled
factual / opinion / attribution / headline / boilerplate; each labelled sentence gets the class
the extractor's layout and check-worthiness rules give the sentence that covers it; per-class
precision, recall and F1, and a confusion table.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from ..io import atomic_write

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLD = REPO_ROOT / "tests" / "data" / "extraction_gold.yaml"
LABELS = REPO_ROOT / "tests" / "data" / "checkworthiness_labels.yaml"
SPAN_IOU = 0.5
TEXT_F1 = 0.6
SPLITS = ("dev", "report", "all")
CLASSES = ("factual", "opinion", "attribution", "headline", "boilerplate")
_TOKEN = re.compile(r"\w+")


# ------------------------------------------------------------------------------ extraction


@dataclass(frozen=True)
class GoldClaim:
    text: str
    span: tuple[int, int]
    checkworthy: bool


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """Articles of the gold file, each with `claims` as GoldClaim (spans resolved to offsets)."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"cannot read extraction gold {path}: {err}") from err
    articles = []
    for article in raw["articles"]:
        text = article["text"]
        claims = []
        for claim in article["claims"]:
            span = _find(text, claim["span"], claim.get("occurrence", 1))
            if span is None:
                raise InputError(f"{path}: {article['id']}: span not in text: {claim['span']!r}")
            claims.append(GoldClaim(claim["text"], span, bool(claim["checkworthy"])))
        articles.append({**article, "claims": claims})
    return articles


def _find(text: str, span: str, occurrence: int) -> tuple[int, int] | None:
    start = -1
    for _ in range(occurrence):
        start = text.find(span, start + 1)
        if start < 0:
            return None
    return start, start + len(span)


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower().replace("\u2019", "'")))


def token_f1(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    precision, recall = common / sum(ta.values()), common / sum(tb.values())
    return 2 * precision * recall / (precision + recall)


def span_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def match_claims(predicted: list[Any], gold: list[GoldClaim]) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs, best text agreement first."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            iou = span_iou(tuple(p.source_span), g.span)
            if iou < SPAN_IOU:
                continue
            f1 = token_f1(p.text, g.text)
            if f1 >= TEXT_F1:
                candidates.append((f1 + iou / 10, i, j))
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def score_extraction(articles: list[dict[str, Any]]) -> dict[str, Any]:
    from ..extract import extract_claims, find_document_date
    from ..records import Document

    counts = {s: Counter() for s in SPLITS}
    misses: list[dict[str, Any]] = []
    for article in articles:
        text = article["text"]
        doc = Document(id=article["id"], text=text, date=find_document_date(text))
        predicted = extract_claims(doc)
        gold = article["claims"]
        pairs = match_claims(predicted, gold)
        matched_p = {i for i, _ in pairs}
        matched_g = {j for _, j in pairs}
        c = Counter()
        c["articles"] = 1
        c["gold"] = len(gold)
        c["predicted"] = len(predicted)
        c["matched"] = len(pairs)
        c["gold_cw"] = sum(g.checkworthy for g in gold)
        c["predicted_cw"] = sum(p.checkworthy for p in predicted)
        c["cw_hits_gold"] = sum(1 for i, j in pairs if gold[j].checkworthy and predicted[i].checkworthy)
        c["cw_agree"] = sum(1 for i, j in pairs if gold[j].checkworthy == predicted[i].checkworthy)
        c["lost"] = sum(
            1 for g in gold
            if g.checkworthy
            and not any(p.reason != "boilerplate" and span_iou(tuple(p.source_span), g.span) > 0 for p in predicted)
        )
        for split in (article["split"], "all"):
            counts[split].update(c)
        for j, g in enumerate(gold):
            if j not in matched_g:
                misses.append({"article": article["id"], "split": article["split"], "kind": "missed gold",
                               "text": g.text, "checkworthy": g.checkworthy})
        for i, p in enumerate(predicted):
            if i not in matched_p:
                misses.append({"article": article["id"], "split": article["split"], "kind": "extra prediction",
                               "text": p.text, "checkworthy": p.checkworthy})
        for i, j in pairs:
            if gold[j].checkworthy != predicted[i].checkworthy:
                misses.append({"article": article["id"], "split": article["split"], "kind": "check-worthiness differs",
                               "text": predicted[i].text, "checkworthy": predicted[i].checkworthy,
                               "reason": predicted[i].reason})
    splits = {}
    for split, c in counts.items():
        splits[split] = {
            "articles": c["articles"],
            "gold_claims": c["gold"],
            "predicted_claims": c["predicted"],
            "checkworthy": {
                "gold": c["gold_cw"],
                "predicted": c["predicted_cw"],
                "precision": _ratio(c["cw_hits_gold"], c["predicted_cw"]),
                "recall": _ratio(c["cw_hits_gold"], c["gold_cw"]),
            },
            "all_claims": {"precision": _ratio(c["matched"], c["predicted"]), "recall": _ratio(c["matched"], c["gold"])},
            "checkworthiness_agreement": _ratio(c["cw_agree"], c["matched"]),
            "facts_lost": c["lost"],
        }
    return {"splits": splits, "errors": misses}


def extraction_markdown(record: dict[str, Any]) -> str:
    lines = [
        "# Claim extraction on the gold articles",
        "",
        f"`{record['command']}` on `{record['gold']}` ({record['date']}). A predicted claim matches a gold one "
        f"when their spans overlap (IoU >= {SPAN_IOU}) and their texts agree (token F1 >= {TEXT_F1}), one to one. "
        "Rules may be tuned on the **dev** articles; the **report** articles are only measured.",
        "",
        "| split | articles | gold claims | predicted | check-worthy P | check-worthy R | all-claims P | all-claims R | check-worthiness agreement | facts lost |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for split, s in record["splits"].items():
        cw, every = s["checkworthy"], s["all_claims"]
        lines.append(
            f"| {split} | {s['articles']} | {s['gold_claims']} | {s['predicted_claims']} | {_fmt(cw['precision'])} | "
            f"{_fmt(cw['recall'])} | {_fmt(every['precision'])} | {_fmt(every['recall'])} | "
            f"{_fmt(s['checkworthiness_agreement'])} | {s['facts_lost']} |"
        )
    lines += ["", "## Errors (report split)", ""]
    report_errors = [e for e in record["errors"] if e["split"] == "report"]
    for e in report_errors:
        lines.append(f"- {e['article']}: {e['kind']}: {e['text']} (check-worthy: {e['checkworthy']})")
    if not report_errors:
        lines.append("none")
    return "\n".join(lines) + "\n"


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


# ------------------------------------------------------------------------------ check-worthiness


def load_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    """Documents with their text and labelled sentence spans: each `lines` entry is
    [label, sentence] (a new line) or [label, sentence, "+"] (continues the previous line);
    blank lines come from `["", ""]`."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise InputError(f"cannot read check-worthiness labels {path}: {err}") from err
    documents = []
    for doc in raw["documents"]:
        text = ""
        items = []
        for entry in doc["lines"]:
            label, sentence = entry[0], entry[1]
            if label and label not in CLASSES:
                raise InputError(f"{path}: {doc['id']}: unknown label {label!r}")
            if len(entry) > 2 and entry[2] == "+" and text:
                text += " "
            elif text:
                text += "\n"
            start = len(text)
            text += sentence
            if label:
                items.append((label, (start, len(text)), sentence))
        documents.append({**doc, "text": text + "\n", "items": items})
    return documents


def predicted_class(checkworthy: bool, reason: str | None, role: str) -> str:
    """The labelled-set class of one sentence from the extractor's decisions."""
    if role == "furniture":
        return "boilerplate"
    if role == "headline":
        return "headline"
    if checkworthy:
        return "factual"
    return "attribution" if reason == "attribution" else "opinion"


def classify_document(text: str) -> list[tuple[tuple[int, int], str]]:
    """(span, class) of every sentence of `text`."""
    from ..extract.classify import check_worthiness
    from ..extract.layout import classify_layout
    from ..text.sentences import iter_sentences

    out = []
    for sentence, role in classify_layout(text, iter_sentences(text)):
        checkworthy, reason = check_worthiness(sentence.text, headline=role == "headline")
        out.append(((sentence.start, sentence.end), predicted_class(checkworthy, reason, role)))
    return out


def score_checkworthiness(documents: list[dict[str, Any]]) -> dict[str, Any]:
    confusion = {s: Counter() for s in SPLITS}
    errors = []
    for doc in documents:
        predicted = classify_document(doc["text"])
        for label, span, sentence in doc["items"]:
            overlaps = [(min(span[1], s[1]) - max(span[0], s[0]), cls) for s, cls in predicted]
            best = max(overlaps, default=(0, "boilerplate"))
            guess = best[1] if best[0] > 0 else "boilerplate"  # a sentence no claim covers was dropped
            for split in (doc["split"], "all"):
                confusion[split][(label, guess)] += 1
            if guess != label:
                errors.append({"document": doc["id"], "split": doc["split"], "label": label, "predicted": guess,
                               "sentence": sentence})
    splits = {}
    for split, table in confusion.items():
        per_class = {}
        for cls in CLASSES:
            tp = table[(cls, cls)]
            predicted_n = sum(v for (g, p), v in table.items() if p == cls)
            gold_n = sum(v for (g, p), v in table.items() if g == cls)
            precision, recall = _ratio(tp, predicted_n), _ratio(tp, gold_n)
            f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else None
            per_class[cls] = {"support": gold_n, "predicted": predicted_n, "precision": precision, "recall": recall, "f1": f1}
        total = sum(table.values())
        splits[split] = {
            "sentences": total,
            "accuracy": _ratio(sum(table[(c, c)] for c in CLASSES), total),
            "classes": per_class,
            "confusion": {g: {p: table[(g, p)] for p in CLASSES} for g in CLASSES},
        }
    return {"splits": splits, "errors": errors}


def checkworthiness_markdown(record: dict[str, Any]) -> str:
    lines = [
        "# Check-worthiness rules on the labelled sentences",
        "",
        f"`{record['command']}` on `{record['labels']}` ({record['date']}). Each labelled sentence gets the class "
        "the extractor gives it: layout (headline, page furniture = boilerplate), then the ordered rules of "
        "`verify/extract/classify.py` (check-worthy = factual; not check-worthy with reason attribution = "
        "attribution of opinion; other reasons = opinion). Rules may be tuned on **dev**; **report** is only measured.",
        "",
    ]
    for split, s in record["splits"].items():
        lines += [f"## {split}: {s['sentences']} sentences, accuracy {_fmt(s['accuracy'])}", "",
                  "| class | support | predicted | precision | recall | F1 |", "|---|---|---|---|---|---|"]
        for cls, m in s["classes"].items():
            lines.append(f"| {cls} | {m['support']} | {m['predicted']} | {_fmt(m['precision'])} | {_fmt(m['recall'])} | {_fmt(m['f1'])} |")
        lines += ["", "confusion (rows: label, columns: predicted): " + ", ".join(CLASSES), ""]
        for g, row in s["confusion"].items():
            lines.append(f"- {g}: " + " ".join(str(row[p]) for p in CLASSES))
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ running


def run_extraction_bench(out: Path, gold: Path | None = None) -> dict[str, Path]:
    gold = gold or GOLD
    record = {"benchmark": "extraction", "command": "verify bench extraction", "gold": _rel(gold),
              "date": dt.date.today().isoformat(), "span_iou": SPAN_IOU, "text_f1": TEXT_F1,
              **score_extraction(load_gold(gold))}
    return _write(out, "extraction-gold", record, extraction_markdown(record))


def run_checkworthiness_bench(out: Path, labels: Path | None = None) -> dict[str, Path]:
    labels = labels or LABELS
    record = {"benchmark": "checkworthiness", "command": "verify bench checkworthiness", "labels": _rel(labels),
              "date": dt.date.today().isoformat(), **score_checkworthiness(load_labels(labels))}
    return _write(out, "checkworthiness", record, checkworthiness_markdown(record))


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _write(out: Path, stem: str, record: dict[str, Any], markdown: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / f"{stem}.json", "md": out / f"{stem}.md"}
    atomic_write(paths["json"], json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    atomic_write(paths["md"], markdown)
    return paths
