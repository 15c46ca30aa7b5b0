"""Learn "hello" -> "ohlol" with Embedding -> 2-layer RNN (batch_first) -> Linear."""

import torch

torch.manual_seed(2)

num_class = 4  # characters e, h, l, o
input_size = 4  # vocabulary size seen by the embedding
embedding_size = 10
hidden_size = 8
num_layers = 2
batch_size = 1
seq_len = 5

idx2char = ["e", "h", "l", "o"]
x_data = [[1, 0, 2, 2, 3]]  # "hello", (batch, seq_len)
y_data = [3, 1, 2, 3, 2]  # "ohlol", (batch * seq_len)

inputs = torch.tensor(x_data)  # (1)!
labels = torch.tensor(y_data)


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(input_size, embedding_size)
        self.rnn = torch.nn.RNN(
            input_size=embedding_size, hidden_size=hidden_size, num_layers=num_layers, batch_first=True
        )
        self.fc = torch.nn.Linear(hidden_size, num_class)

    def forward(self, x):
        hidden = torch.zeros(num_layers, x.size(0), hidden_size)
        x = self.emb(x)  # (batch, seq_len, embedding_size)
        x, _ = self.rnn(x, hidden)  # (batch, seq_len, hidden_size)
        x = self.fc(x)  # (batch, seq_len, num_class)
        return x.view(-1, num_class)  # (2)!


net = Model()
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
parameter_count = sum(p.numel() for p in net.parameters())
print("parameters:", parameter_count)
