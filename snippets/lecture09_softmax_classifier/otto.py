"""Otto Group product classification: CSV reading, a made-up sample in the same columns, the model."""

import csv
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import Dataset

FEATURES = [f"feat_{i}" for i in range(1, 94)]  # 93 count features
CLASSES = [f"Class_{i}" for i in range(1, 10)]  # 9 product categories
# Share of each class in Kaggle's train.csv, rounded (Class_2 and Class_6 are the big ones).
CLASS_SHARES = [0.03, 0.26, 0.13, 0.04, 0.04, 0.23, 0.05, 0.14, 0.08]


def make_sample(folder, n_train=3000, n_test=500, seed=0):
    """Write train.csv and test.csv with Kaggle's columns but made-up numbers; return the folder.

    Not the real data: counts are drawn from per-class Poisson rates, so a classifier has
    something to learn. Same seed, same bytes.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    # Each class uses some features more than others; most counts are zero, as in the real data.
    rates = rng.gamma(0.3, 1.0, size=(len(CLASSES), len(FEATURES)))
    rates *= rng.random((len(CLASSES), len(FEATURES))) < 0.3

    def rows(n):
        labels = rng.choice(len(CLASSES), size=n, p=CLASS_SHARES)
        background = rng.gamma(0.3, 1.0, size=(n, len(FEATURES)))  # shared by all classes
        counts = rng.poisson(rates[labels] + background)
        return labels, counts

    labels, counts = rows(n_train)
    with open(folder / "train.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", *FEATURES, "target"])
        for i, (label, row) in enumerate(zip(labels, counts), start=1):
            writer.writerow([i, *row.tolist(), CLASSES[label]])
    _, counts = rows(n_test)
    with open(folder / "test.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", *FEATURES])
        for i, row in enumerate(counts, start=1):
            writer.writerow([i, *row.tolist()])
    return folder


def read_csv(path):
    """Return ids, features (float32, log(1 + count)) and labels (0..8, or None without a target)."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[1:94] != FEATURES:
            raise ValueError(f"{path}: columns are not id, feat_1 ... feat_93[, target]")
        rows = list(reader)
    ids = [int(r[0]) for r in rows]
    counts = np.array([r[1:94] for r in rows], dtype=np.float32)
    x = torch.from_numpy(np.log1p(counts))  # counts range from 0 to hundreds: compress them
    y = None
    if header[-1] == "target":
        y = torch.tensor([CLASSES.index(r[94]) for r in rows])
    return ids, x, y


class OttoDataset(Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        return self.x[index], self.y[index]


class OttoNet(nn.Module):
    """93 features -> 64 -> 32 -> 9 class scores."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(93, 64)
        self.l2 = nn.Linear(64, 32)
        self.l3 = nn.Linear(32, 9)

    def forward(self, x):
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        return self.l3(x)


if __name__ == "__main__":
    import tempfile

    folder = make_sample(Path(tempfile.mkdtemp()) / "otto_sample", n_train=5, n_test=2)
    for name in ("train.csv", "test.csv"):
        lines = (folder / name).read_text().splitlines()
        print(f"{name}: {len(lines) - 1} rows, {len(lines[0].split(','))} columns")
        for line in lines[:3]:
            cells = line.split(",")
            print("  " + ",".join(cells[:6]) + ", ... ," + ",".join(cells[-2:]))
