"""Claim extraction: text -> atomic, decontextualised, typed and flagged claims.

    from verify.extract import extract_claims, load_document
    claims = extract_claims(load_document("article.txt"))
"""
from .dates import find_document_date
from .extractor import document_from_text, extract_claims, iter_claims, load_document
from ..text.sentences import Sentence, iter_sentences, split_sentences

__all__ = [
    "Sentence",
    "document_from_text",
    "extract_claims",
    "find_document_date",
    "iter_claims",
    "iter_sentences",
    "load_document",
    "split_sentences",
]
