"""Learn "hello" -> "ohlol" with nn.RNNCell, one-hot input, one time step at a time."""

import torch
from torch import nn, optim

INPUT_SIZE = 4  # one-hot vectors of the 4 characters
HIDDEN_SIZE = 4  # the hidden state is the 4 class scores
BATCH_SIZE = 1
EPOCHS = 15
LEARNING_RATE = 0.1
IDX2CHAR = ["e", "h", "l", "o"]
criterion = nn.CrossEntropyLoss()


class Model(nn.Module):
    def __init__(self, input_size, hidden_size, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.hidden_size = hidden_size
        self.rnncell = nn.RNNCell(input_size=input_size, hidden_size=hidden_size)

    def forward(self, step_input, hidden):
        return self.rnncell(step_input, hidden)

    def init_hidden(self, device):
        return torch.zeros(self.batch_size, self.hidden_size, device=device)


def train(model, device, loader, optimizer, epoch):
    """One epoch of training: the sequence one character at a time, the losses of all steps summed."""
    model.train()
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        hidden = model.init_hidden(device)
        loss = 0
        for step_input, label in zip(inputs, labels):
            hidden = model(step_input, hidden)
            loss += criterion(hidden, label)  # (1)!
        loss.backward()
        optimizer.step()


def test(model, device, loader):
    """The predicted string and the summed loss, one character at a time."""
    model.eval()
    predicted, loss = "", 0.0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            hidden = model.init_hidden(device)
            for step_input, label in zip(inputs, labels):
                hidden = model(step_input, hidden)
                loss += criterion(hidden, label).item()
                predicted += IDX2CHAR[hidden.argmax(dim=1).item()]
    return predicted, loss


def main():
    torch.manual_seed(2)
    device = torch.device("cpu")

    x_data = [1, 0, 2, 2, 3]  # "hello"
    y_data = [3, 1, 2, 3, 2]  # "ohlol"
    one_hot_lookup = torch.eye(INPUT_SIZE)  # row i is the one-hot vector of character i
    x_one_hot = one_hot_lookup[x_data]  # (seq_len, input_size)
    inputs = x_one_hot.view(-1, BATCH_SIZE, INPUT_SIZE)  # (2)!
    labels = torch.tensor(y_data).view(-1, 1)  # (seq_len, batch)
    loader = [(inputs, labels)]  # one fixed sequence: a loader with one batch

    model = Model(INPUT_SIZE, HIDDEN_SIZE, BATCH_SIZE).to(device)
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
