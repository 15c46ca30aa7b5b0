"""Homework: train y_hat = w1 * x**2 + w2 * x + b with autograd."""

import matplotlib.pyplot as plt
import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
lr = 0.01
epochs = 2000

w1 = torch.tensor([1.0], requires_grad=True)
w2 = torch.tensor([1.0], requires_grad=True)
b = torch.tensor([1.0], requires_grad=True)
params = [w1, w2, b]


def forward(x):
    return w1 * x**2 + w2 * x + b


# Check the hand-derived gradients once, at the starting point (x = 2, y = 4).
loss = (forward(2.0) - 4.0) ** 2
loss.backward()
r = 1.0 * 2.0**2 + 1.0 * 2.0 + 1.0 - 4.0  # residual y_hat - y = 3
by_hand = [2 * r * 2.0**2, 2 * r * 2.0, 2 * r]  # (1)!
by_autograd = [p.grad.item() for p in params]
print("gradients at x=2 by hand:", by_hand, " autograd:", by_autograd)
for p in params:
    p.grad.zero_()

prediction_before = forward(4.0).item()
epoch_losses = []
for epoch in range(epochs):
    total = 0.0
    for x, y in zip(x_data, y_data):
        loss = (forward(x) - y) ** 2
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
        total += loss.item()
    epoch_losses.append(total / len(x_data))
    if epoch == 99:
        prediction_after_100 = forward(4.0).item()
    if epoch in (0, 99) or (epoch + 1) % 500 == 0:
        print(f"epoch {epoch + 1:4d}  mean loss {epoch_losses[-1]:.3e}  "
              f"w1 {w1.item():+.4f}  w2 {w2.item():+.4f}  b {b.item():+.4f}")

w1_final, w2_final, b_final = (p.item() for p in params)
final_loss = epoch_losses[-1]
loss_after_100 = epoch_losses[99]
prediction_after = forward(4.0).item()
print(f"predict x=4: before {prediction_before:.4f}, after 100 epochs "
      f"{prediction_after_100:.4f}, after {epochs} epochs {prediction_after:.4f}")

plt.plot(range(1, epochs + 1), epoch_losses)
plt.xscale("log")
plt.yscale("log")
plt.xlabel("epoch (log scale)")
plt.ylabel("mean loss (log scale)")
plt.title("y = w1*x^2 + w2*x + b, per-sample updates, lr 0.01")
plt.show()
