"""doit tasks for the study guide. Declarations only: the work lives in the studyguide package.

    doit list        # what can be built
    doit             # build everything (books as PDF and EPUB, chapter handouts and booklets)
    doit handouts    # only the chapter handouts and booklets
    doit clean       # remove what was built
"""

import sys

from studyguide.config import load_book
from studyguide.errors import StudyguideError
from studyguide.reporter import StudyguideReporter
from studyguide.tasks import all_tasks

DOIT_CONFIG = {
    "default_tasks": ["pdf", "epub", "handouts"],
    "reporter": StudyguideReporter,
    "verbosity": 2,
    "dep_file": "build/.doit.db",
    "backend": "json",
}

try:
    BOOK = load_book(".")
except StudyguideError as error:
    print(error, file=sys.stderr)
    sys.exit(1)

globals().update(all_tasks(BOOK))
