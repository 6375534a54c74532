"""Rule-based numeric, date, duration, ordinal, place, role and relation checks: the comparisons NLI models get wrong.

    check_pair(claim, evidence, doc_date=None, evidence_date=None) -> list[CheckFinding]
    summarize(findings) -> "consistent" | "inconsistent" | "none"
    combine(claim, findings) -> the same, slot by slot: what the verdict uses (see compare.combine)
    extract_quantities(text) -> list[Quantity];  extract_dates(text, doc_date) -> list[DateMention]

Extraction
- Numbers: digits with separators and decimals ("28,500", "3.5"), scale words ("$4.2 million",
  "two million"), number words ("eleven", "twenty-eight thousand", "a dozen"), vague plurals
  ("dozens of" → [24, 144)). Abbreviated scales ("5m", "3bn") only after a currency.
- Bounds turn a value x into an interval: more than / over → (x, ∞); at least → [x, ∞);
  fewer / less than / under → [0, x); up to / at most → [0, x]; about / around / roughly / some
  → [0.9x, 1.1x]; nearly / almost → [0.9x, x); "between a and b", "a-b", "a to b" → [a, b].
- Units: percent ("45%", "45 percent"), percentage points, currencies by symbol, code or word
  ("€300", "USD 5m", "1.2 billion won"). A count's noun is the head of the noun phrase after it
  ("more than ten agreements covering ..." → agreement): the first plural noun, never past a
  preposition or a verb ("80,000 homes without power" → home), lemmatised by rule; compound units
  stay whole ("140 km/h", "5 mg/dL", "90 miles per hour" → mph; km/h ~ kph ~ kilometres per hour);
  synonyms share a family (agreement ~ memorandum ~ MOU ~ deal ~ accord; troop ~ soldier;
  meeting ~ summit ~ talks).
- Ordinals ("second", "3rd", "twenty-first") count events when a noun follows ("second summit").
- Dates are inclusive day intervals: "4 June 2024", "June 4, 2024", "2024-06-04"; "04/06/2024"
  is the hull of both readings unless one is impossible; months, years, "mid-2025" (May–Aug),
  "early 2024" (Jan–Apr), "late 2023" (Sep–Dec), halves, quarters, seasons, decades. Relative
  dates ("last November", "two months ago", "yesterday", "next week") are resolved against the
  document date; without one they stay unresolved. A bare month, day-month or weekday is one
  month/day of one year chosen by its clause's tense (`lexicon.clause_tense`): past ("reopened in
  March", "struck on Monday") → the latest on or before the document date, future ("will open in
  March") → the next one, otherwise the nearest.
- Durations between events: "in two months", "within three weeks", "a mere two months",
  "two months apart" → days, ± half a unit ("within" is an upper bound).

Not quantities (never compared): years and other dates, durations ("five years"), phone numbers,
ZIP codes, times of day, versions and other name+number identifiers ("Python 3.11", "Windows 11"),
page/section/article numbers, scores ("won 3-1"), ages, "one of the", partitives ("three of the
victims"), "the two nations" (a reference, not a count), ranks ("second-largest", "second-most"),
"a second" as time, "first met" (adverb), "second half".

Comparison (one finding per claim item)
- Same thing: counts need the same noun family; percentages and money need the same unit and
  either the same noun or a shared content word near the number; a bare number matches only
  weakly (shared context words) and can then only be consistent.
- consistent: the evidence interval lies inside the claim's (">10" vs 14); round claim figures get
  half a unit of their last significant digit ("2 million" covers 1.9–2.1 million).
  inconsistent: the intervals cannot overlap, even widening the evidence by its own rounding
  (">10" vs "fewer than five" or "eight"). Anything else is unrelated.
- Ordinals: equal ordinal, an equal exact count ("two summits") or exactly n dated events of the
  same family → consistent; a different ordinal other than "first" → inconsistent.
- Dates: the claim date's event (nearest event word in its sentence; families in
  `lexicon.EVENT_PATTERNS` (extended by the lexicon's `event_words`): took office ~ sworn in ~ inaugurated ~ became president/premier; met ~
  summit; visit; signed ~ inked; elected ~ won the vote; opened ~ reopened; born; died ~ passed
  away; founded; launched) must match the
  evidence date's event; then containment / disjointness as above ("mid-2025" vs 4 June 2025 →
  consistent; vs 2023 → inconsistent). Without an event word, only agreement can be shown.
- Durations: the gap between two dated events of the same family in the evidence (or a duration
  it states for them) must fall in the claimed span; with several gaps only agreement counts.
- Places: where one dated occasion of an event happened ("in Busan last November" against "on 1
  November 2025 ... in Gyeongju"): same event family, same subject, the evidence date inside the
  claim's (at most a month when the event recurs); the gazetteer (`places.py`, GeoNames) decides
  same place → consistent, two cities over 50 km apart, the claim's named nowhere in the passage →
  inconsistent, a country/state/continent or an unknown place → unrelated.
- Roles (`roles.py`): a role of the lexicon's `unique_roles` (predecessor, successor, capital) the
  claim gives someone ("Moon Jae-in is President Lee's predecessor") against the evidence's holder
  of the same role for the same possessor ("His predecessor, Yoon Suk Yeol", the pronoun standing
  for the one person the sentence before names): the same holder → consistent, another holder while
  the claim's is named nowhere in the passage → inconsistent, anything else unrelated.
- Relations (`relations.py`): who did what to whom with a one-way verb of the lexicon's
  `one_way_verbs` (defeat ~ beat, acquire ~ bought, succeed ~ replaced, host, sue, invade, appoint,
  overtake) between two names, active or passive: the evidence stating the same agent and patient →
  consistent, only the other way round ("Miami defeated Oklahoma City" against "Oklahoma City
  defeated Miami") → inconsistent, else unrelated.
- Subject gate: an evidence sentence that opens with a name the claim never mentions (two or more
  capitalised words, places aside: "Halden Networks, a rival of Corvale Systems, said its revenue
  fell 3 percent") is about that subject, so its numbers and dates are unrelated to the claim's.
  And when both sides name people or places (aliases: Seoul ~ Korea, Beijing ~ China)
  and share none, the pair is unrelated. Every doubt resolves to "unrelated": a false
  "inconsistent" flips a verdict to contradicted.
"""
from verify.checks.compare import check_pair, combine, summarize
from verify.checks.dates import DateMention, Duration, extract_dates, extract_durations
from verify.checks.quantities import Quantity, extract_quantities

__all__ = [
    "DateMention",
    "Duration",
    "Quantity",
    "check_pair",
    "combine",
    "extract_dates",
    "extract_durations",
    "extract_quantities",
    "summarize",
]
