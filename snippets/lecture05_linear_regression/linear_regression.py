"""Lecture 5: linear regression with nn.Module, MSELoss and SGD."""

import matplotlib.pyplot as plt
import torch

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# 1. Prepare the dataset: rows are samples, columns are features.
x_data = torch.tensor([[1.0], [2.0], [3.0]], device=device)  # (1)!
y_data = torch.tensor([[2.0], [4.0], [6.0]], device=device)


# 2. Design the model as a class.
class LinearModel(torch.nn.Module):
    def __init__(self):
        super().__init__()  # (2)!
        self.linear = torch.nn.Linear(1, 1)  # (3)!

    def forward(self, x):
        return self.linear(x)


model = LinearModel().to(device)

# 3. Construct the loss and the optimizer.
criterion = torch.nn.MSELoss(reduction="sum")  # (4)!
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

# 4. Training cycle: forward, backward, update.
epochs = 1000
losses = []
for epoch in range(epochs):
    y_pred = model(x_data)  # (5)!
    loss = criterion(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if epoch == 99:
        w_after_100 = model.linear.weight.item()
        b_after_100 = model.linear.bias.item()
    if epoch % 100 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:4d}  loss {loss.item():.3e}")

w = model.linear.weight.item()
b = model.linear.bias.item()
print(f"after 100 epochs:  w = {w_after_100:.4f}, b = {b_after_100:.4f}")
print(f"after {epochs} epochs: w = {w:.4f}, b = {b:.4f}")

x_test = torch.tensor([[4.0]], device=device)
with torch.no_grad():
    y_test = model(x_test).item()
print(f"y_pred(4.0) = {y_test:.4f}")
final_loss = losses[-1]

plt.plot(losses)
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("summed squared error (log scale)")
plt.title("nn.Linear(1, 1), SGD lr 0.01")
plt.show()
