"""Train the fully connected MNIST classifier for the course's 10 epochs and plot loss and accuracy."""

import random
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn, optim
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from models import FullyConnectedNet

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # (1)!

batch_size = 64
transform = transforms.Compose([
    transforms.ToTensor(),  # PIL image 0..255 -> float tensor (1, 28, 28) in [0, 1]
    transforms.Normalize((0.1307,), (0.3081,)),  # (x - mean) / standard deviation
])
train_dataset = datasets.MNIST(root="data", train=True, download=True, transform=transform)
test_dataset = datasets.MNIST(root="data", train=False, download=True, transform=transform)
train_loader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True)  # (2)!
test_loader = DataLoader(test_dataset, batch_size=batch_size, shuffle=False)

model = FullyConnectedNet().to(device)
criterion = nn.CrossEntropyLoss()  # (3)!
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

losses = []  # mean loss of every 300 batches
accuracies = []  # test accuracy after every epoch


def train(epoch):
    model.train()
    running_loss = 0.0
    for batch_idx, (inputs, target) in enumerate(train_loader):
        inputs, target = inputs.to(device), target.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, target)
        loss.backward()
        optimizer.step()

        running_loss += loss.item()
        if batch_idx % 300 == 299:  # (4)!
            losses.append(running_loss / 300)
            print(f"[{epoch + 1}, {batch_idx + 1:5d}] loss: {running_loss / 300:.3f}")
            running_loss = 0.0


def test():
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():  # (5)!
        for images, labels in test_loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            predicted = outputs.argmax(dim=1)  # (6)!
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
    print(f"| 784-512-256-128-64-10, 10 epochs | about 97 % | {100 * test_accuracy:.2f} % ({correct}/{total}) |")
    print(f"device {device}, {seconds_per_epoch:.1f} s per epoch (training and test)")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    steps = [(i + 1) * 300 / len(train_loader) for i in range(len(losses))]
    ax1.plot(steps, losses, marker=".")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("mean training loss of 300 batches")
    ax1.set_title("Training loss")
    ax2.plot(range(1, len(accuracies) + 1), [100 * a for a in accuracies], marker="o")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_title("Test accuracy")
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()
    plt.show()
