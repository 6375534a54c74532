"""The FastAPI app: `create_app(settings, corpora, token=...)` loads the model and the corpora's
indexes once, then answers requests (README "Service" lists the endpoints and status codes).

Every error is JSON `{"error": "...", "status": N}`; no request can name a path, load a model or
change a setting; a body past the limits is refused before it is parsed.
"""
from __future__ import annotations

import contextlib
import re
import secrets
import time
from pathlib import Path
from typing import Mapping, Optional, Union

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..version import __version__
from ..errors import VerifyError, clip
from ..records import Report
from ..settings import Settings
from .metrics import Metrics
from .models import (CheckRequest, CorporaResponse, CorpusInfo, ErrorResponse, ExtractRequest, ExtractResponse,
                     Limits, RenderRequest, ScoreRequest, ScoreResponse)
from .worker import CountingPipeline, Job, ServiceError, Worker, batch_size_of, claims_of

STATIC_DIR = Path(__file__).resolve().parent / "static"
CORPUS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ERROR_CHARS = 300
# The page loads nothing from elsewhere and runs only its own script file.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
ERRORS = {code: {"model": ErrorResponse} for code in (401, 404, 413, 422, 503, 504)}


def parse_corpus_option(value: str) -> tuple[str, str]:
    """`NAME=PATH` (a `--corpus` value) → (name, path); a bad name is an InputError."""
    from ..errors import InputError

    name, sep, path = value.partition("=")
    if not sep or not path:
        raise InputError(f"--corpus must be NAME=PATH, got {clip(repr(value), 80)}")
    if not CORPUS_NAME.match(name):
        raise InputError(f"--corpus name {clip(repr(name), 80)}: use letters, digits, '.', '_' or '-' (at most 64)")
    return name, path


