"""`verify train`: fine-tune a cross-encoder NLI verifier; resumable, deterministic given the seed."""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import random
import shutil
import time
from pathlib import Path
from typing import Optional

import numpy as np
import torch
import yaml

from ..registry import Progress, report
from .base import resolve_model
from .counterfactual import EDIT_TAG
from .data import LABEL2ID, TrainConfig, epoch_order, load_mix

ID2LABEL = {0: "entailment", 1: "neutral", 2: "contradiction"}
TRAINING = "training"  # the progress stage (loss and rate go to `log` every 100 steps)


def load_config(path: str | Path) -> TrainConfig:
    with open(path, encoding="utf-8") as f:
        return TrainConfig.model_validate(yaml.safe_load(f))


def nli_loss(logits: torch.Tensor, labels: torch.Tensor, mean: bool = True) -> torch.Tensor:
    """Cross-entropy on 3-way labels; for 2-way "not_entailment" (id 3): -log(p_neutral + p_contradiction).
    The batch mean, or one loss per pair (`mean=False`)."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    not_ent = torch.logsumexp(logp[:, 1:], dim=-1)
    three = logp.gather(1, labels.clamp(max=2).unsqueeze(1)).squeeze(1)
    per = -torch.where(labels == LABEL2ID["not_entailment"], not_ent, three)
    return per.mean() if mean else per


def soft_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-pair cross-entropy against a teacher's 3-way distribution (rows of `targets`)."""
    return -(targets * torch.log_softmax(logits.float(), dim=-1)).sum(-1)


def distilled(pair) -> bool:
    """Does a training pair take the teacher's soft target? Not the counterfactual edits, nor a
    relabelled pair (both are what the teacher gets wrong)."""
    return not pair.hard and EDIT_TAG not in pair.source


def teacher_targets(cfg: TrainConfig, pairs: list, out: Path, log=print) -> Optional[np.ndarray]:
    """The teacher's probabilities for every training pair (NaN rows for pairs it does not label),
    computed once and kept in the run folder (`teacher.npy`, keyed by the pairs and the teacher) so a
    resumed run reads them back."""
    if not cfg.teacher or cfg.distill_weight <= 0:
        return None
    from .verifier import TransformersVerifier

    key = hashlib.sha256("\x00".join([cfg.teacher] + [f"{p.premise}\x01{p.hypothesis}" for p in pairs]).encode()).hexdigest()
    cached, keyfile = out / "teacher.npy", out / "teacher.key"
    if cached.exists() and keyfile.exists() and keyfile.read_text() == key:
        return np.load(cached)
    t = time.time()
    want = [i for i, p in enumerate(pairs) if distilled(p)]
    verifier = TransformersVerifier(cfg.teacher, bf16=cfg.bf16, max_length=cfg.max_length)
    probs = verifier.predict([(pairs[i].premise, pairs[i].hypothesis) for i in want], batch_size=64)
    table = np.full((len(pairs), 3), np.nan, dtype=np.float32)
    for i, row in zip(want, probs):
        table[i] = [row["entailment"], row["neutral"], row["contradiction"]]
    np.save(cached, table)
    keyfile.write_text(key)
    log(f"teacher {cfg.teacher}: soft targets for {len(want)} of {len(pairs)} pairs in {time.time() - t:.0f}s")
    return table


def lr_schedule(cfg: TrainConfig, total_steps: int):
    """Step -> learning-rate factor: warm-up then linear decay, repeated over `cfg.lr_cycles` cycles."""
    cycle = int(math.ceil(total_steps / cfg.lr_cycles))
    warm = max(1, int(cfg.warmup_ratio * cycle))

    def factor(step: int) -> float:
        k, s = divmod(step, cycle)
        end = min(cycle, total_steps - k * cycle)
        return cfg.cycle_lr_decay ** k * min((s + 1) / warm, max(0.0, (end - s) / max(1, end - warm)))

    return factor


def _seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _hardware(device: str) -> str:
    """What the model card says the run ran on."""
    if device == "cuda":
        return f"GPU: {torch.cuda.get_device_name(0)}"
    name = platform.processor() or platform.machine()
    try:
        name = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{name}, {os.cpu_count()} cores, CPU only"


def _autocast(device: str, enabled: bool):
    return torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=enabled)


