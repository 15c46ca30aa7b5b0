"""CrossEntropyLoss targets: class indices of shape (N,), or class probabilities of shape (N, C)."""

import torch
from torch import nn

torch.manual_seed(0)

logits = torch.randn(4, 3)  # 4 samples, 3 classes
indices = torch.tensor([2, 0, 1, 2])  # (1)!
probabilities = nn.functional.one_hot(indices, num_classes=3).float()  # (2)!
criterion = nn.CrossEntropyLoss()

loss_from_indices = criterion(logits, indices).item()
loss_from_probabilities = criterion(logits, probabilities).item()
print(f"targets {tuple(indices.shape)} {indices.dtype}:   loss {loss_from_indices:.6f}")
print(f"targets {tuple(probabilities.shape)} {probabilities.dtype}: loss {loss_from_probabilities:.6f}")

# Soft targets: any distribution per sample, e.g. 90 % on the true class and 5 % on each other.
soft = probabilities * 0.85 + 0.05
loss_from_soft_targets = criterion(logits, soft).item()
by_hand = -(soft * torch.log_softmax(logits, dim=1)).sum(dim=1).mean().item()  # (3)!
smoothed = nn.CrossEntropyLoss(label_smoothing=0.15)(logits, indices).item()
print(f"soft targets {[round(v, 2) for v in soft[0].tolist()]}:",
      f"loss {loss_from_soft_targets:.6f}, by hand {by_hand:.6f}")
print(f"label_smoothing=0.15 with class indices: loss {smoothed:.6f}")
