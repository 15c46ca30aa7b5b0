"""Batch, stochastic and mini-batch gradient descent on 64 noisy samples of y = 2x."""

import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(0)
x = rng.uniform(0.0, 3.0, size=64)
y = 2.0 * x + rng.normal(0.0, 0.3, size=64)


def mse(w):
    return float(np.mean((x * w - y) ** 2))


def train(batch_size, epochs=20, lr=0.02):
    """Return the MSE after each epoch and the number of updates made."""
    w, updates, history = 0.0, 0, []
    order_rng = np.random.default_rng(1)
    for _ in range(epochs):
        order = order_rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            grad = np.mean(2 * x[batch] * (x[batch] * w - y[batch]))
            w -= lr * grad
            updates += 1
        history.append(mse(w))
    return history, updates, w


results = {}
for name, batch_size in [("batch (64)", 64), ("mini-batch (8)", 8), ("stochastic (1)", 1)]:
    history, updates, w = train(batch_size)
    results[name] = {"final_mse": history[-1], "updates": updates, "w": w}
    print(f"{name:<15} {updates:>5} updates  w={w:.4f}  MSE={history[-1]:.4f}")
    plt.plot(range(1, 21), history, marker=".", label=name)

plt.xlabel("epoch")
plt.ylabel("MSE on all 64 samples")
plt.yscale("log")
plt.title("Same data, same learning rate, different batch sizes")
plt.legend()
plt.show()
