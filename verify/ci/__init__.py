"""The CI gate: curated claim sets (claims/*.yaml) run through the pipeline, judged against
expected verdicts, compared with a recorded baseline, reported as a table, JSON and JUnit XML."""
from .baseline import compare, load_baseline, write_baseline
from .junit import junit_xml, write_junit
from .loader import ClaimSet, find_claim_sets, load_claim_set, load_claim_sets
from .runner import CaseResult, CIResult, SetResult, run_sets

__all__ = [
    "CIResult",
    "CaseResult",
    "ClaimSet",
    "SetResult",
    "compare",
    "find_claim_sets",
    "junit_xml",
    "load_baseline",
    "load_claim_set",
    "load_claim_sets",
    "run_sets",
    "write_baseline",
    "write_junit",
]
