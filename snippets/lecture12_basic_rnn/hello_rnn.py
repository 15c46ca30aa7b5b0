"""Learn "hello" -> "ohlol" with nn.RNN: the whole sequence in one call."""

import torch
from torch import nn, optim

INPUT_SIZE = 4  # one-hot vectors of the 4 characters
HIDDEN_SIZE = 4  # the hidden state is the 4 class scores
BATCH_SIZE = 1
NUM_LAYERS = 1
EPOCHS = 15
LEARNING_RATE = 0.05
IDX2CHAR = ["e", "h", "l", "o"]
criterion = nn.CrossEntropyLoss()


class Model(nn.Module):
    def __init__(self, input_size, hidden_size, batch_size, num_layers=1):
        super().__init__()
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)

    def forward(self, x):
        hidden = torch.zeros(self.num_layers, self.batch_size, self.hidden_size, device=x.device)
        out, _ = self.rnn(x, hidden)  # out: (seq_len, batch, hidden_size)
        return out.view(-1, self.hidden_size)  # (1)!


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

    x_data = [1, 0, 2, 2, 3]  # "hello"
    y_data = [3, 1, 2, 3, 2]  # "ohlol"
    inputs = torch.eye(INPUT_SIZE)[x_data].view(-1, BATCH_SIZE, INPUT_SIZE)  # (seq_len, batch, input_size)
    labels = torch.tensor(y_data)  # (seq_len * batch,)
    loader = [(inputs, labels)]  # one fixed sequence: a loader with one batch

    model = Model(INPUT_SIZE, HIDDEN_SIZE, BATCH_SIZE, NUM_LAYERS).to(device)
    optimizer = optim.Adam(model.parameters(), lr=LEARNING_RATE)

    predictions, losses = [], []
    for epoch in range(1, EPOCHS + 1):
        train(model, device, loader, optimizer, epoch)
        predicted, loss = test(model, device, loader)
        predictions.append(predicted)
        losses.append(loss)
        print(f"epoch {epoch:2d}/{EPOCHS}  predicted {predicted}  loss={loss:.4f}")
    return predictions, losses


if __name__ == "__main__":
    predictions, losses = main()
    prediction = predictions[-1]  # top-level: the tests read it
    final_loss = losses[-1]
