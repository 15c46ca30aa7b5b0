"""Homework: Otto Group product classification with a softmax classifier.

Run as `python snippets/lecture09_softmax_classifier/homework_otto.py data/otto` on Kaggle's
train.csv and test.csv; without an argument it makes a small sample with the same columns.
"""

import csv
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn, optim
from torch.utils.data import DataLoader

from otto import CLASSES, OttoDataset, OttoNet, make_sample, read_csv

BATCH_SIZE = 64
EPOCHS = 20
criterion = nn.CrossEntropyLoss()


def train(model, device, loader, optimizer, epoch):
    """One epoch of training; returns the mean loss over the epoch's samples."""
    model.train()
    total_loss = 0.0
    for inputs, target in loader:
        inputs, target = inputs.to(device), target.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), target)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(target)
    return total_loss / len(loader.dataset)


def test(model, device, loader):
    """Accuracy and Kaggle's score (mean multi-class log loss) on the loader's data."""
    model.eval()
    correct = 0
    log_loss = 0.0
    with torch.no_grad():
        for inputs, target in loader:
            inputs, target = inputs.to(device), target.to(device)
            scores = model(inputs)
            log_loss += criterion(scores, target).item() * len(target)
            correct += (scores.argmax(dim=1) == target).sum().item()
    total = len(loader.dataset)
    return correct / total, log_loss / total


def write_submission(model, device, data_dir):
    """Kaggle wants one probability per class for every test row: softmax of the scores."""
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
    return len(test_ids)


def main(data_dir=None):
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if data_dir is None:
        data_dir = make_sample(Path(tempfile.mkdtemp()) / "otto_sample")  # (1)!
        print("no folder given: using a made-up sample in Kaggle's columns")
    else:
        print(f"using {data_dir}")

    ids, x, y = read_csv(data_dir / "train.csv")
    print(f"train.csv: {len(ids)} rows, {x.shape[1]} features, counts per class {y.bincount(minlength=9).tolist()}")

    # Kaggle's test.csv has no labels: hold back 20 % of train.csv to measure the model.
    order = torch.randperm(len(y))
    n_valid = len(y) // 5
    valid_idx, train_idx = order[:n_valid], order[n_valid:]
    train_loader = DataLoader(OttoDataset(x[train_idx], y[train_idx]), batch_size=BATCH_SIZE, shuffle=True)
    valid_loader = DataLoader(OttoDataset(x[valid_idx], y[valid_idx]), batch_size=1000)

    model = OttoNet().to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for epoch in range(1, EPOCHS + 1):
        train_loss = train(model, device, train_loader, optimizer, epoch)
        accuracy, log_loss = test(model, device, valid_loader)
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}: training loss {train_loss:.4f}, "
                  f"held-back accuracy {100 * accuracy:.1f} %, log loss {log_loss:.4f}")
    majority_share = y[valid_idx].bincount().max().item() / n_valid
    print(f"always guessing the biggest class would give {100 * majority_share:.1f} %")

    submission_rows = write_submission(model, device, data_dir)
    return accuracy, log_loss, majority_share, submission_rows


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None  # the folder holding Kaggle's train.csv and test.csv
    valid_accuracy, valid_log_loss, majority_share, submission_rows = main(folder)
