"""Build the thesis with `doit`: `doit list` shows the tasks (defined in the thesisbuild package)."""

from thesisbuild.dodo import *  # noqa: F401,F403
