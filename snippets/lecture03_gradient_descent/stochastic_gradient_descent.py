"""Stochastic gradient descent for y = x * w: one update per sample."""

import random

import matplotlib.pyplot as plt

random.seed(0)
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
learning_rate = 0.01
w = 1.0


def forward(x):
    return x * w


def loss(x, y):
    """Squared error of one sample."""
    return (forward(x) - y) ** 2


def gradient(x, y):
    """d loss / d w for one sample."""
    return 2 * x * (x * w - y)


print(f"predict (before training): x=4 -> {forward(4):.4f}")
samples = list(zip(x_data, y_data))
updates = 0
epoch_loss_list = []
for epoch in range(100):
    random.shuffle(samples)  # (1)!
    for x, y in samples:
        w -= learning_rate * gradient(x, y)
        updates += 1
    # Mean loss over the training set after this epoch's three updates.
    epoch_loss = sum(loss(x, y) for x, y in samples) / len(samples)
    epoch_loss_list.append(epoch_loss)
    if epoch % 20 == 0 or epoch == 99:
        print(f"epoch {epoch:>2}: loss={epoch_loss:.3e}  w={w:.6f}")

prediction = forward(4)
print(f"{updates} updates; predict (after training): x=4 -> {prediction:.4f}")

plt.semilogy(range(100), epoch_loss_list)
plt.xlabel("epoch")
plt.ylabel("mean loss (log scale)")
plt.title("Stochastic gradient descent, learning rate 0.01")
plt.show()
