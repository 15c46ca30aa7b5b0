"""Exhaustive search: the MSE of y = x * w for w = 0.0, 0.1, ..., 4.0."""

import matplotlib.pyplot as plt
import numpy as np

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]


def forward(x, w):
    return x * w


def loss(x, y, w):
    y_pred = forward(x, w)
    return (y_pred - y) ** 2


w_list = []
mse_list = []
for w in np.linspace(0.0, 4.0, 41):  # (1)!
    l_sum = sum(loss(x, y, w) for x, y in zip(x_data, y_data))
    mse = l_sum / len(x_data)
    w_list.append(round(float(w), 1))
    mse_list.append(float(mse))

for w, mse in zip(w_list[::5], mse_list[::5]):  # every fifth w keeps the log short
    print(f"w={w:.1f}  MSE={mse:.4f}")

best_w = w_list[int(np.argmin(mse_list))]
print(f"lowest MSE {min(mse_list):.4f} at w={best_w:.1f}")

plt.plot(w_list, mse_list)
plt.xlabel("w")
plt.ylabel("MSE")
plt.title("MSE of y = x * w on x = [1, 2, 3], y = [2, 4, 6]")
plt.show()
