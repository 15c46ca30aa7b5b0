"""torch.sigmoid, nn.Sigmoid and F.sigmoid compute the same function."""

import warnings

import torch
import torch.nn.functional as F

x = torch.tensor([-2.0, 0.0, 2.0])
a = torch.sigmoid(x)  # a function
b = torch.nn.Sigmoid()(x)  # a module: create it, then call it
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    c = F.sigmoid(x)  # (1)!
all_equal = torch.equal(a, b) and torch.equal(a, c)
functional_warns = len(caught) > 0
print("torch.sigmoid:", a)
print("all three equal:", all_equal)
print(f"F.sigmoid warns in torch {torch.__version__}: {functional_warns}")
print("nn.Sigmoid has parameters:", len(list(torch.nn.Sigmoid().parameters())))
