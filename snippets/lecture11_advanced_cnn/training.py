"""MNIST loaders and the course's train/test loop, shared by this lecture's scripts."""

import time

import matplotlib.pyplot as plt
import torch
from torch import nn, optim
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def mnist_loaders(batch_size=64):
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_dataset = datasets.MNIST(root="data", train=True, download=True, transform=transform)
    test_dataset = datasets.MNIST(root="data", train=False, download=True, transform=transform)
    return (DataLoader(train_dataset, batch_size=batch_size, shuffle=True),
            DataLoader(test_dataset, batch_size=batch_size, shuffle=False))


def test(model, loader, device):
    """Return (correct, total) on ``loader``."""
    model.eval()  # BatchNorm uses its running statistics from here on
    correct = total = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            correct += (model(images).argmax(dim=1) == labels).sum().item()
            total += labels.size(0)
    return correct, total


def fit(model, train_loader, test_loader, device, epochs, log_every=300):
    """Course set-up: CrossEntropyLoss, SGD lr 0.01 momentum 0.5.

    Prints the mean loss of every ``log_every`` batches (0: never) and the test accuracy after
    each epoch; returns (losses, accuracies, seconds per epoch, (correct, total) of the last test).
    """
    model.to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    losses, accuracies = [], []
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        running_loss = 0.0
        for batch_idx, (inputs, target) in enumerate(train_loader):
            inputs, target = inputs.to(device), target.to(device)
            optimizer.zero_grad()
            loss = criterion(model(inputs), target)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if log_every and batch_idx % log_every == log_every - 1:
                losses.append(running_loss / log_every)
                print(f"[{epoch + 1}, {batch_idx + 1:5d}] loss: {running_loss / log_every:.3f}")
                running_loss = 0.0
        correct, total = test(model, test_loader, device)
        accuracies.append(correct / total)
        print(f"{type(model).__name__} epoch {epoch + 1}: accuracy on test set "
              f"{100 * correct / total:.2f} % ({correct}/{total})")
    return losses, accuracies, (time.perf_counter() - start) / epochs, (correct, total)


def plot_curves(losses, accuracies, batches_per_epoch, title, log_every=300):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot([(i + 1) * log_every / batches_per_epoch for i in range(len(losses))], losses, marker=".")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel(f"mean training loss of {log_every} batches")
    ax1.set_title(f"{title}: training loss")
    ax2.plot(range(1, len(accuracies) + 1), [100 * a for a in accuracies], marker="o")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_title(f"{title}: test accuracy")
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()


if __name__ == "__main__":
    train_loader, test_loader = mnist_loaders()
    print(f"{len(train_loader.dataset)} training images in {len(train_loader)} batches of 64, "
          f"{len(test_loader.dataset)} test images in {len(test_loader)} batches")
