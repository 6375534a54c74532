"""Text handling shared by every stage: the bottom layer of verify (it imports only `errors`, `io`
and `records`).

- `sentences`: the one sentence splitter, with exact character offsets.
- `words`: the one tokenizer, stop-word lists and lemmatiser; what a "content word" is; BM25's tokens.
- `lexicon`: number words, months and weekdays, name aliases, nationalities, event and counted
  nouns, unit aliases — as data (`verify/text/lexicons/*.yaml`), extendable by user files.
- `tokens`: windows sized by the verifier's own tokenizer.
"""
from .lexicon import Lexicon, current, load, use
from .sentences import Sentence, iter_sentences, sentence_at, sentence_spans, split_sentences
from .words import content_lemmas, lemmatize, terms, tokens

__all__ = [
    "Lexicon",
    "Sentence",
    "content_lemmas",
    "current",
    "iter_sentences",
    "lemmatize",
    "load",
    "sentence_at",
    "sentence_spans",
    "split_sentences",
    "terms",
    "tokens",
    "use",
]
