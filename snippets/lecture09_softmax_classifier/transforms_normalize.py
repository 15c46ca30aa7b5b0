"""What ToTensor and Normalize((0.1307,), (0.3081,)) do to an MNIST image."""

import torch
from torchvision import datasets, transforms

train_dataset = datasets.MNIST(root="data", train=True, download=True)
image, label = train_dataset[0]
print(f"PIL image: {image.size[0]} x {image.size[1]}, pixel values 0..255, label {label}")

x = transforms.ToTensor()(image)  # (1)!
print(f"ToTensor  -> shape {tuple(x.shape)}, dtype {x.dtype}, min {x.min():.4f}, max {x.max():.4f}")

pixels = train_dataset.data.float() / 255  # all 60000 training images, scaled to [0, 1]
mean = pixels.mean().item()
std = pixels.std().item()  # (2)!
print(f"training set: mean {mean:.4f}, standard deviation {std:.4f}, variance {std ** 2:.4f}")

normalize = transforms.Normalize((0.1307,), (0.3081,))  # (3)!
z = normalize(x)
print(f"Normalize -> min {z.min():.4f}, max {z.max():.4f}")
print(f"background pixel: (0 - 0.1307) / 0.3081 = {(0 - 0.1307) / 0.3081:.4f}")
print(f"ink pixel:        (1 - 0.1307) / 0.3081 = {(1 - 0.1307) / 0.3081:.4f}")
print("same as by hand:", torch.allclose(z, (x - 0.1307) / 0.3081))

normalized = (pixels - 0.1307) / 0.3081
normalized_mean = normalized.mean().item()
normalized_std = normalized.std().item()
print(f"whole training set after Normalize: mean {normalized_mean:.4f}, std {normalized_std:.4f}")
