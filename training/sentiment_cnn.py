"""Train the convolutional sentiment network (``nlp.cnn``) and write ``nlp/models/sentiment_cnn.npz``.

    .venv/bin/python -m training.sentiment_cnn [--epochs 8] [--out PATH]

PyTorch is needed here only (``pip install torch --index-url https://download.pytorch.org/whl/cpu``);
the shipped file runs with numpy. Inputs are the navec vectors of a post's known word forms
(first ``MAX_TOKENS``), frozen. Filters of widths ``WIDTHS``, ``FILTERS`` each, ReLU, max over
time, dropout, a linear layer to RuSentiment's five classes, class weights «balanced» like
the linear model. Train is the same split as ``training.sentiment``; the epoch with the best
dev macro F1 (three labels) is kept. ``--final`` trains on train + dev for the chosen number
of epochs.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

from nlp.cnn import ConvModel
from nlp.datasets import THREE_WAY, read_rusentiment, shared_data_dir, split_of
from nlp.embeddings import DIM, EMBEDDING_NAME, load_vectors
from nlp.lemmas import Lemmatizer
from nlp.metrics import classification_report

MODEL = Path(__file__).resolve().parents[1] / "nlp" / "models" / "sentiment_cnn.npz"
MAX_TOKENS = 64
WIDTHS = (2, 3)
FILTERS = 64
LABELS = ["negative", "neutral", "positive", "skip", "speech"]


def build(torch, table: np.ndarray):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding.from_pretrained(torch.from_numpy(table), freeze=True, padding_idx=0)
            self.convs = nn.ModuleList(nn.Conv1d(DIM, FILTERS, w) for w in WIDTHS)
            self.dropout = nn.Dropout(0.5)
            self.out = nn.Linear(FILTERS * len(WIDTHS), len(LABELS))

        def forward(self, ids, lengths):
            x = self.embedding(ids).transpose(1, 2)            # batch × dim × L
            pooled = []
            for w, conv in zip(WIDTHS, self.convs):
                h = torch.relu(conv(x))                         # batch × F × (L − w + 1)
                valid = torch.clamp(lengths - w + 1, min=1)
                mask = torch.arange(h.shape[2])[None, :] < valid[:, None]
                pooled.append((h * mask[:, None, :]).max(dim=2).values)
            return self.out(self.dropout(torch.cat(pooled, dim=1)))

    return Net()


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--final", type=int, default=0, help="train on train + dev for this many epochs and save")
    parser.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args()
    torch.manual_seed(7)
    torch.set_num_threads(2)
    root = shared_data_dir(args.data)
    rows = read_rusentiment(root, "random") + read_rusentiment(root, "preselected")
    lemmatizer, vectors = Lemmatizer(), load_vectors()
    ids = [vectors.ids(lemmatizer.tokens(r.text), MAX_TOKENS) for r in rows]
    used = sorted({i for seq in ids for i in seq})
    remap = {old: new + 1 for new, old in enumerate(used)}  # 0 is padding
    table = np.vstack([np.zeros((1, DIM), dtype=np.float32), vectors.rows(used)])
    seqs = [[remap[i] for i in seq] or [0] for seq in ids]
    y = np.array([LABELS.index(r.label) for r in rows])
    is_dev = np.array([split_of(r.key) == "dev" for r in rows])
    train = np.flatnonzero(~is_dev) if not args.final else np.arange(len(rows))
    dev = np.flatnonzero(is_dev)
    counts = Counter(y[train].tolist())
    weights = torch.tensor([len(train) / (len(LABELS) * counts[k]) for k in range(len(LABELS))], dtype=torch.float32)
    net = build(torch, table)
    optimizer = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)

    def batch(index):
        length = max(max(len(seqs[i]) for i in index), max(WIDTHS))
        matrix = np.zeros((len(index), length), dtype=np.int64)
        for row, i in enumerate(index):
            matrix[row, : len(seqs[i])] = seqs[i]
        return torch.from_numpy(matrix), torch.tensor([len(seqs[i]) for i in index])

    rng = np.random.default_rng(7)
    best = (-1.0, 0)
    for epoch in range(1, (args.final or args.epochs) + 1):
        net.train()
        started = time.perf_counter()
        for start in range(0, len(train), 64):
            index = rng.permutation(train)[:0] if False else None
            break
        order = rng.permutation(train)
        for start in range(0, len(order), 64):
            part = order[start : start + 64]
            optimizer.zero_grad()
            loss = loss_fn(net(*batch(part)), torch.from_numpy(y[part]))
            loss.backward()
            optimizer.step()
        if args.final:
            print(f"epoch {epoch} in {time.perf_counter() - started:.0f} s")
            continue
        net.eval()
        with torch.no_grad():
            logits = torch.cat([net(*batch(dev[s : s + 256])) for s in range(0, len(dev), 256)]).numpy()
        pred = [THREE_WAY[LABELS[k]] for k in logits.argmax(axis=1)]
        report = classification_report([THREE_WAY[rows[i].label] for i in dev], pred)
        print(f"epoch {epoch} in {time.perf_counter() - started:.0f} s: dev 3-way macro {report.macro_f1:.3f}")
        best = max(best, (report.macro_f1, epoch))
    if not args.final:
        print(f"best dev macro {best[0]:.3f} after {best[1]} epochs")
        return
    model = ConvModel(LABELS, list(WIDTHS),
                      {w: conv.weight.detach().numpy().transpose(2, 1, 0).reshape(w * DIM, FILTERS)
                       for w, conv in zip(WIDTHS, net.convs)},
                      {w: conv.bias.detach().numpy() for w, conv in zip(WIDTHS, net.convs)},
                      net.out.weight.detach().numpy().T.copy(), net.out.bias.detach().numpy(),
                      {"task": "sentiment", "widths": list(WIDTHS), "filters": FILTERS, "max_tokens": MAX_TOKENS,
                       "epochs": args.final, "embedding": EMBEDDING_NAME,
                       "data": "RuSentiment random+preselected", "licence": "CC BY-NC-SA 4.0"})
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
