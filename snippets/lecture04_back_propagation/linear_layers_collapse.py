"""Two stacked linear layers without an activation are one linear layer."""

import torch

torch.manual_seed(0)

layer1 = torch.nn.Linear(3, 4)  # W1: 4x3, b1: 4
layer2 = torch.nn.Linear(4, 2)  # W2: 2x4, b2: 2
x = torch.randn(5, 3)  # 5 samples, 3 features

with torch.no_grad():
    two_layers = layer2(layer1(x))
    W = layer2.weight @ layer1.weight  # (1)!
    b = layer2.weight @ layer1.bias + layer2.bias
    one_layer = x @ W.T + b

max_difference = (two_layers - one_layer).abs().max().item()
print("merged weight shape:", tuple(W.shape), " merged bias shape:", tuple(b.shape))
print(f"largest difference between the two outputs: {max_difference:.2e}")

with torch.no_grad():
    bent = layer2(torch.sigmoid(layer1(x)))  # a nonlinearity in between
nonlinear_difference = (bent - one_layer).abs().max().item()
print(f"with a sigmoid in between the difference is {nonlinear_difference:.3f}")
