"""Batch gradient descent with four learning rates: slow, fast, oscillating, diverging."""

import matplotlib.pyplot as plt

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def cost(w):
    return sum((x * w - y) ** 2 for x, y in zip(x_data, y_data)) / len(x_data)


def gradient(w):
    return sum(2 * x * (x * w - y) for x, y in zip(x_data, y_data)) / len(x_data)


learning_rates = [0.01, 0.05, 0.2, 0.22]
final_costs = {}
for lr in learning_rates:
    w = 1.0
    costs = []
    for epoch in range(30):
        costs.append(cost(w))
        w -= lr * gradient(w)
    final_costs[str(lr)] = cost(w)
    print(f"lr={lr:<4}: cost after 30 epochs = {cost(w):.3e}  (w={w:.4f})")
    plt.semilogy(costs, label=f"lr = {lr}")

plt.xlabel("epoch")
plt.ylabel("cost (log scale)")
plt.title("Same start w = 1.0, different learning rates")
plt.legend()
plt.show()
