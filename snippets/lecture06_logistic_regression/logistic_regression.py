"""Lecture 6: logistic regression, pass or fail against hours of study."""

import matplotlib.pyplot as plt
import torch

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

x_data = torch.tensor([[1.0], [2.0], [3.0]], device=device)  # hours studied
y_data = torch.tensor([[0.0], [0.0], [1.0]], device=device)  # 1 = passed


class LogisticRegressionModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))  # (1)!


model = LogisticRegressionModel().to(device)
criterion = torch.nn.BCELoss(reduction="sum")  # (2)!
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

epochs = 1000
for epoch in range(epochs):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 200 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:4d}  loss {loss.item():.4f}")

final_loss = loss.item()
w = model.linear.weight.item()
b = model.linear.bias.item()
boundary = -b / w  # (3)!
print(f"w = {w:.4f}, b = {b:.4f}, P(pass) = 0.5 at {boundary:.2f} hours")

hours = torch.linspace(0, 10, 200, device=device).view(-1, 1)
with torch.no_grad():
    probability = model(hours)
    p_at = {h: model(torch.tensor([[h]], device=device)).item() for h in (1.0, 2.0, 3.0, 4.0)}
for h, p in p_at.items():
    print(f"P(pass | {h:.0f} hours) = {p:.4f}")
p_pass_4 = p_at[4.0]
train_predictions = [int(p_at[h] > 0.5) for h in (1.0, 2.0, 3.0)]

plt.plot(hours.cpu(), probability.cpu(), label="model")
plt.scatter(x_data.cpu(), y_data.cpu(), color="C3", zorder=3, label="training data")
plt.axhline(0.5, color="gray", linestyle="--", label="threshold 0.5")
plt.axvline(boundary, color="gray", linestyle=":", label=f"boundary {boundary:.2f} h")
plt.xlabel("Hours")
plt.ylabel("Probability of Pass")
plt.title("Logistic regression after 1000 epochs")
plt.grid(alpha=0.3)
plt.legend()
plt.show()
