"""Learn "hello" -> "ohlol" with nn.RNN: the whole sequence in one call."""

import torch

torch.manual_seed(2)

input_size, hidden_size, batch_size, num_layers = 4, 4, 1, 1

idx2char = ["e", "h", "l", "o"]
x_data = [1, 0, 2, 2, 3]  # "hello"
y_data = [3, 1, 2, 3, 2]  # "ohlol"

inputs = torch.eye(input_size)[x_data].view(-1, batch_size, input_size)  # (seq_len, batch, input_size)
labels = torch.tensor(y_data)  # (seq_len * batch,)


class Model(torch.nn.Module):
    def __init__(self, input_size, hidden_size, batch_size, num_layers=1):
        super().__init__()
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.hidden_size = hidden_size
        self.rnn = torch.nn.RNN(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)

    def forward(self, x):
        hidden = torch.zeros(self.num_layers, self.batch_size, self.hidden_size)
        out, _ = self.rnn(x, hidden)  # out: (seq_len, batch, hidden_size)
        return out.view(-1, self.hidden_size)  # (1)!


net = Model(input_size, hidden_size, batch_size, num_layers)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=0.05)

predictions = []
for epoch in range(15):
    optimizer.zero_grad()
    outputs = net(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()
    predicted = "".join(idx2char[i] for i in outputs.argmax(dim=1).tolist())
    predictions.append(predicted)
    print(f"epoch {epoch + 1:2d}/15  predicted {predicted}  loss={loss.item():.4f}")

prediction = predictions[-1]
final_loss = loss.item()
