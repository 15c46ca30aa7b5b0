"""Show the first 24 MNIST training digits with their labels."""

import matplotlib.pyplot as plt
from torchvision import datasets

train_dataset = datasets.MNIST(root="data", train=True, download=True)
test_dataset = datasets.MNIST(root="data", train=False, download=True)
print(f"training images: {len(train_dataset)}, test images: {len(test_dataset)}")

image, label = train_dataset[0]  # a PIL image and an int
print(f"first sample: {type(image).__name__} of size {image.size}, mode {image.mode}, label {label}")

counts = train_dataset.targets.bincount().tolist()  # images per digit 0..9
print("training images per digit:", counts)

fig, axes = plt.subplots(3, 8, figsize=(8, 3.6))
for i, ax in enumerate(axes.flat):
    image, label = train_dataset[i]
    ax.imshow(image, cmap="gray_r")
    ax.set_title(f"label {label}", fontsize=9)
    ax.axis("off")
fig.suptitle("MNIST training samples (28 x 28 pixels)")
fig.tight_layout()
plt.show()
