"""Train the course's Inception network (GoogLeNet-style) on MNIST for 10 epochs."""

import random

import matplotlib.pyplot as plt
import numpy as np
import torch

from models import InceptionNet
from training import fit, mnist_loaders, plot_curves

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

train_loader, test_loader = mnist_loaders(batch_size=64)
model = InceptionNet()
print(model.fc)  # in_features found by a dummy forward pass: 1408
losses, accuracies, seconds_per_epoch, (correct, total) = fit(
    model, train_loader, test_loader, device, epochs=10)
test_accuracy = accuracies[-1]
best_accuracy = max(accuracies)

print()
print("| model | course | this build |")
print("|---|---|---|")
print(f"| Inception network, 10 epochs | 98-99 % | {100 * test_accuracy:.2f} % ({correct}/{total}), "
      f"best epoch {100 * best_accuracy:.2f} % |")
print(f"device {device}, {seconds_per_epoch:.1f} s per epoch (training and test)")
plot_curves(losses, accuracies, len(train_loader), "Inception network")
plt.show()
