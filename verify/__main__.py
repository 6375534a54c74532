"""`python -m verify` = the `verify` command."""
from .cli import main

main()
