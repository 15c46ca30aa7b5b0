"""Learn "hello" -> "ohlol" with Embedding -> 2-layer RNN (batch_first) -> Linear."""

import torch
from torch import nn, optim

NUM_CLASS = 4  # characters e, h, l, o
INPUT_SIZE = 4  # vocabulary size seen by the embedding
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
        self.emb = nn.Embedding(INPUT_SIZE, EMBEDDING_SIZE)
        self.rnn = nn.RNN(
            input_size=EMBEDDING_SIZE, hidden_size=HIDDEN_SIZE, num_layers=NUM_LAYERS, batch_first=True
        )
        self.fc = nn.Linear(HIDDEN_SIZE, NUM_CLASS)

    def forward(self, x):
        hidden = torch.zeros(NUM_LAYERS, x.size(0), HIDDEN_SIZE, device=x.device)
        x = self.emb(x)  # (batch, seq_len, embedding_size)
        x, _ = self.rnn(x, hidden)  # (batch, seq_len, hidden_size)
        x = self.fc(x)  # (batch, seq_len, num_class)
        return x.view(-1, NUM_CLASS)  # (1)!


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

    x_data = [[1, 0, 2, 2, 3]]  # "hello", (batch, seq_len)
    y_data = [3, 1, 2, 3, 2]  # "ohlol", (batch * seq_len)
    inputs = torch.tensor(x_data)  # (2)!
    labels = torch.tensor(y_data)
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
    prediction = predictions[-1]  # top-level: the tests and the results page read it
    final_loss = losses[-1]
    parameter_count = sum(p.numel() for p in model.parameters())
    print("parameters:", parameter_count)
