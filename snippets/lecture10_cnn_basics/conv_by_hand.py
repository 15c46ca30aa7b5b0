"""Convolution of the course's 5 x 5 input with a 3 x 3 kernel, by hand and with PyTorch."""

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle
from torch.nn import functional as F

image = np.array([[3, 4, 6, 5, 7],
                  [2, 4, 6, 8, 2],
                  [1, 6, 7, 8, 4],
                  [9, 7, 4, 6, 2],
                  [3, 7, 5, 4, 1]])
kernel = np.array([[1, 2, 3],
                   [4, 5, 6],
                   [7, 8, 9]])


def conv2d_by_hand(x, k, stride=1):
    """Slide k over x; each output is the sum of the element-wise products (no padding)."""
    size = (x.shape[0] - k.shape[0]) // stride + 1
    out = np.zeros((size, size), dtype=x.dtype)
    for i in range(size):
        for j in range(size):
            window = x[i * stride:i * stride + k.shape[0], j * stride:j * stride + k.shape[1]]
            out[i, j] = (window * k).sum()  # (1)!
    return out


by_hand = conv2d_by_hand(image, kernel)
terms = " + ".join(f"{a}*{b}" for a, b in zip(image[:3, :3].flat, kernel.flat))
print(f"top-left output: {terms} = {by_hand[0, 0]}")
print("by hand (3 x 3):\n", by_hand)

x = torch.tensor(image, dtype=torch.float32).view(1, 1, 5, 5)  # (batch, channels, height, width)
w = torch.tensor(kernel, dtype=torch.float32).view(1, 1, 3, 3)  # (out channels, in channels, kh, kw)
with_torch = F.conv2d(x, w)  # (2)!
print("F.conv2d gives the same:", np.array_equal(with_torch[0, 0].numpy(), by_hand))

padded = F.conv2d(x, w, padding=1)  # (3)!
print("padding=1 keeps 5 x 5:\n", padded[0, 0].int().numpy())
strided = F.conv2d(x, w, stride=2)
print("stride=2 gives 2 x 2:\n", strided[0, 0].int().numpy())
print("stride=2 by hand:", np.array_equal(conv2d_by_hand(image, kernel, stride=2), strided[0, 0].int().numpy()))

pool_input = torch.tensor([[3, 4, 6, 5],
                           [2, 4, 6, 8],
                           [1, 6, 7, 8],
                           [9, 7, 4, 6]], dtype=torch.float32).view(1, 1, 4, 4)
pooled = F.max_pool2d(pool_input, kernel_size=2)  # (4)!
print("max pooling 2 x 2 of the 4 x 4 input:\n", pooled[0, 0].int().numpy())

# Figure: the kernel slides over the input; each position fills one output cell.
positions = [(0, 0), (0, 1), (1, 0), (2, 2)]
fig, axes = plt.subplots(2, len(positions), figsize=(11, 5.4))
for col, (i, j) in enumerate(positions):
    ax = axes[0, col]
    ax.imshow(np.zeros_like(image), cmap="Greys", vmin=0, vmax=1)
    for (r, c), v in np.ndenumerate(image):
        inside = i <= r < i + 3 and j <= c < j + 3
        label = f"{v}\n(x{kernel[r - i, c - j]})" if inside else str(v)
        ax.text(c, r, label, ha="center", va="center", fontsize=8 if inside else 10)
    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 3, 3, fill=True, alpha=0.25, color="tab:orange"))
    ax.set_title(f"input, window at ({i}, {j})", fontsize=10)
    ax = axes[1, col]
    done = [(r, c) for r in range(3) for c in range(3) if (r, c) <= (i, j)]
    ax.imshow(np.zeros((3, 3)), cmap="Greys", vmin=0, vmax=1)
    for r, c in done:
        ax.text(c, r, f"{by_hand[r, c]}", ha="center", va="center", fontsize=10,
                fontweight="bold" if (r, c) == (i, j) else "normal")
    ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=True, alpha=0.25, color="tab:orange"))
    ax.set_title(f"output[{i}, {j}] = {by_hand[i, j]}", fontsize=10)
for ax, n in zip(axes.flat, [5] * len(positions) + [3] * len(positions)):
    for edge in np.arange(-0.5, n, 1):
        ax.axhline(edge, color="grey", linewidth=0.8)
        ax.axvline(edge, color="grey", linewidth=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("A 3 x 3 kernel [[1,2,3],[4,5,6],[7,8,9]] sliding over a 5 x 5 input (stride 1)")
fig.tight_layout()
plt.show()