def create_app(settings: Settings | None = None, corpora: Mapping[str, Union[str, Path]] | None = None, *,
               token: Optional[str] = None, limits: Limits | None = None) -> FastAPI:
    """Load the verifier and each corpus's index (built if needed) now; answer requests later."""
    from fastapi_offline import FastAPIOffline

    from ..errors import InputError

    limits = limits or Limits()
    for name in corpora or {}:
        if not CORPUS_NAME.match(name):
            raise InputError(f"corpus name {clip(repr(name), 80)}: use letters, digits, '.', '_' or '-' (at most 64)")

    def too_many_claims(n: int) -> None:
        if n > limits.max_claims:
            raise ServiceError(413, f"the text has {n} claims to verify; this service verifies at most {limits.max_claims} a request")

    pipe = CountingPipeline(settings, on_claims=too_many_claims)
    indexes = {name: pipe.open_corpus(path) for name, path in (corpora or {}).items()}  # built if needed
    verifier = pipe.verifier  # the model loads once, here
    metrics = Metrics(lambda: (pipe.scored_pairs, getattr(verifier, "hits", 0)), lambda: worker.depth())
    worker = Worker(pipe, limits, on_batch=lambda kind, n: metrics.batches.labels(kind).observe(n))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        worker.stop()

    app = FastAPIOffline(lifespan=lifespan,
        title="verify", version=__version__,
        description="Check the facts in a text against a reference corpus, offline. "
                    "Errors are JSON {error, status}; see the README's Service section.",
        static_url="/static/docs")  # Swagger UI and ReDoc from files the package ships: no CDN
    app.state.pipeline, app.state.worker, app.state.limits = pipe, worker, limits

    # -- errors: one JSON shape ---------------------------------------------------------------------
    def error(status: int, message: str, headers: Optional[dict] = None) -> JSONResponse:
        return JSONResponse({"error": clip(message, ERROR_CHARS), "status": status}, status_code=status, headers=headers)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, e: ServiceError):
        return error(e.status, e.message, e.headers)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, e: HTTPException):
        return error(e.status_code, str(e.detail), getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body") or "body"
        return error(422, f"{where}: {first.get('msg', 'invalid request')}")  # never echoes the input

    @app.exception_handler(VerifyError)
    async def _verify_error(request: Request, e: VerifyError):
        return error(422, str(e))

    @app.exception_handler(Exception)
    async def _bug(request: Request, e: Exception):
        return error(500, f"internal error: {type(e).__name__}")

    # -- middleware: body size (innermost), then metrics (outermost) ----------------------------
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes, reply=error)
    known = {"/", "/healthz", "/metrics", "/v1/check", "/v1/score", "/v1/extract", "/v1/corpora", "/v1/render", "/docs", "/redoc", "/openapi.json"}

    @app.middleware("http")
    async def _measure(request: Request, call_next):
        start = time.perf_counter()
        endpoint = request.url.path if request.url.path in known else "other"
        try:
            response = await call_next(request)
        except Exception:  # noqa: BLE001 - counted, then answered by the handler above
            metrics.requests.labels(endpoint, "500").inc()
            raise
        metrics.requests.labels(endpoint, str(response.status_code)).inc()
        metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
        return response

    # -- auth ---------------------------------------------------------------------------------------
    bearer = HTTPBearer(auto_error=False, description="`--token` of `verify serve`")

    async def authorized(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
        if token is None:
            return
        given = credentials.credentials if credentials else ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise ServiceError(401, "missing or wrong bearer token" if given else "this service needs a bearer token "
                               "(Authorization: Bearer TOKEN)", {"WWW-Authenticate": "Bearer"})

    guarded = {"dependencies": [Depends(authorized)], "responses": ERRORS}

    def corpus(name: str):
        if name not in indexes:
            raise ServiceError(404, f"unknown corpus {clip(repr(name), 80)} (this service has: "
                               f"{', '.join(sorted(indexes)) or 'none'}; corpora are named at start-up, never by path)")
        return indexes[name]

    def check_date(date) -> None:
        from ..io import check_date_range

        if date is not None:
            check_date_range(date, "date")  # InputError → 422, as on the command line

    def check_length(text: str, what: str) -> None:
        if len(text) > limits.max_text_chars:
            raise ServiceError(413, f"{what} has {len(text):,} characters; this service takes at most {limits.max_text_chars:,}")

    # -- the page and the probes ----------------------------------------------------------------
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    app.mount("/static/page", StaticFiles(directory=STATIC_DIR), name="page")

    @app.get("/", include_in_schema=False)
    async def index_page():
        return HTMLResponse(page, headers={"Content-Security-Policy": PAGE_POLICY, "X-Content-Type-Options": "nosniff"})

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict:
        """Liveness: the model and corpora are loaded. Open without a token."""
        return {"status": "ok", "version": __version__, "model": verifier.name, "corpora": sorted(indexes),
                "auth": token is not None, "queue": worker.depth()}

    @app.get("/metrics", tags=["service"], response_class=Response, **guarded)
    async def metrics_text():
        """Prometheus text: requests by endpoint and status, latency histogram, pairs scored, cache hits."""
        return Response(metrics.render(), media_type=metrics.content_type)

    # -- the API ------------------------------------------------------------------------------------
    @app.get("/v1/corpora", tags=["verify"], **guarded)
    async def list_corpora() -> CorporaResponse:
        return CorporaResponse(corpora=[  # any retriever: an index has a size and a hash, a plug-in may have neither
            CorpusInfo(name=n, passages=len(ix) if hasattr(ix, "__len__") else None,
                       corpus_hash=getattr(ix, "manifest", {}).get("corpus_hash")) for n, ix in sorted(indexes.items())])

    @app.post("/v1/check", tags=["verify"], responses={200: {"model": Report}, **ERRORS},
              response_class=Response, dependencies=guarded["dependencies"])
    async def check(req: CheckRequest):
        """The article against a named corpus → the JSON report of `verify check` (report.schema.json)."""
        from ..extract import document_from_text
        from ..report import render_json

        check_length(req.text, "text")
        check_date(req.date)
        index = corpus(req.corpus)
        report = await worker.run(Job("check", (document_from_text(req.text, req.date, req.id), index)))
        return Response(render_json(report), media_type="application/json")

    @app.post("/v1/extract", tags=["verify"], **guarded)
    async def extract(req: ExtractRequest) -> ExtractResponse:
        """The text's claims with their spans, types and check-worthiness (no model)."""
        import asyncio

        from ..extract import document_from_text, extract_claims

        check_length(req.text, "text")
        check_date(req.date)
        document = document_from_text(req.text, req.date)
        try:
            claims = await asyncio.wait_for(run_in_threadpool(extract_claims, document), limits.timeout_s)
        except asyncio.TimeoutError:
            raise ServiceError(504, f"no answer within {limits.timeout_s:g} s") from None
        return ExtractResponse(date=document.date, claims=claims)

    @app.post("/v1/score", tags=["verify"], **guarded)
    async def score(req: ScoreRequest) -> ScoreResponse:
        """Each answer's check-worthy claims (or the given claims) against that answer's contexts."""
        check_date(req.date)
        if len(req.items) > limits.max_items:
            raise ServiceError(413, f"{len(req.items)} items; this service takes at most {limits.max_items} a request")
        for k, item in enumerate(req.items):
            if len(item.contexts) > limits.max_contexts:
                raise ServiceError(413, f"items[{k}] has {len(item.contexts)} contexts; at most {limits.max_contexts}")
            longest = max(len(text) for text in item.contexts)
            if longest > limits.max_context_chars:
                raise ServiceError(413, f"a context of items[{k}] has {longest:,} characters; at most {limits.max_context_chars:,}")
            if (item.answer is None) == (item.claims is None):
                raise ServiceError(422, f"items[{k}]: give either answer or claims")
            check_length(item.answer or "\n".join(item.claims or ()), f"items[{k}]")
        prepared = await run_in_threadpool(lambda: [(item, claims_of(item, req.date)) for item in req.items])
        size = sum(batch_size_of(claims) for _, claims in prepared)
        too_many_claims(size)
        rows, answers = await worker.run(Job("score", prepared, size=max(size, 1), key=req.date))
        return ScoreResponse(rows=rows, answers=answers)

    @app.post("/v1/render", tags=["verify"], response_class=Response, **guarded)
    async def render(req: RenderRequest):
        """A report (as /v1/check returned it) rendered as the self-contained HTML page or Markdown."""
        from ..report import render_html, render_markdown

        try:
            report = Report.model_validate(req.report)
        except ValueError as e:
            raise ServiceError(422, f"report: not a verify report ({clip(str(e).splitlines()[0], 120)})") from None
        if req.format == "md":
            return Response(render_markdown(report), media_type="text/markdown; charset=utf-8")
        return Response(render_html(report), media_type="text/html; charset=utf-8")

    return app


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413 before anything reads it (a declared
    Content-Length is checked at once; a chunked body is read here up to the limit)."""

    def __init__(self, app, limit: int, reply):
        self.app, self.limit, self.reply = app, limit, reply

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.limit:
                return await self._refuse(scope, receive, send)
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await self._refuse(scope, receive, send)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send):
        await self.reply(413, f"request body over {self.limit:,} bytes")(scope, receive, send)
