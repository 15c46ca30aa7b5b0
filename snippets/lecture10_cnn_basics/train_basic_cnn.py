"""Train the course's basic CNN on MNIST for 10 epochs, on the GPU when there is one."""

import random
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn, optim
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from models import BasicCNN

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # (1)!

batch_size = 64
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
train_dataset = datasets.MNIST(root="data", train=True, download=True, transform=transform)
test_dataset = datasets.MNIST(root="data", train=False, download=True, transform=transform)
train_loader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True)
test_loader = DataLoader(test_dataset, batch_size=batch_size, shuffle=False)

model = BasicCNN().to(device)  # (2)!
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
losses, accuracies = [], []


def train(epoch):
    model.train()
    running_loss = 0.0
    for batch_idx, (inputs, target) in enumerate(train_loader):
        inputs, target = inputs.to(device), target.to(device)  # (3)!
        optimizer.zero_grad()
        loss = criterion(model(inputs), target)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if batch_idx % 300 == 299:
            losses.append(running_loss / 300)
            print(f"[{epoch + 1}, {batch_idx + 1:5d}] loss: {running_loss / 300:.3f}")
            running_loss = 0.0


def test():
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in test_loader:
            images, labels = images.to(device), labels.to(device)  # (4)!
            predicted = model(images).argmax(dim=1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    print(f"accuracy on test set: {100 * correct / total:.2f} % ({correct}/{total})")
    return correct, total


if __name__ == "__main__":
    start = time.perf_counter()
    for epoch in range(10):
        train(epoch)
        correct, total = test()
        accuracies.append(correct / total)
    seconds_per_epoch = (time.perf_counter() - start) / 10
    test_accuracy = accuracies[-1]
    print()
    print("| model | course | this build |")
    print("|---|---|---|")
    print(f"| basic CNN, 10 epochs | 98.69 % (9869/10000) | {100 * test_accuracy:.2f} % ({correct}/{total}) |")
    print(f"device {device}, {seconds_per_epoch:.1f} s per epoch (training and test)")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot([(i + 1) * 300 / len(train_loader) for i in range(len(losses))], losses, marker=".")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("mean training loss of 300 batches")
    ax1.set_title("Training loss")
    ax2.plot(range(1, len(accuracies) + 1), [100 * a for a in accuracies], marker="o")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_title("Test accuracy")
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()

    # Feature maps of the first test digit, from the trained convolution layers.
    image, label = test_dataset[0]
    with torch.no_grad():
        x = image.unsqueeze(0).to(device)
        maps1 = model.conv1(x)  # (1, 10, 24, 24)
        maps2 = model.conv2(torch.relu(model.pooling(maps1)))  # (1, 20, 8, 8)
    fig = plt.figure(figsize=(11, 5.2))
    grid = fig.add_gridspec(3, 12)
    ax = fig.add_subplot(grid[0:2, 0:2])
    ax.imshow(image[0].numpy(), cmap="gray_r")
    ax.set_title(f"input, label {label}", fontsize=9)
    ax.axis("off")
    for c in range(10):
        ax = fig.add_subplot(grid[0, 2 + c])
        ax.imshow(maps1[0, c].cpu().numpy(), cmap="RdBu_r")
        ax.set_title(f"conv1 #{c}", fontsize=8)
        ax.axis("off")
    for c in range(20):
        ax = fig.add_subplot(grid[1 + c // 10, 2 + c % 10])
        ax.imshow(maps2[0, c].cpu().numpy(), cmap="RdBu_r")
        ax.set_title(f"conv2 #{c}", fontsize=8)
        ax.axis("off")
    fig.suptitle("Feature maps of a test digit: conv1 (10 maps, 24 x 24), conv2 (20 maps, 8 x 8)")
    plt.show()
