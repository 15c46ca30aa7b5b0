"""The course's fully connected MNIST classifier: 784-512-256-128-64-10."""

import torch
from torch import nn
from torch.nn import functional as F


class FullyConnectedNet(nn.Module):
    """Five linear layers, ReLU on the hidden ones, raw scores (logits) out."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, 128)
        self.l4 = nn.Linear(128, 64)
        self.l5 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 784)  # (N, 1, 28, 28) -> (N, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return self.l5(x)  # no activation: CrossEntropyLoss applies log-softmax itself


if __name__ == "__main__":
    model = FullyConnectedNet()
    for name, p in model.named_parameters():
        print(f"{name:10s} {str(tuple(p.shape)):12s} {p.numel():7d}")
    print(f"total parameters: {sum(p.numel() for p in model.parameters())}")
    print("output shape for a batch of 2:", tuple(model(torch.zeros(2, 1, 28, 28)).shape))
