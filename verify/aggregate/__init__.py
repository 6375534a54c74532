"""Evidence → verdict: the one stage where NLI probabilities and check findings are combined.

The scoring stage hands over the claim's score image — raw NLI probabilities for every scored
window (`WindowScore`) — and the checks their findings per passage (`CheckFinding`). `evidence.weigh`
applies the findings and the relevance weighting (documented there); an aggregator chosen by name
(`load_aggregator`, `--aggregator`) turns the weighed windows into a `Verdict`:

- `rules`: the hand-set rule (`rules.py`): S = max support, C = max contradiction, P(supported) =
  S(1-C) + SC/2 …, thresholds.
- `learned`: a logistic regression over per-claim features of the score image (`learned.py`),
  trained on claim-level train splits only by `verify train-aggregator`.
"""
from .base import AGGREGATORS, Aggregator, ClaimRef, load_aggregator, settled
from .evidence import Thresholds, Weighed, adjust_for_checks, weigh
from .rules import RulesAggregator

__all__ = ["AGGREGATORS", "Aggregator", "ClaimRef", "RulesAggregator", "Thresholds", "Weighed", "adjust_for_checks",
           "load_aggregator", "settled", "weigh"]
