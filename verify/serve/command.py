"""`verify serve`: the CLI face of verify/serve (registered by verify/cli.py)."""
from __future__ import annotations

import ipaddress
import json
import os
from typing import List, Optional

import typer

from ..options import settings_options
from ..settings import Settings

SERVE_HINT = 'verify serve needs FastAPI and uvicorn: pip install "verify-claims[serve]"'
CONFIG_ENV = "VERIFY_SERVE_CONFIG"  # how `--workers N` hands the settings to each worker process


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve anywhere


SERVE_FLAGS = ("model", "engine", "trust_remote_code", "temperature", "cache", "top_k", "checks", "pairs", "settle", "windows_kept",
               "aggregator", "support_threshold", "contradict_threshold", "all_claims", "max_claims", "label_map",
               "retriever", "lexicons")


@settings_options(*SERVE_FLAGS, defaults={"cache": True, "max_claims": 1000})
def serve_command(
    corpus: List[str] = typer.Option([], "--corpus", "-c", metavar="NAME=PATH", help="NAME=PATH: a corpus (folder/file, or built index) the service may search, by NAME. Repeatable; requests can only name these."),
    host: str = typer.Option("127.0.0.1", help="Address to bind. Anything but loopback needs --token."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port (0: any free one)."),
    workers: int = typer.Option(1, min=1, max=64, help="Server processes; each loads the model and the indexes."),
    token: Optional[str] = typer.Option(None, envvar="VERIFY_TOKEN", help="Bearer token every /v1 and /metrics request must carry (also $VERIFY_TOKEN, which keeps it out of `ps`)."),
    max_text_chars: int = typer.Option(100_000, min=1, help="Longest article or answer a request may send (else 413)."),
    timeout: float = typer.Option(120.0, min=0.1, help="Seconds a request may wait for its answer (else 504)."),
    batch_claims: int = typer.Option(64, min=1, help="Claims of concurrent /v1/score requests verified in one batch (1: no batching)."),
    settings: Settings = None, profile=None,
) -> None:
    """Serve the checker over HTTP: a web page at / and a JSON API at /v1 (docs at /docs)."""
    from ..errors import InputError

    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        raise InputError(SERVE_HINT) from None
    if not is_loopback(host) and not token:
        raise InputError(f"refusing to serve on {host} without a token: give --token (or $VERIFY_TOKEN), or bind 127.0.0.1")
    from .app import parse_corpus_option
    from .models import Limits

    corpora = dict(parse_corpus_option(c) for c in corpus)
    if not corpora:
        raise InputError("give at least one --corpus NAME=PATH")
    if profile:
        from ..pipeline import Pipeline
        from ..profile import check_profile_model

        check_profile_model(profile, Pipeline(settings).verifier)
    limits = Limits(max_text_chars=max_text_chars, timeout_s=timeout, batch_claims=batch_claims)
    config = {"settings": settings.model_dump(mode="json"), "corpora": corpora, "token": token,
              "limits": limits.model_dump()}
    typer.echo(f"verify serve: loading the model and {len(corpora)} corpus index(es)…", err=True)
    if workers == 1:
        uvicorn.run(app_from_config(config), host=host, port=port, log_level="info", access_log=False, timeout_graceful_shutdown=5)
        return
    app_from_config(config)  # fail here, once, on a bad corpus or model; then each worker loads its own
    os.environ[CONFIG_ENV] = json.dumps(config)
    uvicorn.run("verify.serve.command:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=False, timeout_graceful_shutdown=5)


def app_from_config(config: dict):
    from ..settings import Settings
    from .app import create_app
    from .models import Limits

    return create_app(Settings(**config["settings"]), config["corpora"], token=config["token"],
                      limits=Limits(**config["limits"]))


def app_from_environment():
    """uvicorn's factory for `--workers N`: each worker process builds its app from the settings in the environment."""
    return app_from_config(json.loads(os.environ[CONFIG_ENV]))
