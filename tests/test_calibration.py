"""Temperature scaling and calibration profiles, on the real embedded model and the real CLI."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from verify.nli import load_verifier
from verify.nli.calibrate import CALIBRATION_FILE, ece, fit_temperature, logits_for, nll, softmax
from verify.aggregate.base import scale
from verify.profile import choose_thresholds, decide, fit_scaling
from verify.settings import VerdictScaling

SEED = "claims/seed-summit"


def test_fit_temperature_recovers_the_temperature_that_made_the_labels():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, size=(4000, 3))
    p = softmax(z, 2.5)
    y = np.array([rng.choice(3, p=row) for row in p])
    t = fit_temperature(z, y)
    assert 2.2 < t < 2.8
    assert nll(z, y, t) < nll(z, y, 1.0)
    assert ece(softmax(z, t), y) < ece(softmax(z), y)


def test_two_way_labels_count_neutral_or_contradiction():
    z = np.array([[0.0, 2.0, 2.0]])
    assert nll(z, np.array([3])) == pytest.approx(-np.log(softmax(z)[0, 1:].sum()))


def test_every_engine_applies_the_model_folders_temperature(tmp_path, repo):
    raw = load_verifier(engine="torch", temperature=1.0)
    folder = tmp_path / "minilm-calibrated"
    shutil.copytree(raw.path, folder)
    (folder / CALIBRATION_FILE).write_text(json.dumps({"temperature": 2.0}))
    pairs = [("Lee was sworn in as President on 4 June 2025.", "Lee took office in early 2024."),
             ("A man is playing a guitar on stage.", "A man is performing music.")]
    expected = softmax(logits_for(raw, pairs), 2.0)
    for engine in ("torch", "bf16"):
        calibrated = load_verifier(str(folder), engine=engine)
        assert calibrated.temperature == 2.0 and calibrated.cache_key != raw.cache_key
        got = calibrated.predict(pairs)
        tol = 1e-4 if engine == "torch" else 0.05
        for g, e in zip(got, expected):
            assert [g["entailment"], g["neutral"], g["contradiction"]] == pytest.approx(list(e), abs=tol)
    # an explicit temperature wins over the folder's file
    assert load_verifier(str(folder), engine="torch", temperature=1.0).predict(pairs)[0] == \
        pytest.approx(raw.predict(pairs)[0], abs=1e-4)


def test_threshold_choice_reaches_the_target_precision():
    ps = np.array([0.9, 0.8, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6])
    pc = np.array([0.05, 0.1, 0.9, 0.8, 0.7, 0.6, 0.55, 0.3])
    gold = ["supported", "supported", "contradicted", "contradicted", "contradicted", "supported", "contradicted",
            "not_enough_info"]
    support, contradict, info = choose_thresholds(ps, pc, gold, target_precision=1.0)
    assert contradict == pytest.approx(0.61) and info["target_precision_reached"]
    pred = decide(ps, pc, support, contradict)
    assert list(pred[:5]) == ["supported", "supported", "contradicted", "contradicted", "contradicted"]


LABELS = ("supported", "contradicted", "not_enough_info")


def test_verdict_scaling_is_matrix_scaling_of_the_log_probabilities():
    p = {"supported": 0.7, "contradicted": 0.2, "not_enough_info": 0.1}
    assert scale(p, None) == p
    assert scale(p, VerdictScaling()) == pytest.approx(p)  # the identity
    flat = scale(p, VerdictScaling(weights=((0.5, 0, 0), (0, 0.5, 0), (0, 0, 0.5))))  # = temperature 2
    assert sum(flat.values()) == pytest.approx(1.0) and flat["supported"] < p["supported"]
    assert max(flat, key=flat.get) == "supported"  # a temperature alone never reorders the labels
    shifted = scale(p, VerdictScaling(bias=(0.0, 2.0, 0.0)))
    assert shifted["contradicted"] > shifted["supported"]  # a bias can: exp(2) x 0.2 > 0.7
    # no evidence at all (P = 0) is floored, not a log of zero
    none = scale({"supported": 0.0, "contradicted": 0.0, "not_enough_info": 1.0}, VerdictScaling(bias=(3.0, 0.0, 0.0)))
    assert none["not_enough_info"] > 0.99
    with pytest.raises(ValueError):
        VerdictScaling(bias=(float("nan"), 0.0, 0.0))


def test_fit_scaling_recovers_the_scaling_that_made_the_labels():
    rng = np.random.default_rng(0)
    raw = rng.dirichlet([1.0, 1.0, 1.0], size=6000)
    truth = VerdictScaling(weights=((0.6, 0.2, 0.0), (0.0, 0.4, 0.1), (0.1, 0.0, 0.5)), bias=(0.8, -0.6, 0.0))
    p = np.array([[scale(dict(zip(LABELS, r)), truth)[k] for k in LABELS] for r in raw])
    gold = [LABELS[rng.choice(3, p=row / row.sum())] for row in p]
    got = fit_scaling(raw, gold)
    q = np.array([[scale(dict(zip(LABELS, r)), got)[k] for k in LABELS] for r in raw])
    assert np.abs(q - p).mean() < 0.02  # the fitted map gives the true probabilities back
    # two-way gold (no not_enough_info): not_enough_info is never predicted after scaling
    two_way = fit_scaling(raw, [g if g != "not_enough_info" else "contradicted" for g in gold])
    q2 = [scale(dict(zip(LABELS, r)), two_way) for r in raw]
    assert max(x["not_enough_info"] for x in q2) < 1e-6
    assert {max(x, key=x.get) for x in q2} == {"supported", "contradicted"}


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "verify", *args], capture_output=True, text=True, cwd=cwd, timeout=600)


ROWS = [  # (evidence, claim, label) about the seed corpus's facts, hand-written
    ("Lee Jae-myung was sworn in as President of South Korea on 4 June 2025.", "Lee Jae-myung became president in June 2025.", "supported"),
    ("Lee Jae-myung was sworn in as President of South Korea on 4 June 2025.", "Lee Jae-myung became president in 2019.", "contradicted"),
    ("Xi and Lee held their first face-to-face talks on 1 November 2025 in Gyeongju.", "Xi and Lee met in Gyeongju.", "supported"),
    ("Xi and Lee held their first face-to-face talks on 1 November 2025 in Gyeongju.", "Xi and Lee first met in Seoul.", "contradicted"),
    ("The two governments signed 14 memorandums of understanding.", "The governments signed more than ten memorandums.", "supported"),
    ("The two governments signed 14 memorandums of understanding.", "The governments signed two memorandums.", "contradicted"),
    ("A cold snap brought temperatures of minus 12 degrees to Beijing.", "Beijing was cold.", "supported"),
    ("A cold snap brought temperatures of minus 12 degrees to Beijing.", "Beijing had a heat wave.", "contradicted"),
    ("The museum is closed on Mondays.", "The museum does not open on Mondays.", "supported"),
    ("The museum is closed on Mondays.", "The museum has a new director.", "not_enough_info"),
    ("The chipmaker reported record revenue for the quarter.", "The chipmaker's revenue hit a record.", "supported"),
    ("The chipmaker reported record revenue for the quarter.", "The chipmaker will build a plant in Ohio.", "not_enough_info"),
]


def test_calibrate_writes_a_profile_that_check_loads_and_that_changes_verdicts(tmp_path, repo):
    rows = tmp_path / "labelled.jsonl"
    rows.write_text("".join(json.dumps({"evidence": e, "claim": c, "label": lab}) + "\n" for e, c, lab in ROWS))
    profile = tmp_path / "profile.json"
    r = _cli("calibrate", str(rows), "--out", str(profile), "--target-precision", "0.8", cwd=repo)
    assert r.returncode == 0, r.stderr
    prof = json.loads(profile.read_text())
    assert prof["rows"] == len(ROWS) and 0.01 < prof["temperature"] < 100
    assert 0 <= prof["contradict_threshold"] <= 1 and prof["model_hash"] == load_verifier().hash
    assert prof["version"] == 2 and prof["aggregator"] == "rules" and len(prof["verdict_scaling"]["weights"]) == 3
    assert set(prof["metrics"]["after"]) >= {"macro_f1", "ece"}

    article = tmp_path / "article.txt"
    article.write_text("Lee Jae-myung took office in mid-2025. China and South Korea signed 40 memorandums of understanding.\n")
    base = _cli("check", str(article), "--corpus", f"{SEED}/corpus", "--date", "2026-01-03", "--out",
                str(tmp_path / "base.json"), "--quiet", "--no-cache", cwd=repo)
    assert base.returncode == 0, base.stderr
    # Documented behaviour: thresholds of 1.0 leave only not_enough_info verdicts.
    strict = dict(prof, support_threshold=1.0, contradict_threshold=1.0)
    (tmp_path / "strict.json").write_text(json.dumps(strict))
    r = _cli("check", str(article), "--corpus", f"{SEED}/corpus", "--date", "2026-01-03", "--profile",
             str(tmp_path / "strict.json"), "--out", str(tmp_path / "strict-report.json"), "--quiet", "--no-cache", cwd=repo)
    assert r.returncode == 0, r.stderr
    before = json.loads((tmp_path / "base.json").read_text())
    after = json.loads((tmp_path / "strict-report.json").read_text())
    assert {v["label"] for v in before["verdicts"]} != {"not_enough_info"}
    assert {v["label"] for v in after["verdicts"]} == {"not_enough_info"}
    assert after["provenance"]["thresholds"]["contradict"] == 1.0
    assert after["provenance"]["thresholds"]["scaling"]["bias"] == prof["verdict_scaling"]["bias"]
    # Documented: the verdict scaling changes the verdict probabilities (a strong contradicted bias
    # turns the supported verdicts contradicted) ...
    biased = dict(prof, verdict_scaling={"weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "bias": [0, 8, 0]},
                  support_threshold=0.5, contradict_threshold=0.5)
    (tmp_path / "biased.json").write_text(json.dumps(biased))
    r = _cli("check", str(article), "--corpus", f"{SEED}/corpus", "--date", "2026-01-03", "--profile",
             str(tmp_path / "biased.json"), "--out", str(tmp_path / "biased-report.json"), "--quiet", "--no-cache", cwd=repo)
    assert r.returncode == 0, r.stderr
    biased_report = json.loads((tmp_path / "biased-report.json").read_text())
    assert {v["label"] for v in biased_report["verdicts"] if v["evidence"]} == {"contradicted"}
    # ... and is refused under an aggregator it was not fitted for (exit 2, one line, no report)
    r = _cli("check", str(article), "--corpus", f"{SEED}/corpus", "--profile", str(profile), "--aggregator", "learned",
             "--out", str(tmp_path / "learned.json"), "--quiet", cwd=repo)
    assert r.returncode == 2 and "fitted for the 'rules' aggregator" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "learned.json").exists()


def test_a_profile_for_another_model_or_a_broken_profile_is_refused(tmp_path, repo):
    article = tmp_path / "a.txt"
    article.write_text("Lee Jae-myung took office in mid-2025.\n")
    other = {"model": "x", "model_hash": "0000", "temperature": 1.0, "support_threshold": 0.5,
             "contradict_threshold": 0.5, "target_precision": 0.9, "fitted_on": "t", "rows": 10}
    (tmp_path / "other.json").write_text(json.dumps(other))
    (tmp_path / "broken.json").write_text("{\"temperature\": -3}")
    for name, message in (("other.json", "fitted for model"), ("broken.json", "not a verify calibration profile")):
        r = _cli("check", str(article), "--corpus", f"{SEED}/corpus", "--profile", str(tmp_path / name),
                 "--out", str(tmp_path / "r.json"), "--quiet", cwd=repo)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert not (tmp_path / "r.json").exists()


def test_a_version_1_profile_still_loads_and_changes_only_temperature_and_thresholds(tmp_path):
    from verify.profile import load_profile
    from verify.settings import Settings

    v1 = {"version": 1, "model": "minilm-nli", "model_hash": "x", "temperature": 2.0, "support_threshold": 0.4,
          "contradict_threshold": 0.3, "target_precision": 0.9, "fitted_on": "t", "rows": 10}
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    prof = load_profile(tmp_path / "v1.json")
    settings = Settings(aggregator="learned").replace(**prof.settings_changes())
    assert settings.aggregator == "learned" and settings.thresholds.scaling is None
    assert (settings.temperature, settings.thresholds.support, settings.thresholds.contradict) == (2.0, 0.4, 0.3)
    v2 = dict(v1, version=2, aggregator="rules", verdict_scaling={"bias": [0, 1, 0]})
    (tmp_path / "v2.json").write_text(json.dumps(v2))
    settings = Settings(aggregator="learned").replace(**load_profile(tmp_path / "v2.json").settings_changes())
    assert settings.aggregator == "rules" and settings.thresholds.scaling.bias == (0, 1, 0)
