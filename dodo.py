"""doit tasks for this book: the studyguide engine's (`doit list` shows them; README explains)."""
from studyguide.project import dodo

globals().update(dodo(__file__))
