"""Train the notes labeller from the labelled corpus (deterministic).

    .venv/bin/python -m studyguide.notes.train            # tests/notes/corpus/train -> data/notes.crfsuite

Each corpus note is cut into citations by the importer's own segmenter (so training sees what
the importer will feed the model), each token takes the label of the labelled span it starts in
("O" outside every span), and crfsuite's L-BFGS trainer fits the model with fixed settings. Only
the train split is read: dev is for choosing the confidence threshold, heldout for the benchmark.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from studyguide.notes.crf import MODEL, Token, features, tokenize
from studyguide.notes.segment import split_citations

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "notes" / "corpus"
PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True}


def chunks(text: str) -> list[tuple[int, str]]:
    """The citation chunks of a note with their offsets in the note."""
    out, pos = [], 0
    for chunk in split_citations(text):
        at = text.find(chunk, pos)
        if at < 0:
            at = text.find(chunk[:12], pos)
        if at < 0:
            continue
        out.append((at, chunk))
        pos = at + len(chunk)
    return out


def token_labels(tokens: list[Token], spans: list[list], offset: int) -> list[str]:
    labels = []
    for t in tokens:
        start = t.start + offset
        lab = next((s[2] for s in spans if s[0] <= start < s[1]), "O")
        labels.append(lab)
    return labels


def instances(path: Path):
    """(features, labels) of every citation chunk in a corpus file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        note = json.loads(line)
        for at, chunk in chunks(note["text"]):
            tokens = tokenize(chunk)
            if tokens:
                yield features(chunk, tokens), token_labels(tokens, note["spans"], at)


def train(corpus: Path = CORPUS / "train" / "notes.jsonl", model: Path = MODEL, extra: list[Path] | None = None) -> int:
    """Fit the model on ``corpus`` and the other .jsonl files beside it (the sources' own notes)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    n = 0
    others = sorted(p for p in corpus.parent.glob("*.jsonl") if p != corpus)
    for path in [corpus, *others, *(extra or [])]:
        for xseq, yseq in instances(path):
            trainer.append(xseq, yseq)
            n += 1
    trainer.set_params(PARAMS)
    model.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model))
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS / "train" / "notes.jsonl")
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args(argv)
    n = train(args.corpus, args.model)
    print(f"trained on {n} citations -> {args.model}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
