"""Train the course's name -> country classifier: a bidirectional GRU over packed sequences."""

import os

import matplotlib.pyplot as plt
import torch
from torch.utils.data import DataLoader

from model import RNNClassifier, make_tensors
from names_data import NameDataset

HIDDEN_SIZE = 100
BATCH_SIZE = 256
N_LAYER = 2
N_EPOCHS = 100
N_CHARS = 128
criterion = torch.nn.CrossEntropyLoss()


def collate(batch):
    """A list of (name, country index) pairs -> padded codes, lengths, targets (make_tensors)."""
    names, countries = zip(*batch)
    return make_tensors(names, countries)


def train(model, device, loader, optimizer, epoch):
    """One epoch of training; returns the mean loss over the epoch's names."""
    model.train()
    total_loss = 0.0
    for codes, lengths, targets in loader:
        codes, targets = codes.to(device), targets.to(device)  # (2)!
        loss = criterion(model(codes, lengths), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(targets)
    return total_loss / len(loader.dataset)


def test(model, device, loader):
    """Accuracy and the confusion matrix (rows: true country, columns: predicted)."""
    model.eval()
    n_countries = loader.dataset.get_countries_num()
    correct = 0
    confusion = torch.zeros(n_countries, n_countries, dtype=torch.long)
    with torch.no_grad():
        for codes, lengths, targets in loader:
            codes, targets = codes.to(device), targets.to(device)
            predicted = model(codes, lengths).argmax(dim=1)
            correct += (predicted == targets).sum().item()
            pairs = (targets.cpu(), predicted.cpu())
            confusion.index_put_(pairs, torch.ones_like(pairs[0]), accumulate=True)
    return correct / len(loader.dataset), confusion


def predict(model, device, dataset, name, k=3):
    """The k most likely countries of one name, with their probabilities."""
    codes, lengths, _ = make_tensors([name], [0])
    model.eval()
    with torch.no_grad():
        probabilities = model(codes.to(device), lengths).softmax(dim=1)[0].cpu()
    top = probabilities.topk(k)
    return [(dataset.idx2country(i), p) for p, i in zip(top.values.tolist(), top.indices.tolist())]


def plot_results(accuracies, confusion, countries):
    plt.figure(figsize=(7, 4))
    plt.plot(range(1, len(accuracies) + 1), accuracies)
    plt.xlabel("epoch")
    plt.ylabel("test accuracy")
    plt.title("Name -> country, bidirectional GRU")
    plt.grid(alpha=0.3)
    plt.tight_layout()

    rates = confusion.float() / confusion.sum(dim=1, keepdim=True)  # (3)!
    plt.figure(figsize=(8, 7))
    plt.imshow(rates.numpy(), cmap="Blues", vmin=0, vmax=1)
    plt.colorbar(label="share of the true country's test names")
    plt.xticks(range(len(countries)), countries, rotation=90)
    plt.yticks(range(len(countries)), countries)
    plt.xlabel("predicted")
    plt.ylabel("true")
    plt.title(f"Confusion matrix on the test set (epoch {len(accuracies)})")
    plt.tight_layout()


def main():
    torch.manual_seed(0)
    use_cuda = torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")  # (1)!
    loader_options = {"batch_size": BATCH_SIZE, "collate_fn": collate}  # (4)!
    if use_cuda:  # worker processes and pinned memory: see lecture 9
        loader_options.update(num_workers=min(8, os.cpu_count()), pin_memory=True, persistent_workers=True)

    trainset = NameDataset(is_train_set=True)
    testset = NameDataset(is_train_set=False)
    assert testset.country_list == trainset.country_list
    trainloader = DataLoader(trainset, shuffle=True, **loader_options)
    testloader = DataLoader(testset, shuffle=False, **loader_options)
    n_country = trainset.get_countries_num()

    classifier = RNNClassifier(N_CHARS, HIDDEN_SIZE, n_country, N_LAYER, bidirectional=True).to(device)
    optimizer = torch.optim.Adam(classifier.parameters(), lr=0.001)
    print(f"{sum(p.numel() for p in classifier.parameters())} parameters, training on {device}")

    losses, accuracies = [], []
    for epoch in range(1, N_EPOCHS + 1):
        losses.append(train(classifier, device, trainloader, optimizer, epoch))
        accuracy, confusion = test(classifier, device, testloader)
        accuracies.append(accuracy)
        print(f"epoch {epoch:3d}/{N_EPOCHS}  train loss {losses[-1]:.4f}  test accuracy {accuracy:.2%}")

    plot_results(accuracies, confusion, trainset.country_list)
    plt.show()

    per_country_accuracy = {
        country: round(confusion[i, i].item() / confusion[i].sum().item(), 4)
        for i, country in enumerate(trainset.country_list)
    }
    seen = {}
    for name, country in zip(trainset.names, trainset.countries):
        seen.setdefault(name, set()).add(country)
    example_predictions = {}
    print("example names, top 3 guesses:")
    for name in ["Liu", "Zhang", "Wang", "Xu", "Nakamura", "Kim", "Nguyen", "Schmidt", "Rossi", "Dubois"]:
        guesses = predict(classifier, device, trainset, name)
        example_predictions[name] = guesses[0][0]
        note = f"  (in the training set as {', '.join(sorted(seen[name]))})" if name in seen else ""
        print(f"{name:9s} " + "  ".join(f"{c} {p:.0%}" for c, p in guesses) + note)
    worst = sorted(per_country_accuracy, key=per_country_accuracy.get)[:3]
    print("hardest countries:", ", ".join(f"{c} {per_country_accuracy[c]:.0%}" for c in worst))
    return losses, accuracies, per_country_accuracy, example_predictions


if __name__ == "__main__":
    losses, accuracies, per_country_accuracy, example_predictions = main()
    test_accuracy = accuracies[-1]
    best_accuracy = max(accuracies)
    best_epoch = accuracies.index(best_accuracy) + 1
    print(f"test accuracy after {N_EPOCHS} epochs: {test_accuracy:.2%} (best {best_accuracy:.2%}, epoch {best_epoch})")
