"""Derive the classifier sizes 1408 and 512 with a dummy forward pass instead of guessing."""

import torch
from torch import nn
from torch.nn import functional as F

from models import InceptionNet, ResNet

torch.manual_seed(0)
x = torch.zeros(1, 1, 28, 28)  # (1)!

net = InceptionNet()
print("Inception network, one 28 x 28 image:")
with torch.no_grad():
    h = net.conv1(x)
    print(f"  conv1 (5x5)           {tuple(h.shape)}")
    h = F.relu(net.mp(h))
    print(f"  max-pool 2 + ReLU     {tuple(h.shape)}")
    h = net.incep1(h)
    print(f"  Inception(10)         {tuple(h.shape)}   16 + 24 + 24 + 24 = 88 channels")
    h = net.conv2(h)
    print(f"  conv2 (5x5)           {tuple(h.shape)}")
    h = F.relu(net.mp(h))
    print(f"  max-pool 2 + ReLU     {tuple(h.shape)}")
    h = net.incep2(h)
    print(f"  Inception(20)         {tuple(h.shape)}")
inception_flat = h.flatten(1).shape[1]  # (2)!
print(f"  flatten: 88 * 4 * 4 = {inception_flat}; the model's fc: {net.fc}")

net = ResNet()
print("Residual network, one 28 x 28 image:")
with torch.no_grad():
    h = net.mp(F.relu(net.conv1(x)))
    print(f"  conv1 + ReLU + pool   {tuple(h.shape)}")
    h = net.rblock1(h)
    print(f"  ResidualBlock(16)     {tuple(h.shape)}   same shape: x + F(x) needs it")
    h = net.mp(F.relu(net.conv2(h)))
    print(f"  conv2 + ReLU + pool   {tuple(h.shape)}")
    h = net.rblock2(h)
    print(f"  ResidualBlock(32)     {tuple(h.shape)}")
resnet_flat = h.flatten(1).shape[1]
print(f"  flatten: 32 * 4 * 4 = {resnet_flat}; the model's fc: {net.fc}")

# A wrong guess fails at the first forward pass, and the message names the right number.
wrong_fc = nn.Linear(1000, 10)
try:
    wrong_fc(h.flatten(1))
except RuntimeError as error:
    print("Linear(1000, 10) on the flattened features:", error)
