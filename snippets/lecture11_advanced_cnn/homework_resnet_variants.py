"""Homework: the course's residual block, the pre-activation unit and a small DenseNet, 3 epochs each."""

import random

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from models import PreActResNet, ResNet, SmallDenseNet
from training import fit, mnist_loaders

random.seed(0)
np.random.seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
train_loader, test_loader = mnist_loaders()
epochs = 3  # (1)!


def multiply_adds(model):
    """Multiply-adds of one forward pass of one image (FLOPs / 2)."""
    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 1, 28, 28))
    return counter.get_total_flops() // 2


rows = []
for model_class in (ResNet, PreActResNet, SmallDenseNet):
    torch.manual_seed(0)  # same batch order for every model
    model = model_class()
    parameters = sum(p.numel() for p in model.parameters())
    macs = multiply_adds(model)
    _, accuracies, seconds, _ = fit(model, train_loader, test_loader, device, epochs, log_every=0)
    rows.append((model_class.__name__, parameters, macs, accuracies, seconds))

print()
print(f"| model | parameters | multiply-adds per image | test accuracy after epochs 1-{epochs} | s per epoch |")
print("|---|---|---|---|---|")
for name, parameters, macs, accuracies, seconds in rows:
    per_epoch = ", ".join(f"{100 * a:.2f} %" for a in accuracies)
    print(f"| {name} | {parameters} | {macs} | {per_epoch} | {seconds:.1f} |")
final_accuracies = {name: accuracies[-1] for name, _, _, accuracies, _ in rows}
