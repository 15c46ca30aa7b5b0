"""Homework: Kaggle's Rotten Tomatoes phrases (sentiment 0-4) with a word-level bidirectional GRU."""

import csv
import random
from collections import Counter
from pathlib import Path

import torch
from torch.nn.utils.rnn import pack_padded_sequence
from torch.utils.data import DataLoader

TRAIN_FILE = Path("data/sentiment/train.tsv")  # from kaggle.com/c/sentiment-analysis-on-movie-reviews
COLUMNS = ["PhraseId", "SentenceId", "Phrase", "Sentiment"]
LABELS = ["negative", "somewhat negative", "neutral", "somewhat positive", "positive"]
EMBEDDING_SIZE, HIDDEN_SIZE, BATCH_SIZE, N_EPOCHS = 64, 64, 64, 8
criterion = torch.nn.CrossEntropyLoss()


def make_sample(path, n_sentences=600):
    """Write a small stand-in with Kaggle's columns: sentences and their sub-phrases, scored by word."""
    rng = random.Random(0)
    scores = {"masterpiece": 2, "brilliant": 2, "wonderful": 2, "good": 1, "funny": 1, "charming": 1,
              "awful": -2, "terrible": -2, "boring": -2, "dull": -1, "bad": -1, "slow": -1}
    neutral = ["the", "film", "movie", "story", "a", "plot", "cast", "is", "and", "with", "its", "ending"]
    rows, phrase_id = [], 1
    for sentence_id in range(1, n_sentences + 1):
        words = [rng.choice(neutral) for _ in range(rng.randint(3, 7))]
        for _ in range(rng.randint(0, 2)):
            words.insert(rng.randint(0, len(words)), rng.choice(list(scores)))
        scored = [i for i, w in enumerate(words) if w in scores]
        if scored and rng.random() < 0.4:
            words.insert(rng.choice(scored), "not")  # "not" flips the next word's score
        spans = {(0, len(words))} | {tuple(sorted(rng.sample(range(len(words) + 1), 2))) for _ in range(4)}
        for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
            phrase = words[start:end]
            score = sum(-scores.get(w, 0) if i and phrase[i - 1] == "not" else scores.get(w, 0)
                        for i, w in enumerate(phrase))
            label = min(max(score, -2), 2) + 2
            rows.append([phrase_id, sentence_id, " ".join(phrase), label])
            phrase_id += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def read_rows():
    """The Kaggle file when it is there, the project-made sample otherwise."""
    if TRAIN_FILE.is_file():
        source, path = f"Kaggle file {TRAIN_FILE}", TRAIN_FILE
    else:
        path = Path("data/sentiment/sample_train.tsv")
        make_sample(path)
        source = f"project-made sample {path} ({TRAIN_FILE} not found)"
    print("data:", source)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))  # (1)!
    print(f"{len(rows)} phrases, {len({r['SentenceId'] for r in rows})} sentences; first: {dict(rows[0])}")
    return rows, path == TRAIN_FILE


def encode(rows, vocab):
    return [([vocab.get(w, 1) for w in r["Phrase"].lower().split()] or [1], int(r["Sentiment"])) for r in rows]


def collate(batch):
    lengths = torch.tensor([len(ids) for ids, _ in batch])
    codes = torch.zeros(len(batch), int(lengths.max()), dtype=torch.long)
    for i, (ids, _) in enumerate(batch):
        codes[i, : len(ids)] = torch.tensor(ids)
    return codes, lengths, torch.tensor([label for _, label in batch])


class SentimentGRU(torch.nn.Module):
    def __init__(self, vocab_size, n_classes=5):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, EMBEDDING_SIZE, padding_idx=0)
        self.gru = torch.nn.GRU(EMBEDDING_SIZE, HIDDEN_SIZE, batch_first=True, bidirectional=True)
        self.fc = torch.nn.Linear(2 * HIDDEN_SIZE, n_classes)

    def forward(self, codes, lengths):
        packed = pack_padded_sequence(self.embedding(codes), lengths, batch_first=True, enforce_sorted=False)  # (3)!
        _, hidden = self.gru(packed)
        return self.fc(torch.cat([hidden[-2], hidden[-1]], dim=1))


def train(model, device, loader, optimizer, epoch):
    """One epoch of training; returns the mean loss over the epoch's phrases."""
    model.train()
    total_loss = 0.0
    for codes, lengths, labels in loader:
        loss = criterion(model(codes.to(device), lengths), labels.to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
    return total_loss / len(loader.dataset)


def test(model, device, loader):
    """Accuracy on the loader's phrases, as a fraction."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for codes, lengths, labels in loader:
            correct += (model(codes.to(device), lengths).argmax(dim=1).cpu() == labels).sum().item()
    return correct / len(loader.dataset)


def main():
    random.seed(0)  # the split into training and validation sentences
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rows, using_real_data = read_rows()

    sentence_ids = sorted({int(r["SentenceId"]) for r in rows})
    random.shuffle(sentence_ids)
    held_out = set(sentence_ids[: len(sentence_ids) // 5])  # (2)!
    train_rows = [r for r in rows if int(r["SentenceId"]) not in held_out]
    valid_rows = [r for r in rows if int(r["SentenceId"]) in held_out]

    counts = Counter(w for r in train_rows for w in r["Phrase"].lower().split())
    vocab = {w: i + 2 for i, w in enumerate(sorted(w for w, c in counts.items() if c >= 2))}  # 0 pad, 1 unknown

    train_loader = DataLoader(encode(train_rows, vocab), batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate)
    valid_loader = DataLoader(encode(valid_rows, vocab), batch_size=BATCH_SIZE, collate_fn=collate)
    model = SentimentGRU(len(vocab) + 2).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)

    label_counts = Counter(int(r["Sentiment"]) for r in valid_rows)
    majority_baseline = max(label_counts.values()) / len(valid_rows)
    print(f"{len(train_rows)} training / {len(valid_rows)} validation phrases, vocabulary {len(vocab) + 2}")
    print(f"always answering the most common label: {majority_baseline:.1%}")

    accuracies = []
    for epoch in range(1, N_EPOCHS + 1):
        train_loss = train(model, device, train_loader, optimizer, epoch)
        accuracies.append(test(model, device, valid_loader))
        print(f"epoch {epoch}/{N_EPOCHS}  train loss {train_loss:.4f}  validation accuracy {accuracies[-1]:.2%}")

    model.eval()
    for phrase in ["a wonderful film", "not good", "the plot is dull", "the movie"]:
        codes, lengths, _ = collate([([vocab.get(w, 1) for w in phrase.split()], 0)])
        with torch.no_grad():
            label = model(codes.to(device), lengths).argmax(dim=1).item()
        print(f"{phrase!r:20s} -> {label} ({LABELS[label]})")
    return using_real_data, majority_baseline, accuracies


if __name__ == "__main__":
    using_real_data, majority_baseline, accuracies = main()
    valid_accuracy = accuracies[-1]
