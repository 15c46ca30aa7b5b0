"""Homework: a deeper CNN (three conv, three pool, three linear) against the basic CNN, 3 epochs each."""

import random

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from models import BasicCNN, DeeperCNN
from training import fit, mnist_loaders

random.seed(0)
np.random.seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
train_loader, test_loader = mnist_loaders()
epochs = 3  # (1)!


def multiply_adds(model):
    """Multiply-adds of one forward pass of one image (FLOPs / 2)."""
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 1, 28, 28))
    return counter.get_total_flops() // 2


rows = []
for model_class in (BasicCNN, DeeperCNN):
    torch.manual_seed(0)  # same initial randomness and batch order for both
    model = model_class()
    parameters = sum(p.numel() for p in model.parameters())
    macs = multiply_adds(model)
    accuracies, seconds = fit(model, train_loader, test_loader, device, epochs)
    rows.append((model_class.__name__, parameters, macs, accuracies, seconds))

print()
print(f"| model | parameters | multiply-adds per image | accuracy after each of {epochs} epochs | s per epoch |")
print("|---|---|---|---|---|")
for name, parameters, macs, accuracies, seconds in rows:
    per_epoch = ", ".join(f"{100 * a:.2f} %" for a in accuracies)
    print(f"| {name} | {parameters} | {macs} | {per_epoch} | {seconds:.1f} |")
basic_accuracy = rows[0][3][-1]
deeper_accuracy = rows[1][3][-1]
