"""Homework: the cost surface of y = x * w + b over (w, b), drawn in 3D."""

import matplotlib.pyplot as plt
import numpy as np

x_data = np.array([1.0, 2.0, 3.0])
y_data = np.array([2.0, 4.0, 6.0])

w = np.linspace(0.0, 4.0, 41)
b = np.linspace(-2.0, 2.0, 41)
W, B = np.meshgrid(w, b)  # (1)!

# Broadcast every (w, b) pair against every sample, then average over samples.
y_pred = W[..., None] * x_data + B[..., None]
mse = ((y_pred - y_data) ** 2).mean(axis=-1)

row, col = np.unravel_index(mse.argmin(), mse.shape)
best_w, best_b = float(W[row, col]), float(B[row, col])
min_mse = float(mse[row, col])
print(f"grid: {mse.shape[1]} values of w x {mse.shape[0]} values of b")
print(f"lowest MSE {min_mse:.4f} at w={best_w:.1f}, b={best_b:.1f}")

fig = plt.figure(figsize=(7, 5))  # (2)!
ax = fig.add_subplot(projection="3d")  # (3)!
ax.plot_surface(W, B, mse, cmap="viridis", linewidth=0)  # (4)!
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.set_zlabel("MSE")
ax.set_title("Cost surface of y = x * w + b")
plt.show()
