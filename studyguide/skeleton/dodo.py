from studyguide.project import dodo

globals().update(dodo(__file__))
