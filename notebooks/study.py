"""The study's one configuration, shared by every notebook: `study.toml` beside this file.

`discourse analyze --config notebooks/study.toml` runs the same analysis from the command line.
The notebooks show no progress bars and draw their own figures; everything else is the file's.
"""

from dataclasses import replace
from pathlib import Path

from discourse import load_study

#: Compare by outlet country, by period, and by their crossing; both models; K chosen as stm searchK
#: does (README); LDA fitted over five seeds and combined; one seed for everything; computed in the
#: reproducible numeric mode, so a notebook run in any kernel gives the numbers `discourse figures` gives.
STUDY = load_study(Path(__file__).resolve().with_name("study.toml"))
CONFIG = replace(STUDY.config, progress=False, figures=False, cache_dir=None)
