"""Lecture 4: train y_hat = x * w with autograd and stochastic updates."""

import matplotlib.pyplot as plt
import torch

torch.manual_seed(0)

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
lr = 0.01

w = torch.tensor([1.0], requires_grad=True)


def forward(x):
    return x * w


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


prediction_before = forward(4.0).item()
print("predict (before training)", 4, prediction_before)

epoch_losses = []
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        l = loss(x, y)  # forward: builds the graph
        l.backward()  # backward: fills w.grad, frees the graph
        if epoch == 0:
            print(f"\tgrad: x={x} y={y} dl/dw={w.grad.item():.4f}")
        with torch.no_grad():  # (1)!
            w -= lr * w.grad
        w.grad.zero_()  # (2)!
    epoch_losses.append(l.item())  # loss of the last sample, as in the course
    if epoch % 10 == 0 or epoch == 99:
        print(f"progress: epoch {epoch:2d}  loss {l.item():.3e}  w {w.item():.6f}")

w_final = w.item()
prediction_after = forward(4.0).item()
print("predict (after training)", 4, round(prediction_after, 6))

plt.plot(epoch_losses)
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("loss of the last sample (log scale)")
plt.title("y = x * w trained with autograd")
plt.show()
