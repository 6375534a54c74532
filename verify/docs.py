"""Every command's `--help`, for the README: `python -m verify.docs` rewrites the block between the
README's help markers; `python -m verify.docs --check` exits 1 when the README is out of date
(tests/test_settings.py runs the check, so the README's help never drifts from the live help)."""
from __future__ import annotations

import sys
from pathlib import Path

START, END = "<!-- help:start (python -m verify.docs) -->", "<!-- help:end -->"
WIDTH = 100
README = Path(__file__).resolve().parent.parent / "README.md"


def help_texts() -> dict[str, str]:
    """{"verify": top-level help, "verify check": ..., ...} from the live command line."""
    import contextlib
    import io

    from typer.main import get_command

    from .cli import app

    click_app = get_command(app)
    out: dict[str, str] = {}
    for name in [None, *sorted(click_app.commands)]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                click_app.main([name, "--help"] if name else ["--help"], prog_name="verify", standalone_mode=False,
                               terminal_width=WIDTH, max_content_width=WIDTH)
            except SystemExit:
                pass
        out["verify" + (f" {name}" if name else "")] = "\n".join(line.rstrip() for line in buf.getvalue().splitlines()).strip()
    return out


def help_block() -> str:
    parts = [START, ""]
    for title, text in help_texts().items():
        parts += [f"<details><summary><code>{title} --help</code></summary>", "", "```text", text, "```", "",
                  "</details>", ""]
    parts.append(END)
    return "\n".join(parts)


def updated(readme: str) -> str:
    if START not in readme or END not in readme:
        raise SystemExit(f"README has no help markers ({START} ... {END})")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + help_block() + tail


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print("README.md's command help is out of date: run python -m verify.docs", file=sys.stderr)
            return 1
        return 0
    if new != text:
        from .io import atomic_write

        atomic_write(README, new)
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
