"""`verify serve`: the checking service (HTTP API + web page) on FastAPI; the `[serve]` extra.

    from verify.serve import create_app
    app = create_app(Settings(), {"seed": "claims/seed-summit/corpus"}, token=None)   # any ASGI server
"""
from .models import Limits

__all__ = ["Limits", "create_app"]


def __getattr__(name: str):
    if name == "create_app":  # FastAPI is imported only when an app is made
        from .app import create_app

        return create_app
    raise AttributeError(name)
