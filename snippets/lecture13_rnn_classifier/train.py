"""Train the course's name -> country classifier: a bidirectional GRU over packed sequences."""

import matplotlib.pyplot as plt
import torch
from torch.utils.data import DataLoader

from model import RNNClassifier, make_tensors
from names_data import NameDataset

torch.manual_seed(0)

HIDDEN_SIZE = 100
BATCH_SIZE = 256
N_LAYER = 2
N_EPOCHS = 100
N_CHARS = 128
COURSE_ACCURACY = (0.83, 0.84)  # what the course and its reproductions report

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # (1)!

trainset = NameDataset(is_train_set=True)
testset = NameDataset(is_train_set=False)
assert testset.country_list == trainset.country_list
trainloader = DataLoader(trainset, batch_size=BATCH_SIZE, shuffle=True)
testloader = DataLoader(testset, batch_size=BATCH_SIZE, shuffle=False)
N_COUNTRY = trainset.get_countries_num()

classifier = RNNClassifier(N_CHARS, HIDDEN_SIZE, N_COUNTRY, N_LAYER, bidirectional=True).to(device)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(classifier.parameters(), lr=0.001)
print(f"{sum(p.numel() for p in classifier.parameters())} parameters, training on {device}")


def batch_to_device(names, countries):
    codes, lengths, targets = make_tensors(names, countries)
    return codes.to(device), lengths, targets.to(device)  # (2)!


def train_epoch():
    classifier.train()
    total_loss = 0.0
    for names, countries in trainloader:
        codes, lengths, targets = batch_to_device(names, countries)
        loss = criterion(classifier(codes, lengths), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(names)
    return total_loss / len(trainset)


def evaluate():
    """Test accuracy and the confusion matrix (rows: true country, columns: predicted)."""
    classifier.eval()
    correct = 0
    confusion = torch.zeros(N_COUNTRY, N_COUNTRY, dtype=torch.long)
    with torch.no_grad():
        for names, countries in testloader:
            codes, lengths, targets = batch_to_device(names, countries)
            predicted = classifier(codes, lengths).argmax(dim=1)
            correct += (predicted == targets).sum().item()
            pairs = (targets.cpu(), predicted.cpu())
            confusion.index_put_(pairs, torch.ones_like(pairs[0]), accumulate=True)
    return correct / len(testset), confusion


accuracies = []
losses = []
for epoch in range(1, N_EPOCHS + 1):
    losses.append(train_epoch())
    accuracy, confusion = evaluate()
    accuracies.append(accuracy)
    print(f"epoch {epoch:3d}/{N_EPOCHS}  train loss {losses[-1]:.4f}  test accuracy {accuracy:.2%}")

test_accuracy = accuracies[-1]
best_accuracy = max(accuracies)
best_epoch = accuracies.index(best_accuracy) + 1
per_country_accuracy = {
    country: round(confusion[i, i].item() / confusion[i].sum().item(), 4)
    for i, country in enumerate(trainset.country_list)
}

plt.figure(figsize=(7, 4))
plt.plot(range(1, N_EPOCHS + 1), accuracies, label="this build")
plt.axhspan(*COURSE_ACCURACY, color="tab:orange", alpha=0.3, label="course: 83-84%")
plt.xlabel("epoch")
plt.ylabel("test accuracy")
plt.title("Name -> country, bidirectional GRU")
plt.legend()
plt.grid(alpha=0.3)
plt.tight_layout()

rates = confusion.float() / confusion.sum(dim=1, keepdim=True)  # (3)!
plt.figure(figsize=(8, 7))
plt.imshow(rates.numpy(), cmap="Blues", vmin=0, vmax=1)
plt.colorbar(label="share of the true country's test names")
plt.xticks(range(N_COUNTRY), trainset.country_list, rotation=90)
plt.yticks(range(N_COUNTRY), trainset.country_list)
plt.xlabel("predicted")
plt.ylabel("true")
plt.title(f"Confusion matrix on the test set (epoch {N_EPOCHS})")
plt.tight_layout()
plt.show()

seen = {}
for name, country in zip(trainset.names, trainset.countries):
    seen.setdefault(name, set()).add(country)


def predict(name, k=3):
    codes, lengths, _ = make_tensors([name], [0])
    classifier.eval()
    with torch.no_grad():
        probabilities = classifier(codes.to(device), lengths).softmax(dim=1)[0].cpu()
    top = probabilities.topk(k)
    return [(trainset.idx2country(i), p) for p, i in zip(top.values.tolist(), top.indices.tolist())]


examples = ["Liu", "Zhang", "Wang", "Xu", "Nakamura", "Kim", "Nguyen", "Schmidt", "Rossi", "Dubois"]
example_predictions = {}
print("example names, top 3 guesses:")
for name in examples:
    guesses = predict(name)
    example_predictions[name] = guesses[0][0]
    note = f"  (in the training set as {', '.join(sorted(seen[name]))})" if name in seen else ""
    print(f"{name:9s} " + "  ".join(f"{c} {p:.0%}" for c, p in guesses) + note)

worst = sorted(per_country_accuracy, key=per_country_accuracy.get)[:3]
print("hardest countries:", ", ".join(f"{c} {per_country_accuracy[c]:.0%}" for c in worst))
print(
    f"measured: test accuracy {test_accuracy:.2%} after {N_EPOCHS} epochs "
    f"(best {best_accuracy:.2%}, epoch {best_epoch})"
)
print(f"course:   test accuracy {COURSE_ACCURACY[0]:.0%}-{COURSE_ACCURACY[1]:.0%}")
