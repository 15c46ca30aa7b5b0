"""Binary cross-entropy worked by hand and with nn.BCELoss."""

import math

import torch

y_pred = torch.tensor([[0.2], [0.8], [0.3]])  # predicted P(y = 1)
y = torch.tensor([[0.0], [1.0], [1.0]])  # labels

# By hand: loss_i = -(y_i * log(p_i) + (1 - y_i) * log(1 - p_i))
by_hand = [-(t * math.log(p) + (1 - t) * math.log(1 - p))
           for p, t in zip(y_pred.flatten().tolist(), y.flatten().tolist())]
for p, t, l in zip(y_pred.flatten().tolist(), y.flatten().tolist(), by_hand):
    print(f"y = {t:.0f}, y_pred = {p:.1f}: loss = {l:.4f}")

bce_none = torch.nn.BCELoss(reduction="none")(y_pred, y).flatten().tolist()
bce_sum = torch.nn.BCELoss(reduction="sum")(y_pred, y).item()
bce_mean = torch.nn.BCELoss()(y_pred, y).item()  # (1)!
print("nn.BCELoss(reduction='none'):", [round(v, 4) for v in bce_none])
print(f"sum {bce_sum:.4f}, mean {bce_mean:.4f}")
hand_sum = sum(by_hand)
max_difference = max(abs(a - b) for a, b in zip(by_hand, bce_none))

logits = torch.logit(y_pred)  # the scores before the sigmoid
bce_with_logits = torch.nn.BCEWithLogitsLoss(reduction="sum")(logits, y).item()  # (2)!
print(f"BCEWithLogitsLoss on the logits: {bce_with_logits:.4f}")

# Gradient of BCE(sigmoid(z), y) with respect to the score z, for each sample.
z = logits.clone().requires_grad_(True)
torch.nn.BCELoss(reduction="sum")(torch.sigmoid(z), y).backward()
grad_autograd = z.grad.flatten().tolist()
grad_formula = (torch.sigmoid(logits) - y).flatten().tolist()  # (3)!
print("dloss/dz by autograd:      ", [round(g, 4) for g in grad_autograd])
print("dloss/dz = sigmoid(z) - y: ", [round(g, 4) for g in grad_formula])
gradient_difference = max(abs(a - b) for a, b in zip(grad_autograd, grad_formula))
