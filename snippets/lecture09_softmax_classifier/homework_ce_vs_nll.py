"""Homework 9-1: CrossEntropyLoss against LogSoftmax + NLLLoss on the course's two predictions."""

import torch
from torch import nn

Y = torch.tensor([2, 0, 1])  # true classes of three samples
Y_pred1 = torch.tensor([[0.1, 0.2, 0.9],  # 2 scores highest: right
                        [1.1, 0.1, 0.2],  # 0: right
                        [0.2, 2.1, 0.1]])  # 1: right
Y_pred2 = torch.tensor([[0.8, 0.2, 0.3],  # 0: wrong
                        [0.2, 0.3, 0.5],  # 2: wrong
                        [0.2, 0.2, 0.5]])  # 2: wrong

cross_entropy = nn.CrossEntropyLoss()
nll = nn.NLLLoss()
log_softmax = nn.LogSoftmax(dim=1)

ce_losses = [cross_entropy(p, Y).item() for p in (Y_pred1, Y_pred2)]
nll_losses = [nll(log_softmax(p), Y).item() for p in (Y_pred1, Y_pred2)]
print(f"CrossEntropyLoss:       loss1 = {ce_losses[0]:.4f}, loss2 = {ce_losses[1]:.4f}")
print(f"LogSoftmax + NLLLoss:   loss1 = {nll_losses[0]:.4f}, loss2 = {nll_losses[1]:.4f}")

# A common mistake: feeding probabilities (softmax, not log-softmax) to NLLLoss.
wrong = [nll(torch.softmax(p, dim=1), Y).item() for p in (Y_pred1, Y_pred2)]  # (1)!
print(f"softmax + NLLLoss (wrong): loss1 = {wrong[0]:.4f}, loss2 = {wrong[1]:.4f}")
print("NLLLoss only picks -input[i, Y[i]] and averages:",
      f"{-torch.softmax(Y_pred1, dim=1)[torch.arange(3), Y].mean().item():.4f}")
