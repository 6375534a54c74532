"""The one thread that runs the pipeline, and the batching in front of it.

Every model call of the service happens on this thread (the pipeline, its verifier, its indexes and
its score cache are used by one thread only). Requests wait in a bounded queue (full: 503); a
request that waits past its timeout gets 504 and, if it has not started, is dropped. Score requests
that are waiting together are verified in one pipeline call (one batched NLI pass over all their
pairs, up to `Limits.batch_claims` claims): batches form only when requests queue up behind a busy
worker, so a lone request never waits for company. benchmarks/serve_load.py measures it.
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import datetime as dt
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from ..pipeline import Pipeline
from ..records import Claim, Document
from .models import Limits, ScoreItem


class ServiceError(Exception):
    """A request the service answers with `status` and a one-line JSON error."""

    def __init__(self, status: int, message: str, headers: Optional[dict[str, str]] = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


class CountingPipeline(Pipeline):
    """The pipeline, counting the (window, claim) pairs it scores (for /metrics)."""

    scored_pairs = 0

    def score(self, claims, evidence, date, progress=None):
        scores, findings = super().score(claims, evidence, date, progress=progress)
        self.scored_pairs += sum(len(s) for s in scores.values())
        return scores, findings


# -- score: answers (or given claims) vs their own contexts ----------------------------------------
# /v1/score is `verify.score` (verify/scoring.py): the same rows as the Python API and `verify score`,
# for the items of every request in a batch at once.

def claims_of(item: ScoreItem, date: Optional[dt.date]) -> list:
    """The claims an item asks about: the given texts, else its answer's claims (extracted once, here:
    the handler sizes the batch by them and `verify.score` then uses them as they are)."""
    from ..extract import extract_claims

    if item.claims is not None:
        return list(item.claims)
    return list(extract_claims(Document(text=item.answer, date=date)))


def batch_size_of(claims: list) -> int:
    """Claims to verify: every given text, the check-worthy ones of an extracted answer."""
    return sum(c.checkworthy if isinstance(c, Claim) else 1 for c in claims)


def score_rows(pipe: Pipeline, items: Sequence[tuple[ScoreItem, list]],
               date: Optional[dt.date]) -> list[tuple[list[dict], dict]]:
    """Each (item, its `claims_of`)'s (rows, answer summary) from one `verify.score` call over all the items."""
    from ..scoring import score

    if not items:
        return []
    frame = score([item.contexts for item, _ in items], [item.answer for item, _ in items],
                  claims=[claims for _, claims in items], ids=[str(k) for k in range(len(items))], date=date, pipeline=pipe)
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    summaries = {a["answer_id"]: a for a in frame.attrs["answers"]}
    out = []
    for k, (item, _) in enumerate(items):
        name = item.id if item.id is not None else str(k)
        rows = [{**r, "answer_id": name} for r in records if r["answer_id"] == str(k)]
        summary = {**summaries[str(k)], "answer_id": name}
        if summary["faithfulness"] is not None and summary["faithfulness"] != summary["faithfulness"]:
            summary["faithfulness"] = None  # NaN: no check-worthy claim
        out.append((rows, summary))
    return out


# -- the worker -------------------------------------------------------------------------------------
@dataclass
class Job:
    kind: str  # "check" or "score"
    payload: Any
    size: int = 1  # claims, for batching
    key: Any = None  # only jobs with the same key are batched (score: the date)
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)


class Worker:
    def __init__(self, pipe: CountingPipeline, limits: Limits, on_batch: Callable[[str, int], None] = lambda kind, n: None):
        self.pipe, self.limits, self.on_batch = pipe, limits, on_batch
        self.jobs: queue.Queue[Optional[Job]] = queue.Queue(maxsize=limits.queue)
        self.deferred: collections.deque[Job] = collections.deque()  # taken from the queue but not batched
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name="verify-serve-worker", daemon=True)
        self.thread.start()

    def depth(self) -> int:
        return self.jobs.qsize() + len(self.deferred)

    async def run(self, job: Job) -> Any:
        """Queue `job` and wait for its result (503 when the queue is full, 504 past the timeout)."""
        try:
            self.jobs.put_nowait(job)
        except queue.Full:
            raise ServiceError(503, f"busy: {self.limits.queue} requests are already waiting; retry later",
                               {"Retry-After": "1"}) from None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(job.future), self.limits.timeout_s)
        except asyncio.TimeoutError:  # the job is cancelled if it has not started; a started one finishes unseen
            raise ServiceError(504, f"no answer within {self.limits.timeout_s:g} s") from None

    def stop(self, wait_s: float = 30.0) -> None:
        """Finish the job in hand (requests still queued are not started), then end the thread."""
        self.stopping = True
        try:
            self.jobs.put_nowait(None)
        except queue.Full:
            pass
        self.thread.join(wait_s)

    # -- on the worker thread -------------------------------------------------------------------
    def _next(self, block: bool) -> Optional[Job]:
        if self.deferred:
            return self.deferred.popleft()
        return self.jobs.get() if block else self.jobs.get_nowait()

    def _loop(self) -> None:
        while not self.stopping:
            job = self._next(block=True)
            if job is None:
                return
            if not job.future.set_running_or_notify_cancel():
                continue  # timed out while waiting
            batch = [job] + (self._companions(job) if job.kind == "score" else [])
            self.on_batch(job.kind, len(batch))
            try:
                results = self._execute(job.kind, [j.payload for j in batch], job.key)
            except BaseException as e:  # every request of the batch gets the error
                for j in batch:
                    j.future.set_exception(e)
                continue
            for j, result in zip(batch, results):
                j.future.set_result(result)

    def _companions(self, first: Job) -> list[Job]:
        """Waiting score jobs that fit in one batch with `first`; others go back, in order."""
        batch, size, skipped = [], first.size, []
        while size < self.limits.batch_claims:
            try:
                job = self._next(block=False)
            except queue.Empty:
                break
            if job is None:
                skipped.append(job)
                break
            if job.kind != first.kind or job.key != first.key or size + job.size > self.limits.batch_claims:
                skipped.append(job)
                continue
            if job.future.set_running_or_notify_cancel():
                batch.append(job)
                size += job.size
        self.deferred.extendleft(reversed(skipped))
        return batch

    def _execute(self, kind: str, payloads: list, key: Any) -> list:
        if kind == "check":
            (document, index), = payloads
            return [self.pipe.check(document, index)]
        items = [item for payload in payloads for item in payload]
        scored = score_rows(self.pipe, items, key)
        out, start = [], 0
        for payload in payloads:  # each request gets its own items' rows back
            mine = scored[start : start + len(payload)]
            out.append(([r for rows, _ in mine for r in rows], [summary for _, summary in mine]))
            start += len(payload)
        return out
