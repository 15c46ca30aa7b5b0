"""Curse of dimensionality: samples needed per dimension, and distances that stop telling points apart."""

import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(0)

# Covering each axis with 10 samples needs 10**d samples in d dimensions.
samples_needed = {d: 10**d for d in (1, 2, 3, 10)}
for d, n in samples_needed.items():
    print(f"d={d:>2}: {n:,} samples to keep 10 per axis")

# In high dimensions the nearest and the farthest neighbour are almost equally far.
dimensions = [1, 2, 5, 10, 50, 100, 500, 1000]
contrast = []
for d in dimensions:
    points = rng.random((500, d))
    distances = np.linalg.norm(points[1:] - points[0], axis=1)
    contrast.append(float(distances.min() / distances.max()))
    print(f"d={d:>4}: nearest/farthest distance = {contrast[-1]:.3f}")

plt.semilogx(dimensions, contrast, marker="o")
plt.xlabel("dimensions d")
plt.ylabel("nearest / farthest distance")
plt.title("500 random points in the unit cube")
plt.ylim(0, 1)
plt.grid(True, alpha=0.3)
plt.show()