@torch.no_grad()
def dev_accuracy(model, tok, dev, cfg: TrainConfig, device: str) -> dict[str, float]:
    """Accuracy on the dev slice (3-way pairs exact; 2-way pairs as entailment vs not)."""
    model.eval()
    correct = total = 0
    per: dict[str, list[int]] = {}
    order = sorted(range(len(dev)), key=lambda i: len(dev[i].premise) + len(dev[i].hypothesis))
    for s in range(0, len(order), 64):
        batch = [dev[i] for i in order[s : s + 64]]
        enc = tok([p.premise for p in batch], [p.hypothesis for p in batch], truncation="only_first",
                  max_length=cfg.max_length, padding=True, return_tensors="pt").to(device)
        with _autocast(device, cfg.bf16):
            pred = model(**enc).logits.float().argmax(-1).tolist()
        for p, y in zip(batch, pred):
            if p.label == 3 or p.source.startswith(("vitaminc", "tracie")):
                ok = (y != 0) == (p.label != 0)  # 2-way sets, and sets without a real neutral: entailment vs not
            else:
                ok = y == p.label
            per.setdefault(p.source, [0, 0])
            per[p.source][0] += int(ok)
            per[p.source][1] += 1
            correct += int(ok)
            total += 1
    model.train()
    out = {k: v[0] / v[1] for k, v in sorted(per.items())}
    out["_macro"] = float(np.mean(list(out.values())))
    out["_all"] = correct / max(total, 1)
    return out


