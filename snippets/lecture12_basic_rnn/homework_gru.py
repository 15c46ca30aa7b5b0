"""Homework: "hello" -> "ohlol" with Embedding -> 2-layer GRU -> Linear."""

import torch

torch.manual_seed(2)

num_class, vocab_size, embedding_size, hidden_size, num_layers = 4, 4, 10, 8, 2

idx2char = ["e", "h", "l", "o"]
inputs = torch.tensor([[1, 0, 2, 2, 3]])  # "hello", (batch, seq_len)
labels = torch.tensor([3, 1, 2, 3, 2])  # "ohlol"


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(vocab_size, embedding_size)
        self.gru = torch.nn.GRU(embedding_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = torch.nn.Linear(hidden_size, num_class)

    def forward(self, x):
        h0 = torch.zeros(num_layers, x.size(0), hidden_size)  # (1)!
        x, h_n = self.gru(self.emb(x), h0)
        return self.fc(x).view(-1, num_class)


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
recurrent_parameters = sum(p.numel() for p in net.gru.parameters())
print("GRU parameters:", recurrent_parameters, "(3 gates: 3x an RNN of the same size)")
