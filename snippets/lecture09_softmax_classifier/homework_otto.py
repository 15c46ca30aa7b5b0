"""Homework: Otto Group product classification with a softmax classifier.

Run as `python snippets/lecture09_softmax_classifier/homework_otto.py data/otto` on Kaggle's
train.csv and test.csv; without an argument it makes a small sample with the same columns.
"""

import csv
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn, optim
from torch.utils.data import DataLoader

from otto import CLASSES, OttoDataset, OttoNet, make_sample, read_csv

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

if len(sys.argv) > 1:
    data_dir = Path(sys.argv[1])  # the folder holding Kaggle's train.csv and test.csv
    print(f"using {data_dir}")
else:
    data_dir = make_sample(Path(tempfile.mkdtemp()) / "otto_sample")  # (1)!
    print("no folder given: using a made-up sample in Kaggle's columns")

ids, x, y = read_csv(data_dir / "train.csv")
print(f"train.csv: {len(ids)} rows, {x.shape[1]} features, counts per class {y.bincount(minlength=9).tolist()}")

# Kaggle's test.csv has no labels: hold back 20 % of train.csv to measure the model.
order = torch.randperm(len(y))
n_valid = len(y) // 5
valid_idx, train_idx = order[:n_valid], order[n_valid:]
train_loader = DataLoader(OttoDataset(x[train_idx], y[train_idx]), batch_size=64, shuffle=True)

model = OttoNet().to(device)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def evaluate(features, labels):
    """Accuracy and Kaggle's score (mean multi-class log loss) on the held-back rows."""
    model.eval()
    with torch.no_grad():
        scores = model(features.to(device))
        log_loss = criterion(scores, labels.to(device)).item()
        accuracy = (scores.argmax(dim=1).cpu() == labels).float().mean().item()
    return accuracy, log_loss


epochs = 20
for epoch in range(epochs):
    model.train()
    for inputs, target in train_loader:
        inputs, target = inputs.to(device), target.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), target)
        loss.backward()
        optimizer.step()
    if epoch % 5 == 4:
        accuracy, log_loss = evaluate(x[valid_idx], y[valid_idx])
        print(f"epoch {epoch + 1:2d}: held-back accuracy {100 * accuracy:.1f} %, log loss {log_loss:.4f}")
valid_accuracy, valid_log_loss = accuracy, log_loss
majority_share = y[valid_idx].bincount().max().item() / n_valid
print(f"always guessing the biggest class would give {100 * majority_share:.1f} %")

# Kaggle wants one probability per class for every test row: softmax of the scores.
test_ids, test_x, _ = read_csv(data_dir / "test.csv")
model.eval()
with torch.no_grad():
    probabilities = torch.softmax(model(test_x.to(device)), dim=1).cpu()  # (2)!
submission = data_dir / "submission.csv"
with open(submission, "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["id", *CLASSES])
    for i, row in zip(test_ids, probabilities.tolist()):
        writer.writerow([i, *(f"{p:.4f}" for p in row)])
print(f"wrote {len(test_ids)} rows of class probabilities to {submission.name}")
