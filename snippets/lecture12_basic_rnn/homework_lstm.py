"""Homework: "hello" -> "ohlol" with Embedding -> 2-layer LSTM -> Linear."""

import torch
from torch import nn, optim

NUM_CLASS = 4
VOCAB_SIZE = 4
EMBEDDING_SIZE = 10
HIDDEN_SIZE = 8
NUM_LAYERS = 2
EPOCHS = 15
LEARNING_RATE = 0.05
IDX2CHAR = ["e", "h", "l", "o"]
criterion = nn.CrossEntropyLoss()


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB_SIZE, EMBEDDING_SIZE)
        self.lstm = nn.LSTM(EMBEDDING_SIZE, HIDDEN_SIZE, num_layers=NUM_LAYERS, batch_first=True)
        self.fc = nn.Linear(HIDDEN_SIZE, NUM_CLASS)

    def forward(self, x):
        h0 = torch.zeros(NUM_LAYERS, x.size(0), HIDDEN_SIZE, device=x.device)
        c0 = torch.zeros(NUM_LAYERS, x.size(0), HIDDEN_SIZE, device=x.device)  # (1)!
        x, (h_n, c_n) = self.lstm(self.emb(x), (h0, c0))
        return self.fc(x).view(-1, NUM_CLASS)


def train(model, device, loader, optimizer, epoch):
    """One epoch of training."""
    model.train()
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()


def test(model, device, loader):
    """The predicted string and the mean loss."""
    model.eval()
    predicted, loss = "", 0.0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            loss += criterion(outputs, labels).item() / len(loader)
            predicted += "".join(IDX2CHAR[i] for i in outputs.argmax(dim=1).tolist())
    return predicted, loss


def main():
    torch.manual_seed(2)
    device = torch.device("cpu")

    inputs = torch.tensor([[1, 0, 2, 2, 3]])  # "hello", (batch, seq_len)
    labels = torch.tensor([3, 1, 2, 3, 2])  # "ohlol"
    loader = [(inputs, labels)]  # one fixed sequence: a loader with one batch

    model = Model().to(device)
    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)

    predictions, losses = [], []
    for epoch in range(1, EPOCHS + 1):
        train(model, device, loader, optimizer, epoch)
        predicted, loss = test(model, device, loader)
        predictions.append(predicted)
        losses.append(loss)
        print(f"epoch {epoch:2d}/{EPOCHS}  predicted {predicted}  loss={loss:.4f}")
    return model, predictions, losses


if __name__ == "__main__":
    model, predictions, losses = main()
    prediction = predictions[-1]  # top-level: the tests read it
    final_loss = losses[-1]
    recurrent_parameters = sum(p.numel() for p in model.lstm.parameters())
    print("LSTM parameters:", recurrent_parameters, "(4 gates: 4x an RNN of the same size)")
