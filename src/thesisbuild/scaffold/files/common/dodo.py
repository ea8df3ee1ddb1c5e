"""Build the thesis with `doit`; `doit list` shows the tasks (they come with thesisbuild)."""

from thesisbuild.dodo import *  # noqa: F401,F403
