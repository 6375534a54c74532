"""verify.text: the one sentence splitter, tokenizer and month lexicon; windows sized in the
verifier's tokens; lexicons as data, extended by user files."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from verify.checks import check_pair, summarize
from verify.errors import InputError
from verify.nli.windows import candidate_windows, ranked_windows
from verify.text import lexicon as L
from verify.text.sentences import sentence_at, sentence_spans
from verify.text.tokens import TokenCounter
from verify.text.words import content_lemmas, index_tokens, terms

ROOT = Path(__file__).resolve().parent.parent
BIOMEDICAL = ROOT / "examples" / "lexicons" / "biomedical.yaml"
MODEL = ROOT / "verify" / "models" / "minilm-nli"


@pytest.fixture(autouse=True)
def builtin_lexicon():
    previous = L.use(L.BUILTIN)
    yield
    L.use(previous)


# --- one splitter, one tokenizer, one month lexicon ---------------------------------------------

def test_every_stage_uses_the_one_sentence_splitter():
    import verify.corpus.chunking as chunking
    import verify.nli.windows as windows

    assert chunking.sentence_spans is sentence_spans and windows.sentence_spans is sentence_spans
    text = "Mr. Lee met Gov. Kim on Jan. 5. They signed 3 deals.\nHEADLINE WITHOUT STOP\nIt rained."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["Mr. Lee met Gov. Kim on Jan. 5.", "They signed 3 deals.",
                                             "HEADLINE WITHOUT STOP", "It rained."]
    assert sentence_at(spans, text.index("signed")) == spans[1]
    assert sentence_at(spans, spans[1][1]) == spans[1]  # the gap after a sentence belongs to it
    assert sentence_at(spans, 0) == spans[0]


def test_month_pattern_is_the_one_month_regex():
    rx = re.compile(rf"\b{L.month_pattern('m')}(?!\w)", re.IGNORECASE)
    assert [m["m"] for m in rx.finditer("Sept. 5, May 2024, march, Dec 1 and Mayor")] == ["Sept", "May", "march", "Dec"]
    full = re.compile(rf"\b{L.month_pattern(abbreviations=False)}\b")
    assert full.findall("in Jan and in January") == ["January"]
    assert L.MONTHS["sept"] == 9 and L.MONTH_NAMES["may"] == 5 and "sept" not in L.MONTH_NAMES


def test_content_words():
    # terms: every non-stop word's lemma, numbers included (they make a claim specific)
    assert terms("The second summit took two months in 2019.") >= {"second", "summit", "two", "2019"}
    # content_lemmas: topical words only, counted nouns folded into their family
    assert content_lemmas("Ten new deals were signed in March 2019 by Jae-myung's companies.") == {
        "agreement", "signed", "jae", "myung", "company"}


def test_bm25_tokens_are_the_persisted_format():
    # Saved indexes hold this vocabulary: a change here must bump verify.corpus.index.FORMAT.
    assert index_tokens("The studies' Élan, bees and boxes: 12 companies_x") == ["study", "élan", "bee", "boxe", "12", "company", "x"]


# --- windows sized in tokens --------------------------------------------------------------------

LONG_SENTENCE = " ".join(f"clause{i} of the record lists figure {i * 7} for district {i}," for i in range(120)) + " end."
PASSAGE = ("The harbour authority opened a new ferry terminal in Harwick on 3 March 2024. "
           + LONG_SENTENCE + " The terminal cost 80 million euros and handles 2,000 passengers a day. "
           + "Officials said traffic would double by 2030.")


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(MODEL))


def _pair_length(tokenizer, window: str, claim: str) -> int:
    return len(tokenizer(window, claim, truncation=False)["input_ids"])


@pytest.mark.parametrize("claim", [
    "The Harwick ferry terminal cost 80 million euros.",
    "Figure 420 was listed for district 60 in the harbour authority record, " * 6,  # a long claim
])
def test_no_window_claim_pair_exceeds_the_model_input(tokenizer, claim):
    counter = TokenCounter(tokenizer, 256)
    assert _pair_length(tokenizer, PASSAGE, claim) > 256  # the passage alone would be truncated
    ranked = ranked_windows(claim, [PASSAGE], counter=counter)
    assert ranked
    for _, (a, b), _ in ranked:
        assert _pair_length(tokenizer, PASSAGE[a:b], claim) <= 256, PASSAGE[a:b][:80]
    # nothing is dropped either: every word of the passage is in some window
    covered = [False] * len(PASSAGE)
    for _, (a, b), _ in ranked:
        covered[a:b] = [True] * (b - a)
    assert all(covered[m.start()] for m in re.finditer(r"\S+", PASSAGE))


def test_the_estimate_is_conservative(tokenizer):
    estimate, real = TokenCounter(), TokenCounter(tokenizer)
    texts = [PASSAGE, LONG_SENTENCE, "Seoul's 2,400-km² metro area; GDP +3.1% (Q2 2024) vs. KRW 1,234,567bn."]
    assert all(estimate.count(t) >= real.count(t) for t in texts)
    for a, b in candidate_windows(PASSAGE):  # default budget: room for a typical claim
        assert real.count(PASSAGE[a:b]) <= 256 - 3 - 48


def test_pipeline_scores_no_truncated_pair(tokenizer):
    """End to end with the embedded verifier: every scored window fits beside its claim."""
    from verify.aggregate import ClaimRef
    from verify.pipeline import Pipeline, given_evidence

    pipe = Pipeline(pairs=None, checks=False, engine="torch")
    claims = [ClaimRef("c1", "The ferry terminal in Harwick cost 80 million euros."),
              ClaimRef("c2", "District 60 recorded figure 420 in the harbour record.")]
    scores, _ = pipe.score(claims, given_evidence([[PASSAGE], [PASSAGE]]), None)
    assert pipe.verifier.max_length == 256
    for c in claims:
        assert scores[c.id]
        for w in scores[c.id]:
            assert _pair_length(tokenizer, w.text, c.text) <= 256


# --- lexicons as data ---------------------------------------------------------------------------

def test_builtin_lexicon_is_the_shipped_data():
    assert L.BUILTIN.name_aliases["seoul"] == "korea"
    assert L.BUILTIN.nationalities["South Korean"] == "South Korea"
    assert L.BUILTIN.noun_family("deal") == "agreement" and L.BUILTIN.noun_family("kph") == "km/h"
    assert "summit" in L.BUILTIN.event_nouns and "leaders" in L.BUILTIN.pair_nouns["people"]


def test_example_lexicon_changes_checks_on_a_clinical_text():
    """The biomedical example: a brand-name alias makes the checks see one drug, a noun family
    makes patients and participants one count, a unit alias makes mg per kg one unit."""
    cases = [
        ("In the trial, Tylenol cut fever in 120 patients.", "In the trial, Panadol cut fever in 150 patients."),
        ("The trial enrolled 120 patients.", "The trial enrolled 150 participants."),
        ("Patients received 15 milligrams per kilogram of the drug.", "Patients received 10 mg/kg of the drug."),
    ]
    assert [summarize(check_pair(c, e)) for c, e in cases] == ["none", "none", "none"]
    L.use(L.load([BIOMEDICAL]))
    assert [summarize(check_pair(c, e)) for c, e in cases] == ["inconsistent"] * 3
    L.use(L.BUILTIN)  # and back: the checks' cache keys on the lexicon in use
    assert summarize(check_pair(*cases[0])) == "none"


def test_example_lexicon_adds_an_event_family_to_the_date_checks():
    """event_words: a withdrawal is one event, so its two dates are compared (without it: unrelated)."""
    from verify.checks.lexicon import EVENT_PATTERNS, event_families

    claim = "The drug was withdrawn in 2019."
    pairs = [(claim, "The drug was approved in 2015 and pulled from the market in 2021."),
             ("The drug was withdrawn in 2021.", "The drug was approved in 2015 and pulled from the market in 2021.")]
    assert [summarize(check_pair(c, e)) for c, e in pairs] == ["none", "none"]
    bio = L.load([BIOMEDICAL])
    L.use(bio)
    assert [summarize(check_pair(c, e)) for c, e in pairs] == ["inconsistent", "consistent"]
    families = event_families(bio)
    assert families["approval"].search("The agency green-lit it.") and families["approval"].search("was approved")
    assert set(families) == set(EVENT_PATTERNS) | {"withdrawal"}
    L.use(L.BUILTIN)
    assert summarize(check_pair(*pairs[0])) == "none"


def test_user_lexicon_extends_extraction(tmp_path):
    """A nationality added by a user file resolves "the two countries" in claim extraction."""
    from verify.extract import extract_claims
    from verify.records import Document

    text = ("Ruritanian President Anna Vell met Chinese President Li Wen in Beijing on Monday for a state visit. "
            "The two countries signed 12 trade agreements.")
    claims = lambda: [c.text for c in extract_claims(Document(text=text))]  # noqa: E731
    assert not any("Ruritania and China" in c for c in claims())
    own = tmp_path / "ruritania.json"
    own.write_text(json.dumps({"nationalities": {"Ruritanian": "Ruritania"}}), encoding="utf-8")
    L.use(L.load([own]))
    assert any(c.startswith("Ruritania and China signed 12 trade agreements") for c in claims())


def test_merge_adds_and_overrides(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("name_aliases: {Seoul: capital}\nnoun_families: {agreement: [compact]}\nevent_nouns: conference\n")
    lex = L.load([f])
    assert lex.name_aliases["seoul"] == "capital" and lex.name_aliases["tokyo"] == "japan"
    assert lex.noun_family("compact") == "agreement" and lex.noun_family("deal") == "agreement"
    assert lex.event_nouns[-1] == "conference" and "summit" in lex.event_nouns
    assert lex.sources == (str(f),) and L.load([f]) is lex  # same unchanged file: the same lexicon


@pytest.mark.parametrize("body, where, says", [
    ("name_aliases:\n  a: b\n  bad: [1, 2]\n", ":3:", "name_aliases.bad: expected a word"),
    ("noun_families:\n  x: [a]\ncolours: [red]\n", ":3:", "colours: unknown key"),
    ("months:\n  janvier: 1\n", ":1:", "months: built in"),
    ("name_aliases: {a: b\n", ":2:", "invalid YAML"),
    ("- a\n- b\n", ":1:", "a lexicon must be a mapping"),
    ("x: !!python/object/apply:os.system ['true']\n", ":1:", "plain YAML only"),
    ("name_aliases:\n  a: b\n  a: c\n", ":3:", "given twice"),
])
def test_bad_lexicon_is_one_input_error_naming_file_and_line(tmp_path, body, where, says):
    f = tmp_path / "bad.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        L.load([f])
    assert f"{f}{where}" in str(err.value) and says in str(err.value)


def test_settings_lexicons_reach_the_pipeline(tmp_path):
    from verify.pipeline import Pipeline
    from verify.settings import Settings

    Pipeline(Settings(lexicons=(str(BIOMEDICAL),)))
    assert L.current().name_aliases["tylenol"] == "paracetamol"
    Pipeline()
    assert L.current() is L.BUILTIN
    with pytest.raises(InputError, match="lexicon file not found"):
        Pipeline(lexicons=(str(tmp_path / "missing.yaml"),))


def test_cli_lexicon_option(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("The trial enrolled 120 patients in 2021.\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit_aliases:\n  mg: [1]\n", encoding="utf-8")
    run = lambda *a: subprocess.run([sys.executable, "-m", "verify", *a], capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    ok = run("extract", str(article), "--json", "--lexicon", str(BIOMEDICAL))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.splitlines()[0])["text"] == "The trial enrolled 120 patients in 2021."
    failed = run("extract", str(article), "--lexicon", str(bad))
    assert failed.returncode == 2 and f"{bad}:2: unit_aliases.mg: expected a word" in failed.stderr
    assert "Traceback" not in failed.stderr
    failed = run("check", str(article), "--corpus", str(tmp_path), "--lexicon", str(bad))
    assert failed.returncode == 2 and f"{bad}:2:" in failed.stderr



def test_the_re_rank_prefers_the_sentence_that_holds_the_claim_over_the_paragraph_around_it():
    passage = ("Harbour officials in Harwick met on Monday to review the year's ferry traffic, the weather delays "
               "and the terminal's new ticket gates, which were installed in spring. "
               "The new ferry terminal cost 80 million euros. Officials expect traffic to double by 2030.")
    claim = "The Harwick ferry terminal cost 80 million euros."
    sentence = (passage.index("The new ferry"), passage.index(" Officials"))
    by_overlap = ranked_windows(claim, [passage], length_cost=0.0)
    ranked = ranked_windows(claim, [passage])
    # by overlap alone the long first run wins (it adds "Harwick"); priced by length, the sentence that
    # states the cost ranks first and the run that names the place stays next, inside a budget of two
    assert by_overlap[0][1] != sentence and by_overlap[0][2] == 1.0
    assert ranked[0][1] == sentence and ranked[0][2] < 1.0
    assert ranked[1][2] == 1.0 and ranked[1][1][0] == 0
    # the order changes, not the values: each window's overlap is still the share of the claim it holds
    assert sorted(r[2] for r in ranked) == sorted(r[2] for r in by_overlap)


def test_a_user_lexicon_adds_a_unique_role_to_the_role_checks(tmp_path):
    from verify.checks import check_pair, summarize

    claim, evidence = "Ana Ruiz is Real Sociedad's head coach.", "Real Sociedad's head coach, Imanol Alguacil, praised the squad."
    assert check_pair(claim, evidence) == []  # "head coach" is no built-in role
    own = tmp_path / "football.yaml"
    own.write_text("unique_roles: [head coach]\n", encoding="utf-8")
    L.use(L.load([own]))
    findings = check_pair(claim, evidence)
    assert summarize(findings) == "inconsistent" and findings[0].kind == "role" and findings[0].anchor == "head coach"
    assert summarize(check_pair("Imanol Alguacil is Real Sociedad's head coach.", evidence)) == "consistent"


def test_a_user_lexicon_adds_a_one_way_verb_to_the_relation_checks(tmp_path):
    from verify.checks import check_pair, summarize

    assert not [f for f in check_pair("Norvia licensed Altamed.", "Altamed licensed Norvia.") if f.kind == "relation"]
    own = tmp_path / "patents.yaml"
    own.write_text("one_way_verbs: {license: [license, licenses, licensed, licensing]}\n", encoding="utf-8")
    L.use(L.load([own]))
    findings = check_pair("Norvia licensed Altamed.", "Altamed licensed Norvia.")
    assert summarize(findings) == "inconsistent" and findings[0].kind == "relation" and findings[0].anchor == "license"
    assert summarize(check_pair("Altamed licensed Norvia.", "Altamed licensed Norvia.")) == "consistent"
