"""Advanced CNNs for MNIST: the course's Inception and residual networks, and the homework's
pre-activation residual network and small DenseNet."""

import torch
from torch import nn
from torch.nn import functional as F


def flat_size(model, shape=(1, 1, 28, 28)):
    """Values per sample after ``model.features``, found with a dummy forward pass.

    Run in eval mode, so the dummy input does not touch BatchNorm's running statistics.
    """
    was_training = model.training
    model.eval()
    with torch.no_grad():
        size = model.features(torch.zeros(shape)).flatten(1).shape[1]
    model.train(was_training)
    return size


class InceptionA(nn.Module):
    """Four branches side by side, concatenated on channels: 16 + 24 + 24 + 24 = 88."""

    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)

        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)

        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        branch_pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([branch1x1, branch5x5, branch3x3, branch_pool], dim=1)  # (N, 88, H, W)


class InceptionNet(nn.Module):
    """conv 1->10, pool, ReLU, Inception, conv 88->20, pool, ReLU, Inception, linear 1408->10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(flat_size(self), 10)  # 88 * 4 * 4 = 1408

    def features(self, x):
        x = F.relu(self.mp(self.conv1(x)))  # (N, 10, 12, 12)
        x = self.incep1(x)  # (N, 88, 12, 12)
        x = F.relu(self.mp(self.conv2(x)))  # (N, 20, 4, 4)
        return self.incep2(x)  # (N, 88, 4, 4)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


class ResidualBlock(nn.Module):
    """The course's block: relu(x + conv2(relu(conv1(x)))), shapes unchanged."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class ResNet(nn.Module):
    """conv 1->16, pool, ReLU, residual, conv 16->32, pool, ReLU, residual, linear 512->10."""

    def __init__(self, block=ResidualBlock):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.rblock1 = block(16)
        self.rblock2 = block(32)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(flat_size(self), 10)  # 32 * 4 * 4 = 512

    def features(self, x):
        x = self.mp(F.relu(self.conv1(x)))  # (N, 16, 12, 12)
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))  # (N, 32, 4, 4)
        return self.rblock2(x)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


class PreActBlock(nn.Module):
    """He et al. (2016) full pre-activation unit: x + conv(relu(bn(conv(relu(bn(x)))))).

    Nothing is applied after the addition, so the shortcut carries x through unchanged.
    """

    def __init__(self, channels):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)

    def forward(self, x):
        y = self.conv1(F.relu(self.bn1(x)))
        y = self.conv2(F.relu(self.bn2(y)))
        return x + y


class PreActResNet(nn.Module):
    """The course's ResNet with pre-activation blocks and a final BN + ReLU before the classifier."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.rblock1 = PreActBlock(16)
        self.rblock2 = PreActBlock(32)
        self.bn = nn.BatchNorm2d(32)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(flat_size(self), 10)

    def features(self, x):
        x = self.mp(F.relu(self.conv1(x)))
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))
        x = self.rblock2(x)
        return F.relu(self.bn(x))

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


class DenseBlock(nn.Module):
    """Huang et al. (2017): each layer (BN, ReLU, 3x3 conv) sees the concatenation of all before it."""

    def __init__(self, in_channels, growth_rate=8, num_layers=3):
        super().__init__()
        self.layers = nn.ModuleList()
        for i in range(num_layers):
            channels = in_channels + i * growth_rate
            self.layers.append(nn.Sequential(
                nn.BatchNorm2d(channels),
                nn.ReLU(),
                nn.Conv2d(channels, growth_rate, kernel_size=3, padding=1, bias=False),
            ))
        self.out_channels = in_channels + num_layers * growth_rate

    def forward(self, x):
        for layer in self.layers:
            x = torch.cat([x, layer(x)], dim=1)  # keep every earlier map, add growth_rate new ones
        return x


class SmallDenseNet(nn.Module):
    """The course's skeleton with dense blocks: 16 -> 40 channels, then 32 -> 56 channels."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.dense1 = DenseBlock(16)
        self.conv2 = nn.Conv2d(self.dense1.out_channels, 32, kernel_size=5)
        self.dense2 = DenseBlock(32)
        self.bn = nn.BatchNorm2d(self.dense2.out_channels)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(flat_size(self), 10)

    def features(self, x):
        x = self.mp(F.relu(self.conv1(x)))  # (N, 16, 12, 12)
        x = self.dense1(x)  # (N, 40, 12, 12)
        x = self.mp(F.relu(self.conv2(x)))  # (N, 32, 4, 4)
        x = self.dense2(x)  # (N, 56, 4, 4)
        return F.relu(self.bn(x))

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


if __name__ == "__main__":
    for model in (InceptionNet(), ResNet(), PreActResNet(), SmallDenseNet()):
        parameters = sum(p.numel() for p in model.parameters())
        print(f"{type(model).__name__:14s} {parameters:7d} parameters, classifier {model.fc}")
