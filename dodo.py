"""doit tasks for the study guide. Declarations only: the work lives in the studyguide package.

    doit list        # what can be built
    doit             # build everything (books as PDF and EPUB, chapter handouts and booklets)
    doit handouts    # only the chapter handouts and booklets
    doit clean       # remove what was built
"""

import sys
from pathlib import Path

from studyguide.config import load_book
from studyguide.errors import StudyguideError
from studyguide.fsutil import lock_project, recover_doit_db
from studyguide.reporter import StudyguideReporter
from studyguide.tasks import all_tasks

DOIT_CONFIG = {
    "default_tasks": ["pdf", "epub", "handouts"],
    "reporter": StudyguideReporter,
    "verbosity": 2,
    "dep_file": "build/.doit.db",
    "backend": "json",
}

# doit's json backend cannot create the database's folder (`doit clean` on a fresh checkout crashed),
# and rewrites the file in place: one cut short by a killed build is set aside, not fatal.
Path(DOIT_CONFIG["dep_file"]).parent.mkdir(exist_ok=True)
# One build at a time per project: a second doit waits for the first (build/.lock).
LOCK = lock_project(Path(DOIT_CONFIG["dep_file"]).parent)
if damaged := recover_doit_db(Path(DOIT_CONFIG["dep_file"])):
    print(damaged, file=sys.stderr)

try:
    BOOK = load_book(".")
except StudyguideError as error:
    print(error, file=sys.stderr)
    sys.exit(1)

globals().update(all_tasks(BOOK))
