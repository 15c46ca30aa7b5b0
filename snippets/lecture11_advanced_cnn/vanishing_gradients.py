"""Vanishing gradients: how much gradient reaches each layer of a deep sigmoid stack, plain and with shortcuts."""

import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
depth, width = 20, 32


class Stack(nn.Module):
    def __init__(self, residual):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.residual = residual

    def forward(self, x):
        self.inputs = []  # the input of every layer, to read its gradient after backward()
        for layer in self.layers:
            x.retain_grad()
            self.inputs.append(x)
            y = torch.sigmoid(layer(x))
            x = x + y if self.residual else y  # (1)!
        return x


norms = {}
for residual in (False, True):
    torch.manual_seed(1)  # same weights for both stacks
    model = Stack(residual)
    x = torch.randn(64, width, requires_grad=True)
    model(x).mean().backward()
    norms[residual] = [h.grad.norm().item() for h in model.inputs]  # d loss / d (input of layer i)

s = torch.linspace(-6, 6, 1201)
max_slope = (torch.sigmoid(s) * (1 - torch.sigmoid(s))).max().item()
print(f"largest slope of the sigmoid: {max_slope:.4f}, "
      f"so 20 layers can shrink a gradient by 0.25^20 = {0.25 ** 20:.1e}")
print("layer  plain stack   with shortcuts   (norm of the gradient at the layer's input)")
for i in (0, 4, 9, 14, 19):
    print(f"{i + 1:5d}  {norms[False][i]:11.2e}   {norms[True][i]:14.2e}")
plain_ratio = norms[False][0] / norms[False][-1]
residual_ratio = norms[True][0] / norms[True][-1]
print(f"first layer / last layer: plain {plain_ratio:.1e}, with shortcuts {residual_ratio:.2f}")

plt.figure(figsize=(6.5, 3.8))
plt.semilogy(range(1, depth + 1), norms[False], marker="o", label="plain: x = sigmoid(Wx + b)")
plt.semilogy(range(1, depth + 1), norms[True], marker="s", label="shortcut: x = x + sigmoid(Wx + b)")
plt.xlabel("layer (1 = next to the input)")
plt.ylabel("gradient norm at the layer's input")
plt.title(f"Gradients in a {depth}-layer sigmoid network")
plt.legend()
plt.tight_layout()
plt.show()
