"""CNNs for MNIST: the course's basic CNN and the deeper CNN of the homework."""

import torch
from torch import nn
from torch.nn import functional as F


class BasicCNN(nn.Module):
    """conv 1->10 (5x5), pool, ReLU, conv 10->20 (5x5), pool, ReLU, linear 320->10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))  # (N, 1, 28, 28) -> (N, 10, 12, 12)
        x = F.relu(self.pooling(self.conv2(x)))  # -> (N, 20, 4, 4)
        x = x.view(batch_size, -1)  # flatten: 20 * 4 * 4 = 320
        return self.fc(x)


class DeeperCNN(nn.Module):
    """Three conv (3x3, padding 1) + ReLU + pool stages, then three linear layers."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(32, 64, kernel_size=3, padding=1)
        self.pooling = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(64 * 3 * 3, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = self.pooling(F.relu(self.conv1(x)))  # (N, 16, 14, 14)
        x = self.pooling(F.relu(self.conv2(x)))  # (N, 32, 7, 7)
        x = self.pooling(F.relu(self.conv3(x)))  # (N, 64, 3, 3)
        x = x.view(batch_size, -1)  # 576
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


if __name__ == "__main__":
    for model in (BasicCNN(), DeeperCNN()):
        x = torch.zeros(1, 1, 28, 28)
        print(f"{type(model).__name__}: {sum(p.numel() for p in model.parameters())} parameters")
        for name, layer in model.named_children():
            if isinstance(layer, nn.Conv2d):
                x = layer(x)
                print(f"  {name}: {tuple(x.shape)}", end="")
                x = model.pooling(x)
                print(f" -> pooled {tuple(x.shape)}")
