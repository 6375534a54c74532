"""Prometheus metrics of one app (its own registry, so apps in one process never share counts)."""
from __future__ import annotations

from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, totals: Callable[[], tuple[int, int]], queue_depth: Callable[[], int]) -> None:
        """`totals()` → (pairs scored, cache hits) so far; `queue_depth()` → requests waiting. Read at scrape time."""
        self.registry = r = CollectorRegistry()
        self.requests = Counter("verify_requests", "HTTP requests answered, by endpoint and status code",
                                ["endpoint", "status"], registry=r)
        self.latency = Histogram("verify_request_seconds", "Time to answer a request, by endpoint",
                                 ["endpoint"], buckets=LATENCY_BUCKETS, registry=r)
        r.register(_Totals(totals))
        self.batches = Histogram("verify_batch_requests", "requests served by one pipeline call, by kind",
                                 ["kind"], buckets=(1, 2, 4, 8, 16, 32, 64), registry=r)
        Gauge("verify_queue_depth", "requests waiting for the pipeline worker", registry=r).set_function(queue_depth)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Totals:
    def __init__(self, read: Callable[[], tuple[int, int]]):
        self.read = read

    def collect(self):
        pairs, hits = self.read()
        yield CounterMetricFamily("verify_pairs_scored", "(evidence window, claim) pairs scored", value=pairs)
        yield CounterMetricFamily("verify_cache_hits", "pairs whose scores came from the score cache", value=hits)
