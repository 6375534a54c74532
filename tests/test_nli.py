"""The embedded verifier: real predictions, label mapping of other models, the training loss."""
import json
import shutil

import pytest
import torch

from verify.errors import ModelError
from verify.nli import label_mapping, load_verifier
from verify.nli.train import nli_loss


def label_of(p: dict) -> str:
    return max(p, key=p.get)


def test_shipped_model_is_compact_and_offline(repo):
    folder = repo / "verify" / "models" / "minilm-nli"
    weights = list(folder.glob("*.safetensors"))
    assert weights and sum(w.stat().st_size for w in weights) < 100e6
    assert (folder / "tokenizer.json").exists() and (folder / "MODEL_CARD.md").exists()
    cfg = json.loads((folder / "config.json").read_text())
    assert {v.lower() for v in cfg["id2label"].values()} == {"entailment", "neutral", "contradiction"}


@pytest.mark.parametrize("premise,hypothesis,expected", [
    ("The two leaders signed 14 agreements in Beijing on Monday.", "The two leaders signed agreements.", "entailment"),
    ("A man is playing a guitar on stage.", "A man is performing music.", "entailment"),
    ("The company's profit rose sharply in 2024.", "The company's profit did not rise in 2024.", "contradiction"),
    pytest.param("The museum is closed on Mondays.", "The museum is open on Mondays.", "contradiction",
                 marks=pytest.mark.xfail(strict=True, reason="known weakness of minilm-nli: antonyms (closed/open) read as entailment")),
    ("A woman is reading a book in the park.", "A man is sleeping in his car.", "contradiction"),
    ("Lee visited Shanghai in January.", "Lee enjoys playing tennis with his brother.", "neutral"),
])
def test_clear_pairs(verifier, premise, hypothesis, expected):
    p = verifier.predict([(premise, hypothesis)])[0]
    assert abs(sum(p.values()) - 1) < 1e-4
    assert label_of(p) == expected, p


def test_number_mismatch_is_not_entailed(verifier):
    same = verifier.predict([("The delegation signed 14 agreements.", "The delegation signed 14 agreements.")])[0]
    diff = verifier.predict([("The delegation signed 14 agreements.", "The delegation signed 3 agreements.")])[0]
    assert same["entailment"] > 0.5
    assert diff["entailment"] < same["entailment"]


def test_batching_and_dedup_do_not_change_scores(verifier):
    pairs = [("A dog runs in a field.", "An animal is outside."), ("It is raining.", "The sun is shining."),
             ("A dog runs in a field.", "An animal is outside.")]
    together = verifier.predict(pairs, batch_size=2)
    alone = [verifier.predict([p])[0] for p in pairs]
    for a, b in zip(together, alone):
        assert all(abs(a[k] - b[k]) < 1e-3 for k in a)
    assert together[0] == together[2]


def test_permuted_labels_are_read_from_config(verifier, tmp_path):
    """Save a copy of the real model with its output rows and id2label permuted: same predictions."""
    model = verifier.model
    perm = [2, 0, 1]  # new id i holds old id perm[i]
    clone_dir = tmp_path / "permuted"
    shutil.copytree(verifier.path, clone_dir)
    from transformers import AutoModelForSequenceClassification

    clone = AutoModelForSequenceClassification.from_pretrained(clone_dir)
    with torch.no_grad():
        clone.classifier.weight.copy_(model.classifier.weight[perm])
        clone.classifier.bias.copy_(model.classifier.bias[perm])
    old = model.config.id2label
    clone.config.id2label = {i: old[perm[i]].upper() for i in range(3)}
    clone.config.label2id = {v: k for k, v in clone.config.id2label.items()}
    clone.save_pretrained(clone_dir)
    permuted = load_verifier(str(clone_dir), engine="torch")  # the fp32 reference engine, like `verifier`
    assert permuted.mapping != verifier.mapping
    pairs = [("The museum is closed on Mondays.", "The museum is open on Mondays."),
             ("A man plays guitar.", "A man plays an instrument.")]
    for a, b in zip(permuted.predict(pairs), verifier.predict(pairs)):
        assert all(abs(a[k] - b[k]) < 2e-3 for k in a), (a, b)


def test_two_way_model_reports_not_entailment_mass_as_neutral(verifier, tmp_path):
    from transformers import AutoModelForSequenceClassification

    two = tmp_path / "two-way"
    m = AutoModelForSequenceClassification.from_pretrained(verifier.path, num_labels=2, ignore_mismatched_sizes=True,
                                                           id2label={0: "not_entailment", 1: "entailment"},
                                                           label2id={"not_entailment": 0, "entailment": 1})
    m.save_pretrained(two)
    verifier.tokenizer.save_pretrained(two)
    p = load_verifier(str(two)).predict([("A cat sleeps.", "An animal rests.")])[0]
    assert p["contradiction"] == 0.0  # a supported-vs-not head: no contradiction head, the rest is neutral
    assert abs(sum(p.values()) - 1) < 1e-5


def test_unmappable_labels_and_missing_weights_fail_clearly(verifier, tmp_path):
    with pytest.raises(ModelError, match="cannot map"):
        label_mapping({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    empty = tmp_path / "no-weights"
    empty.mkdir()
    (empty / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="no weights"):
        load_verifier(str(empty))


def test_two_way_loss_is_log_of_not_entailment_mass():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    probs = torch.softmax(logits, -1)
    loss = nli_loss(logits, torch.tensor([3, 2]))  # 3 = not_entailment
    expected = -(torch.log(probs[0, 1] + probs[0, 2]) + torch.log(probs[1, 2])) / 2
    assert torch.allclose(loss, expected, atol=1e-6)
