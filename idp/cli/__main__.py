"""``python -m idp.cli``: the same command line as the installed ``mock-ohid``."""

from . import main

main()
