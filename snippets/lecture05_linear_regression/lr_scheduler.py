"""Lecture 5: a learning-rate scheduler (StepLR) lowers the SGD learning rate during training."""

import torch

torch.manual_seed(0)

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])
model = torch.nn.Linear(1, 1)
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.1)  # (1)!

learning_rates, losses = [], []
for epoch in range(300):
    learning_rates.append(optimizer.param_groups[0]["lr"])  # (2)!
    loss = criterion(model(x_data), y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()  # (3)!
    losses.append(loss.item())
    if epoch % 50 == 0 or epoch == 299:
        print(f"epoch {epoch:3d}  lr {learning_rates[-1]:.4f}  loss {loss.item():.3e}")

final_loss = losses[-1]
w = model.weight.item()
b = model.bias.item()
print(f"w = {w:.4f}, b = {b:.4f}")
