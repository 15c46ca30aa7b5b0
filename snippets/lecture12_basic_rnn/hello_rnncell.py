"""Learn "hello" -> "ohlol" with nn.RNNCell, one-hot input, one time step at a time."""

import torch

torch.manual_seed(2)

input_size, hidden_size, batch_size = 4, 4, 1

idx2char = ["e", "h", "l", "o"]
x_data = [1, 0, 2, 2, 3]  # "hello"
y_data = [3, 1, 2, 3, 2]  # "ohlol"

one_hot_lookup = torch.eye(input_size)  # row i is the one-hot vector of character i
x_one_hot = one_hot_lookup[x_data]  # (seq_len, input_size)
inputs = x_one_hot.view(-1, batch_size, input_size)  # (1)!
labels = torch.tensor(y_data).view(-1, 1)  # (seq_len, batch)


class Model(torch.nn.Module):
    def __init__(self, input_size, hidden_size, batch_size):
        super().__init__()
        self.batch_size = batch_size
        self.hidden_size = hidden_size
        self.rnncell = torch.nn.RNNCell(input_size=input_size, hidden_size=hidden_size)

    def forward(self, step_input, hidden):
        return self.rnncell(step_input, hidden)

    def init_hidden(self):
        return torch.zeros(self.batch_size, self.hidden_size)


net = Model(input_size, hidden_size, batch_size)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.1)

predictions = []
for epoch in range(15):
    loss = 0
    optimizer.zero_grad()
    hidden = net.init_hidden()
    predicted = ""
    for step_input, label in zip(inputs, labels):
        hidden = net(step_input, hidden)
        loss += criterion(hidden, label)  # (2)!
        predicted += idx2char[hidden.argmax(dim=1).item()]
    loss.backward()
    optimizer.step()
    predictions.append(predicted)
    print(f"epoch {epoch + 1:2d}/15  predicted {predicted}  loss={loss.item():.4f}")

prediction = predictions[-1]
final_loss = loss.item()
