"""`python -m tui_app` runs the same click group as the `fieldlog` script."""

from tui_app.cli import main

main()
