"""Homework: a Titanic survival classifier fed by a Dataset and a DataLoader.

Runs on Kaggle's train.csv when it is at data/titanic/train.csv; otherwise on a
synthetic file with the same columns that this script writes to data/titanic_sample/.
"""

import csv
import math
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Subset

KAGGLE_FILE = Path("data/titanic/train.csv")  # (1)!
SAMPLE_FILE = Path("data/titanic_sample/train.csv")
COLUMNS = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp",
           "Parch", "Ticket", "Fare", "Cabin", "Embarked"]


def write_synthetic_sample(path, rows=891, seed=0):  # (2)!
    """Made-up passengers in Kaggle's format; survival follows a fixed rule plus noise."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for pid in range(1, rows + 1):
            pclass = int(rng.choice([1, 2, 3], p=[0.24, 0.21, 0.55]))
            female = rng.random() < 0.35
            age = float(np.clip(rng.normal(30, 14), 0.5, 80))
            sibsp = int(rng.choice([0, 1, 2, 3], p=[0.68, 0.23, 0.05, 0.04]))
            parch = int(rng.choice([0, 1, 2], p=[0.76, 0.13, 0.11]))
            fare = float(np.exp(rng.normal({1: 4.2, 2: 3.0, 3: 2.3}[pclass], 0.5)))
            embarked = str(rng.choice(["S", "C", "Q"], p=[0.72, 0.19, 0.09]))
            score = -1.2 + 3.2 * female - 1.3 * (pclass - 2) - 0.04 * (age - 30) - 0.4 * sibsp
            survived = int(rng.random() < 1 / (1 + math.exp(-score)))
            writer.writerow([
                pid, survived, pclass, f"Passenger{pid}, {'Mrs.' if female else 'Mr.'} Sample",
                "female" if female else "male",
                "" if rng.random() < 0.2 else f"{age:.0f}",  # about 20% of ages missing, as in Kaggle's file
                sibsp, parch, f"S{pid:05d}", f"{fare:.4f}", "", embarked,
            ])


class TitanicDataset(Dataset):
    """Each passenger as 11 numbers: class (one-hot), sex, age, family, fare, port (one-hot)."""

    def __init__(self, filepath):
        with open(filepath, newline="") as f:
            rows = list(csv.DictReader(f))
        ages = [float(r["Age"]) for r in rows if r["Age"]]
        median_age = float(np.median(ages))  # (3)!
        features, labels = [], []
        for r in rows:
            pclass = int(r["Pclass"])
            port = r["Embarked"] or "S"  # the most common port fills the few gaps
            features.append([
                pclass == 1, pclass == 2, pclass == 3,
                r["Sex"] == "female",
                float(r["Age"]) if r["Age"] else median_age,
                int(r["SibSp"]), int(r["Parch"]),
                math.log1p(float(r["Fare"] or 0)),
                port == "S", port == "C", port == "Q",
            ])
            labels.append([float(r["Survived"])])
        x = torch.tensor(np.array(features, dtype=np.float32))
        self.x = (x - x.mean(0)) / (x.std(0) + 1e-6)  # comparable scales for SGD
        self.y = torch.tensor(labels)

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return len(self.y)


def accuracy(model, loader, device):
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            correct += ((model(x) > 0).float() == y).sum().item()  # logit > 0 means p > 0.5
            total += len(y)
    return correct / total


if __name__ == "__main__":
    torch.manual_seed(0)
    torch.set_num_threads(1)  # tensors this small run faster on one thread
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if KAGGLE_FILE.is_file():
        data_source, data_path = "kaggle", KAGGLE_FILE
    else:
        write_synthetic_sample(SAMPLE_FILE)
        data_source, data_path = "synthetic", SAMPLE_FILE
    data_path = str(data_path)
    print(f"data: {data_source} ({data_path})")

    dataset = TitanicDataset(data_path)
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(0)).tolist()
    cut = int(0.8 * len(dataset))
    train_set, val_set = Subset(dataset, order[:cut]), Subset(dataset, order[cut:])  # (4)!
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True,
                              generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(val_set, batch_size=256)
    survival_rate = dataset.y.mean().item()
    print(f"{len(dataset)} passengers ({survival_rate:.1%} survived): "
          f"{len(train_set)} for training, {len(val_set)} for validation")

    model = torch.nn.Sequential(
        torch.nn.Linear(11, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 1),  # (5)!
    ).to(device)
    criterion = torch.nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    for epoch in range(1, 31):
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if epoch % 10 == 0:
            print(f"epoch {epoch:2d}  last batch loss {loss.item():.4f}  "
                  f"validation accuracy {accuracy(model, val_loader, device):.2%}")

    train_accuracy = accuracy(model, DataLoader(train_set, batch_size=256), device)
    val_accuracy = accuracy(model, val_loader, device)
    val_baseline = 1 - dataset.y[order[cut:]].mean().item()  # always predict "died"
    print(f"training accuracy {train_accuracy:.2%}, validation accuracy {val_accuracy:.2%} "
          f"(always 'died' would score {val_baseline:.2%} on validation)")
