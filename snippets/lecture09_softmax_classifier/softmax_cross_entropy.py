"""Softmax and cross-entropy on the course's example, by hand and with PyTorch."""

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)

# One sample, three classes: raw scores (logits) z and the true class 0 as one-hot y.
z = np.array([0.2, 0.1, -0.1])
y = np.array([1, 0, 0])

exp_z = np.exp(z)
y_pred = exp_z / exp_z.sum()  # (1)!
loss_by_hand = float(-(y * np.log(y_pred)).sum())  # (2)!
print("exp(z)          =", np.round(exp_z, 4))
print("softmax(z)      =", np.round(y_pred, 4), " sum =", round(float(y_pred.sum()), 4))
print(f"loss = -log({y_pred[0]:.4f}) = {loss_by_hand:.4f}")

# The same with PyTorch: the target is the class index, not a one-hot vector.
logits = torch.tensor([[0.2, 0.1, -0.1]])  # (3)!
target = torch.tensor([0])
loss_torch = nn.CrossEntropyLoss()(logits, target).item()
print(f"CrossEntropyLoss              = {loss_torch:.4f}")

# CrossEntropyLoss = LogSoftmax + NLLLoss, checked on a random batch.
scores = torch.randn(8, 10)  # 8 samples, 10 classes
labels = torch.randint(0, 10, (8,))
ce = nn.CrossEntropyLoss()(scores, labels)
nll = nn.NLLLoss()(nn.LogSoftmax(dim=1)(scores), labels)  # (4)!
by_hand = -torch.log_softmax(scores, dim=1)[torch.arange(8), labels].mean()
print(f"random batch: CrossEntropyLoss {ce.item():.6f}, LogSoftmax + NLLLoss {nll.item():.6f}, "
      f"by hand {by_hand.item():.6f}")
ce_equals_nll = bool(torch.allclose(ce, nll) and torch.allclose(ce, by_hand))
print("all equal:", ce_equals_nll)
