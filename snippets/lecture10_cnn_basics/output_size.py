"""Check the output-size formula floor((n + 2p - k) / s) + 1 against nn.Conv2d and nn.MaxPool2d."""

import torch
from torch import nn


def output_size(n, k, p=0, s=1):
    return (n + 2 * p - k) // s + 1  # (1)!


cases = [  # (input size, kernel, padding, stride)
    (5, 3, 0, 1), (5, 3, 1, 1), (5, 3, 0, 2), (5, 3, 1, 2),
    (28, 5, 0, 1), (12, 5, 0, 1), (28, 3, 1, 1), (28, 5, 2, 1),
    (100, 3, 0, 1), (7, 3, 0, 2), (224, 7, 3, 2),
]
print(" n  k  p  s | formula | nn.Conv2d")
all_match = True
for n, k, p, s in cases:
    conv = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
    measured = conv(torch.zeros(1, 1, n, n)).shape[-1]
    expected = output_size(n, k, p, s)
    all_match &= measured == expected
    print(f"{n:3d} {k} {p} {s} | {expected:7d} | {measured:9d}")
print("formula matches nn.Conv2d in every case:", all_match)

# Max pooling uses the same formula with the stride equal to the kernel by default.
for n in (28, 24, 8, 7):
    pooled = nn.MaxPool2d(2)(torch.zeros(1, 1, n, n)).shape[-1]
    print(f"MaxPool2d(2): {n} x {n} -> {pooled} x {pooled} (formula {output_size(n, 2, 0, 2)})")
