"""Any checker: models saved locally in each head layout (random weights, the embedded model's
tokenizer), label maps for generic labels, 2-way heads, and `Pipeline(verifier=obj)`."""
import pytest

from test_cli import run  # the CLI test helper
from verify import Pipeline
from verify.errors import InputError, ModelError
from verify.nli import load_verifier
from verify.nli.base import resolve_model

PAIRS = [("A cat sleeps on the mat.", "An animal rests."), ("The shop opens at 9.", "The shop is closed all day.")]


def save_tiny(folder, id2label, seed=0):
    """A 2-layer BERT classifier with the given head labels, saved with the embedded tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tok = AutoTokenizer.from_pretrained(resolve_model(None))
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128, id2label=id2label,
                        label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).save_pretrained(folder)
    tok.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def heads(tmp_path_factory):
    root = tmp_path_factory.mktemp("heads")
    return {
        "named": save_tiny(root / "named", {0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL"}),
        "generic3": save_tiny(root / "generic3", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}),
        "generic2": save_tiny(root / "generic2", {0: "LABEL_0", 1: "LABEL_1"}),
        "refute2": save_tiny(root / "refute2", {0: "entailment", 1: "contradiction"}),
    }


def test_generic_labels_need_a_map_and_then_match_the_named_head(heads):
    with pytest.raises(ModelError, match="--label-map"):
        load_verifier(heads["generic3"], engine="torch")
    mapped = load_verifier(heads["generic3"], engine="torch",
                           label_map="LABEL_0=contradiction,LABEL_1=entailment,LABEL_2=neutral")
    named = load_verifier(heads["named"], engine="torch")  # same seed: same weights, labels named
    for a, b in zip(mapped.predict(PAIRS), named.predict(PAIRS)):
        assert a == pytest.approx(b, abs=1e-6)
    by_id = load_verifier(heads["generic3"], engine="torch", label_map={"0": "contradiction", "1": "entailment", "2": "neutral"})
    assert by_id.mapping == mapped.mapping


def test_two_way_head_reports_not_supported_as_neutral(heads):
    two = load_verifier(heads["generic2"], engine="torch", label_map="LABEL_1=entailment,LABEL_0=not_entailment")
    for p in two.predict(PAIRS):
        assert p["contradiction"] == 0.0 and p["neutral"] == pytest.approx(1 - p["entailment"])
    refute = load_verifier(heads["refute2"], engine="torch")  # a 2-way head whose other label is a contradiction
    for p in refute.predict(PAIRS):
        assert p["neutral"] == 0.0 and p["contradiction"] == pytest.approx(1 - p["entailment"])
    verdicts = Pipeline(model=heads["generic2"], label_map="LABEL_1=entailment,LABEL_0=not_entailment",
                        engine="torch", checks=False).judge(["The shop is closed all day."], [["The shop opens at 9."]])
    assert verdicts[0].label != "contradicted"  # a supported-vs-not head never contradicts on its own


def test_bad_label_maps_fail_clearly(heads):
    with pytest.raises(ModelError, match="no NLI label for the model's label"):
        load_verifier(heads["generic3"], engine="torch", label_map="LABEL_0=entailment,LABEL_1=neutral")
    with pytest.raises(InputError, match="unknown NLI label 'maybe'"):
        Pipeline(label_map="LABEL_0=maybe")
    with pytest.raises(InputError, match="MODEL_LABEL=NLI_LABEL"):
        Pipeline(label_map="LABEL_0")


def test_label_map_on_the_command_line(heads, tmp_path, capsys, monkeypatch):
    data = tmp_path / "pairs.jsonl"
    data.write_text('{"context": "The shop opens at 9.", "answer": "The shop opens at 9 am."}\n')
    out = tmp_path / "out.csv"
    code, _, err = run(["score", data, "-o", out, "--model", heads["generic2"], "--engine", "torch", "--no-cache"],
                       capsys, monkeypatch)
    assert code == 2 and "--label-map" in err and not out.exists()
    code, _, err = run(["score", data, "-o", out, "--model", heads["generic2"], "--engine", "torch", "--no-cache",
                        "--label-map", "LABEL_1=entailment,LABEL_0=not_entailment", "-q"], capsys, monkeypatch)
    assert code == 0, err
    assert "p_supported" in out.read_text().splitlines()[0]


class Overlap:
    """A checker that is no transformers model: word overlap as entailment."""

    name, hash = "overlap", "v1"

    def predict(self, pairs, batch_size=32, progress=False):
        out = []
        for premise, claim in pairs:
            words = set(claim.lower().strip(".").split())
            ent = len(words & set(premise.lower().strip(".").split())) / len(words)
            out.append({"entailment": ent, "neutral": 1 - ent, "contradiction": 0.0})
        return out


def test_pipeline_accepts_any_verifier_object():
    pipe = Pipeline(verifier=Overlap(), checks=False)
    same, other = pipe.judge(["the cat sat on the mat", "dogs bark loudly"], [["the cat sat on the mat"], ["the cat sat"]])
    assert same.label == "supported" and other.label == "not_enough_info"
    assert pipe.verifier.name == "overlap"
