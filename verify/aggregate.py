"""Evidence → verdict.

For one claim we have, per retrieved passage, NLI probabilities on its most decisive window and
the numeric/date check findings. The rule (documented in the README):

1. Checks adjust a pair first: a clear numeric/date inconsistency with a passage about the same
   counted thing caps that pair's entailment at 0.05 and raises its contradiction to at least 0.85;
   a clear match raises entailment to at least 0.70 and caps contradiction at 0.30 (NLI models are
   blind to "more than ten" vs "14"). A claim quantity/date that some passage confirms is not
   counted as contradicted by another passage.
2. S = max entailment over the claim's pairs, C = max contradiction, where a window's entailment
   and contradiction are scaled by (relevance / 0.5)², capped at 1 — relevance being the share of
   the claim's content words the window contains: small NLI models call an unrelated premise a
   contradiction (an SNLI artefact) and entail a claim from a topical one. A numeric/date
   inconsistency always counts in full as a contradiction, a match in full as support.
3. Treating "some passage supports" and "some passage contradicts" as independent events:
   P(supported) = S(1-C) + SC/2, P(contradicted) = C(1-S) + SC/2, P(nei) = (1-S)(1-C).
4. The label is supported when P(supported) ≥ support_threshold and ≥ P(contradicted);
   contradicted when P(contradicted) ≥ contradict_threshold; otherwise not_enough_info.
"""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from .records import CheckFinding, CitedEvidence, Evidence, PairScore, Passage, Verdict


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True)
    support: float = 0.5
    contradict: float = 0.5
    relevance: float = 0.5  # share of claim words a window needs for its entailment or contradiction to count in full
    cite: int = 2  # evidence windows cited per verdict


def adjust_for_checks(score: PairScore, verdict_of_checks: str) -> PairScore:
    """Let a clear numeric/date finding override the NLI model on that pair (step 1 above)."""
    e, n, c = score.entailment, score.neutral, score.contradiction
    if verdict_of_checks == "inconsistent":
        e, c = min(e, 0.05), max(c, 0.85)
    elif verdict_of_checks == "consistent":
        e, c = max(e, 0.70), min(c, 0.30)  # the numbers match: an NLI "contradiction" here is its number blind spot
    else:
        return score
    n = max(0.0, 1.0 - e - c)
    total = e + n + c
    return score.model_copy(update={"entailment": e / total, "neutral": n / total, "contradiction": c / total})


def apply_checks(claim: str, scores: list[PairScore], passages: dict[str, Passage],
                 date: dt.date | None = None) -> list[PairScore]:
    """Run the numeric/date checks on each of a claim's pairs and let clear findings adjust them.

    A quantity or date of the claim that one passage confirms is not contradicted by another
    passage: the other is then about something else (a rival's revenue, another visit).
    """
    from .checks import check_pair, summarize

    found = [check_pair(claim, passages[s.passage_id].text, doc_date=date) for s in scores]
    confirmed = {f.claim_span for fs in found for f in fs if f.relation == "consistent"}
    out = []
    for score, findings in zip(scores, found):
        findings = [f.model_copy(update={"relation": "unrelated",
                                         "explanation": f.explanation.replace("→ inconsistent", "→ unrelated (another passage agrees)")})
                    if f.relation == "inconsistent" and f.claim_span in confirmed else f for f in findings]
        if findings:
            score = adjust_for_checks(score.model_copy(update={"checks": findings}), summarize(findings))
        out.append(score)
    return out


def _by_relevance(value: float, p: PairScore, full_relevance: float) -> float:
    """Scale a window's probability by how much of the claim it talks about: in full from
    `full_relevance` of the claim's content words, by (relevance / full_relevance)² below that."""
    if p.relevance is None or full_relevance <= 0:
        return value
    return value * min(1.0, p.relevance / full_relevance) ** 2


def _contradiction(p: PairScore, full_relevance: float) -> float:
    """NLI models trained on SNLI call an unrelated premise a contradiction, so a window's
    contradiction counts by relevance; a numeric/date inconsistency always counts in full."""
    if any(f.relation == "inconsistent" for f in p.checks):
        return p.contradiction
    return _by_relevance(p.contradiction, p, full_relevance)


def _support(p: PairScore, full_relevance: float) -> float:
    """Small NLI models also entail a claim from a topical premise that shares a word or two
    (an abstract sentence about urease "entails" a claim about urease's structure), so a window's
    entailment counts by relevance too; a numeric/date match always counts in full."""
    if any(f.relation == "consistent" for f in p.checks):
        return p.entailment
    return _by_relevance(p.entailment, p, full_relevance)


def aggregate(claim_id: str, pairs: list[PairScore], evidence: list[Evidence],
              thresholds: Thresholds = Thresholds()) -> Verdict:
    if not pairs:
        return Verdict(claim_id=claim_id, label="not_enough_info",
                       probabilities={"supported": 0.0, "contradicted": 0.0, "not_enough_info": 1.0},
                       explanation="no evidence retrieved")
    s = max(_support(p, thresholds.relevance) for p in pairs)
    c = max(_contradiction(p, thresholds.relevance) for p in pairs)
    probs = {"supported": s * (1 - c) + s * c / 2, "contradicted": c * (1 - s) + s * c / 2,
             "not_enough_info": (1 - s) * (1 - c)}
    if probs["supported"] >= thresholds.support and probs["supported"] >= probs["contradicted"]:
        label, key = "supported", (lambda p: _support(p, thresholds.relevance))
    elif probs["contradicted"] >= thresholds.contradict:
        label, key = "contradicted", (lambda p: _contradiction(p, thresholds.relevance))
    else:
        label, key = "not_enough_info", (lambda p: max(p.entailment, p.contradiction))
    by_id = {e.passage.id: e.passage for e in evidence}
    ranked = sorted(pairs, key=key, reverse=True)[: thresholds.cite]
    cited = []
    for p in ranked:
        passage = by_id.get(p.passage_id)
        if passage is None:
            continue
        a, b = p.window_span
        cited.append(CitedEvidence(passage_id=passage.id, doc_id=passage.doc_id,
                                   span=(passage.span[0] + a, passage.span[0] + b), text=passage.text[a:b],
                                   entailment=round(p.entailment, 4), contradiction=round(p.contradiction, 4)))
    checks: list[CheckFinding] = []
    for p in ranked:
        checks.extend(f for f in p.checks if f.relation != "unrelated" and f not in checks)
    top = cited[0] if cited else None
    if label == "not_enough_info":
        why = "no passage clearly supports or contradicts the claim"
    else:
        verb = "supported" if label == "supported" else "contradicted"
        why = f"{verb} by {top.doc_id} (p={max(top.entailment, top.contradiction):.2f})" if top else verb
    if checks:
        why += "; " + "; ".join(f.explanation for f in checks[:2])
    return Verdict(claim_id=claim_id, label=label, probabilities={k: round(v, 4) for k, v in probs.items()},
                   evidence=cited, checks=checks, explanation=why)