def train(cfg: TrainConfig, resume: bool = False, progress: Optional[Progress] = None, log=print,
          stop_after: int | None = None) -> Path:
    """Train per `cfg`; `stop_after` ends this run after that many steps (a time-boxed slice: checkpoint, then `resume`)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    out = Path(cfg.output_dir)
    ckpt = out / "checkpoint"
    out.mkdir(parents=True, exist_ok=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    _seed_all(cfg.seed)

    base = resolve_model(cfg.base_model)
    tok = AutoTokenizer.from_pretrained(base)
    # fp32 master weights even from an fp16 checkpoint (transformers 5 keeps the stored dtype);
    # bf16 autocast handles speed.
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=3, id2label=ID2LABEL, label2id={v: k for k, v in ID2LABEL.items()}, dtype=torch.float32)
    model.to(device)

    t0 = time.time()
    train_pairs, dev = load_mix(cfg)
    lengths = [len(p.premise) + len(p.hypothesis) for p in train_pairs]  # chars: a cheap proxy for tokens
    n_batches = len(epoch_order(cfg, train_pairs, 0, lengths))
    total_steps = int(math.ceil(n_batches * cfg.epochs))
    soft = teacher_targets(cfg, train_pairs, out, log)
    log(f"data: {len(train_pairs)} train pairs, {len(dev)} dev pairs, {n_batches} batches/epoch, "
        f"{total_steps} steps, loaded in {time.time() - t0:.0f}s, device {device}")

    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": cfg.weight_decay},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=cfg.learning_rate)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_schedule(cfg, total_steps))

    step, best, bad_evals, history, seconds_before = 0, -1.0, 0, [], 0.0
    if resume and (ckpt / "state.pt").exists():
        state = torch.load(ckpt / "state.pt", map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step, best, bad_evals, history = state["step"], state["best"], state["bad_evals"], state["history"]
        torch.set_rng_state(state["torch_rng"])
        seconds_before = state.get("train_seconds", 0.0)  # wall time of the earlier slices of this run
        log(f"resumed at step {step}/{total_steps}")
    elif (ckpt / "state.pt").exists():  # said, never silent: a finished run is trained again from step 0
        log(f"starting over: {out} holds a checkpoint of an earlier run, which this run replaces "
            "(--resume continues it; a finished run then only exports)")

    def save_checkpoint():
        tmp = ckpt.with_name("checkpoint.tmp")
        tmp.mkdir(exist_ok=True)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "step": step, "best": best, "bad_evals": bad_evals, "history": history,
                    "torch_rng": torch.get_rng_state(),
                    "train_seconds": seconds_before + time.time() - t_start}, tmp / "state.pt")
        if ckpt.exists():
            shutil.rmtree(ckpt)
        tmp.rename(ckpt)

    def evaluate():
        nonlocal best, bad_evals
        acc = dev_accuracy(model, tok, dev, cfg, device)
        history.append({"step": step, **acc})
        improved = acc["_macro"] > best
        log(f"step {step}: dev macro {acc['_macro']:.4f} all {acc['_all']:.4f}" + (" (best)" if improved else ""))
        if improved:
            best, bad_evals = acc["_macro"], 0
            model.save_pretrained(out / "best")
            tok.save_pretrained(out / "best")
        else:
            bad_evals += 1
        (out / "history.json").write_text(json.dumps(history, indent=1))
        return cfg.patience and bad_evals >= cfg.patience

    model.train()
    t_start, pairs_seen = time.time(), 0
    stop = False
    report(progress, TRAINING, step, total_steps)
    epoch = step // n_batches
    running = None
    while step < total_steps and not stop:
        batches = epoch_order(cfg, train_pairs, epoch, lengths)
        for b in batches[step - epoch * n_batches :]:
            if step >= total_steps:
                break
            batch = [train_pairs[i] for i in b]
            enc = tok([p.premise for p in batch], [p.hypothesis for p in batch], truncation="only_first",
                      max_length=cfg.max_length, padding=True, return_tensors="pt").to(device)
            labels = torch.tensor([p.label for p in batch], device=device)
            with _autocast(device, cfg.bf16):
                logits = model(**enc).logits
            if soft is None:
                loss = nli_loss(logits, labels)
            else:  # per pair: (1 - w) x label + w x teacher where the teacher labels it, the label alone elsewhere
                rows = torch.as_tensor(soft[b], device=device)
                w = cfg.distill_weight * (~torch.isnan(rows[:, 0])).float()
                loss = ((1 - w) * nli_loss(logits, labels, mean=False)
                        + w * soft_loss(logits, torch.nan_to_num(rows, nan=0.0))).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            pairs_seen += len(batch)
            running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
            rate = pairs_seen / (time.time() - t_start)
            report(progress, TRAINING, step, total_steps)
            if step % 100 == 0:
                log(f"step {step}/{total_steps} loss {running:.4f} {rate:.1f} pairs/s lr {sched.get_last_lr()[0]:.2e}")
            if step % cfg.eval_every == 0 and evaluate():
                stop = True
            if step % cfg.checkpoint_every == 0 or stop:
                save_checkpoint()
            if stop_after is not None and step >= stop_after:
                save_checkpoint()
                return out / "best"
            if stop:
                break
        epoch += 1
    if not stop and (not history or history[-1]["step"] != step):
        evaluate()
    save_checkpoint()
    (out / "train_summary.json").write_text(json.dumps({
        "config": cfg.model_dump(), "steps": step, "best_dev_macro": best,
        "train_seconds_this_run": round(time.time() - t_start, 1),
        "train_seconds": round(seconds_before + time.time() - t_start, 1), "device": device,
        "hardware": _hardware(device), "torch_threads": torch.get_num_threads()}, indent=1))
    return out / "best"


def export_fp16(src: str | Path, dst: str | Path) -> Path:
    """Write the compact shipped form: fp16 safetensors + tokenizer + config."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    dst = Path(dst)
    tmp = dst.with_name(dst.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    model = AutoModelForSequenceClassification.from_pretrained(src)
    model.half().save_pretrained(tmp, safe_serialization=True)
    AutoTokenizer.from_pretrained(src).save_pretrained(tmp)
    for keep in ("MODEL_CARD.md",):
        if (dst / keep).exists():
            shutil.copy(dst / keep, tmp / keep)
    run = Path(src).parent  # the training record the model card is built from
    if (run / "train_summary.json").exists():
        summary = json.loads((run / "train_summary.json").read_text())
        history = json.loads((run / "history.json").read_text()) if (run / "history.json").exists() else []
        (tmp / "training.json").write_text(json.dumps({
            "steps": summary["steps"], "best_dev_macro": summary["best_dev_macro"], "dev_history": history,
            "hardware": summary.get("hardware", summary.get("device", "?")) + (", torch bf16 autocast" if summary["config"].get("bf16") else ""),
            "wall_minutes": round(summary.get("train_seconds", summary.get("train_seconds_this_run", 0)) / 60),
            "config": summary["config"], "notes": summary["config"].get("notes", "")}, indent=1))
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)
    return dst
