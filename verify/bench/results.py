"""Write a run's results (JSON + Markdown + PNG plots) and compare two results files."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Optional

from ..errors import InputError
from ..io import atomic_write

SUMMARY_METRICS = ("accuracy", "macro_f1", "balanced_accuracy", "auroc", "ece")


def result_stem(record: dict) -> str:
    """<dataset>-<split>-<mode>-<model>[-nochecks][-wN][-pN|-pall][-settleP|-settleoff][-learned]: one file
    set per table row (-pN only when N is not the default pair budget, -settleP / -settleoff only when the
    early exit is not the default; a record from before the early exit was on by default names no
    settle and had it off)."""
    from ..settings import PAIRS as DEFAULT_PAIRS, SETTLE as DEFAULT_SETTLE

    settings = record["settings"]
    stem = f"{record['dataset']}-{record['split']}-{record['mode']}-{record['model']['label']}"
    if not settings.get("checks", True):
        stem += "-nochecks"
    if settings.get("windows_kept") is not None:
        stem += f"-w{settings['windows_kept']}"
    if "pairs" in settings and settings["pairs"] != DEFAULT_PAIRS:
        stem += "-pall" if settings["pairs"] is None else f"-p{settings['pairs']}"
    if "settle" in settings and settings["settle"] != DEFAULT_SETTLE:
        stem += "-settleoff" if settings["settle"] is None else f"-settle{settings['settle']:g}"
    if settings.get("aggregator", "rules") != "rules":
        stem += f"-{settings['aggregator']}"
    return stem


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown_summary(record: dict) -> str:
    m, perf = record["metrics"], record["performance"]
    low, high = m["headline_ci95"]
    lines = [
        f"# {record['dataset']} ({record['split']}, {record['mode']} mode) — {record['model']['name']}",
        "",
        f"n = {record['n']} (limit {record['limit']}, seed {record['seed']}), model hash `{record['model']['hash']}`, "
        f"data sha256 `{record['data']['sha256'][:16]}…`, {record['date']}",
        "",
        "| metric | value |", "|---|---|",
        *(f"| {name} | {fmt(m.get(name))} |" for name in SUMMARY_METRICS),
        f"| {m['headline']} 95% CI (bootstrap) | {fmt(low)} – {fmt(high)} |",
    ]
    if "raw_nei_rate" in m:
        lines.append(f"| NEI before forced 2-way choice | {fmt(m['raw_nei_rate'])} |")
    for name, value in (m.get("retrieval") or {}).items():
        lines.append(f"| retrieval {name} | {fmt(value)} |")
    lines += ["", "| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, row in m["per_class"].items():
        lines.append(f"| {label} | {fmt(row['precision'])} | {fmt(row['recall'])} | {fmt(row['f1'])} | {row['support']} |")
    cm = m["confusion_matrix"]
    lines += ["", "Confusion matrix (rows = gold, columns = predicted):", "",
              "| gold \\ pred | " + " | ".join(cm["labels"]) + " |", "|---" * (len(cm["labels"]) + 1) + "|"]
    for label, row in zip(cm["labels"], cm["rows_gold_cols_pred"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", f"Wall time {fmt(perf['wall_seconds'], 1)} s, {fmt(perf['claims_per_second'], 1)} examples/s, "
              f"{fmt(perf['pairs_per_second'], 1)} pairs/s, peak memory {fmt(perf['peak_memory_mb'], 0)} MB."]
    for note in record["data"]["notes"]:
        lines += ["", f"Note: {note}."]
    if record["settings"].get("majority_source"):
        lines += ["", f"Majority class taken from the {record['settings']['majority_source']}."]
    return "\n".join(lines) + "\n"


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def plot_confusion(record: dict) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = record["metrics"]["confusion_matrix"]
    labels, matrix = cm["labels"], cm["rows_gold_cols_pred"]
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(labels), 1.2 + 1.1 * len(labels)))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
    ax.set_title(f"{record['dataset']} {record['split']} — {record['model']['label']}")
    data = _png(fig)
    plt.close(fig)
    return data


def plot_reliability(record: dict) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = [b for b in record["metrics"]["reliability"] if b["count"]]
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    width = 1 / len(record["metrics"]["reliability"])
    ax.bar([b["low"] for b in bins], [b["accuracy"] for b in bins], width=width, align="edge",
           edgecolor="black", alpha=0.7, label="accuracy")
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o", color="darkred", markersize=3,
            label="mean confidence")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence of predicted class")
    ax.set_ylabel("accuracy")
    ax.set_title(f"Reliability — ECE {fmt(record['metrics']['ece'])}")
    ax.legend(loc="upper left", fontsize=8)
    data = _png(fig)
    plt.close(fig)
    return data


def publish(path: Path, data: str | bytes) -> Path:
    """atomic_write, then world-readable: results are committed and shared (mkstemp makes 0600)."""
    atomic_write(path, data).chmod(0o644)
    return path


def write_results(record: dict, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = result_stem(record)
    paths = {
        "json": publish(out_dir / f"{stem}.json", json.dumps(record, indent=1) + "\n"),
        "md": publish(out_dir / f"{stem}.md", markdown_summary(record)),
        "confusion": publish(out_dir / f"{stem}.confusion.png", plot_confusion(record)),
        "reliability": publish(out_dir / f"{stem}.reliability.png", plot_reliability(record)),
    }
    return paths


def read_result(path: Path) -> dict:
    if not path.exists():
        raise InputError(f"results file not found: {path}")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(f"{path} is not JSON ({err})") from err
    if "metrics" not in record and "sets" not in record:
        raise InputError(f"{path} is not a verify bench results file (no metrics)")
    return record


def comparable_metrics(record: dict) -> dict[str, Optional[float]]:
    """Flat name → value: headline metrics, retrieval recall, per-class F1, speed."""
    if record.get("schema") == "verify-bench-nli/1":
        flat: dict[str, Optional[float]] = {}
        for name, row in record["sets"].items():
            flat[f"{name} accuracy"] = row["accuracy"]
            flat[f"{name} macro_f1"] = row["macro_f1"]
        flat["mean accuracy"] = record["summary"]["mean_accuracy"]
        return flat
    if record.get("schema") == "verify-bench-counterfactual/1":
        rows = {**record["per_kind"], "swap kinds": record["swap_kinds"] or {}, "all": record["all"]}
        return {f"{name} {half}": row.get(key) for name, row in rows.items()
                for half, key in (("edit", "edit_accuracy"), ("paraphrase", "paraphrase_accuracy"), ("both", "both_right"))}
    m = record["metrics"]
    flat = {name: m.get(name) for name in SUMMARY_METRICS}
    flat.update({f"F1 {label}": row["f1"] for label, row in m["per_class"].items()})
    flat.update({f"retrieval {k}": v for k, v in (m.get("retrieval") or {}).items() if k.startswith("recall")})
    flat["pairs/s"] = record["performance"].get("pairs_per_second")
    return flat


def compare_table(a: dict, b: dict, a_name: str, b_name: str):
    """A rich Table of A, B and B − A for every metric either file has."""
    from rich.table import Table

    ma, mb = comparable_metrics(a), comparable_metrics(b)
    table = Table(title=f"{a_name}  vs  {b_name}")
    table.add_column("metric")
    table.add_column("A", justify="right")
    table.add_column("B", justify="right")
    table.add_column("B − A", justify="right")
    for name in dict.fromkeys([*ma, *mb]):
        va, vb = ma.get(name), mb.get(name)
        delta = vb - va if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None
        style = "" if delta is None or abs(delta) < 1e-9 else ("green" if (delta > 0) != (name == "ece") else "red")
        table.add_row(name, fmt(va), fmt(vb), f"[{style}]{delta:+.3f}[/]" if delta is not None and style else fmt(delta))
    for key in ("n", "seed"):
        if a.get(key) != b.get(key):
            table.caption = f"warning: different {key} (A {a.get(key)}, B {b.get(key)}): not the same examples"
    return table
