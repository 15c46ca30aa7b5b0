"""Softmax probabilities into NLLLoss: the loss is -p_true, and its gradient vanishes near p_true = 0."""

import torch
from torch import nn

nll = nn.NLLLoss()
target = torch.tensor([0])  # one sample, three classes, true class 0

# Logits that give the true class a probability from 0.999 down to 0.001.
print(" p_true | softmax + NLLLoss  d/dz_true | CrossEntropyLoss  d/dz_true")
wrong_losses, wrong_gradients, ce_losses, ce_gradients = [], [], [], []
for p_true in (0.999, 0.9, 0.5, 0.1, 0.01, 0.001):
    rest = (1 - p_true) / 2
    logits = torch.log(torch.tensor([[p_true, rest, rest]])).requires_grad_()
    wrong = nll(torch.softmax(logits, dim=1), target)  # (1)!
    (wrong_gradient,) = torch.autograd.grad(wrong, logits)
    right = nn.CrossEntropyLoss()(logits, target)  # (2)!
    (right_gradient,) = torch.autograd.grad(right, logits)
    wrong_losses.append(round(wrong.item(), 6))
    wrong_gradients.append(round(wrong_gradient[0, 0].item(), 6))
    ce_losses.append(round(right.item(), 6))
    ce_gradients.append(round(right_gradient[0, 0].item(), 6))
    print(f" {p_true:6.3f} | {wrong.item():9.4f} {wrong_gradient[0, 0].item():15.6f} |"
          f" {right.item():9.4f} {right_gradient[0, 0].item():15.6f}")

# Minimizing -p_true still raises p_true: 100 SGD steps from p_true = 0.5 and from p_true = 0.001.
p_starts = [0.5, 0.001]
p_after_100_steps = []
for p_start in p_starts:
    rest = (1 - p_start) / 2
    logits = torch.log(torch.tensor([[p_start, rest, rest]])).requires_grad_()
    optimizer = torch.optim.SGD([logits], lr=1.0)
    for step in range(100):
        loss = nll(torch.softmax(logits, dim=1), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    p_after_100_steps.append(round(torch.softmax(logits, dim=1)[0, 0].item(), 4))  # (3)!
    print(f"softmax + NLLLoss, 100 steps of SGD: p_true {p_start} -> {p_after_100_steps[-1]}")
