"""Batch gradient descent for y = x * w: one update per epoch from the mean gradient."""

import matplotlib.pyplot as plt

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
learning_rate = 0.01
w = 1.0  # initial guess


def forward(x):
    return x * w


def cost(xs, ys):
    """Mean squared error over the whole training set."""
    return sum((forward(x) - y) ** 2 for x, y in zip(xs, ys)) / len(xs)


def gradient(xs, ys):
    """d cost / d w = mean of 2 * x * (x * w - y)."""
    return sum(2 * x * (x * w - y) for x, y in zip(xs, ys)) / len(xs)


print(f"predict (before training): x=4 -> {forward(4):.4f}")
cost_list = []
for epoch in range(100):
    cost_val = cost(x_data, y_data)  # (1)!
    grad_val = gradient(x_data, y_data)
    w -= learning_rate * grad_val
    cost_list.append(cost_val)
    if epoch % 10 == 0 or epoch == 99:
        print(f"epoch {epoch:>2}: cost={cost_val:.6f}  w={w:.6f}")

final_cost = cost(x_data, y_data)
prediction = forward(4)
print(f"predict (after training): x=4 -> {prediction:.4f}")

plt.plot(range(100), cost_list)
plt.xlabel("epoch")
plt.ylabel("cost (MSE)")
plt.title("Batch gradient descent, learning rate 0.01")
plt.show()
