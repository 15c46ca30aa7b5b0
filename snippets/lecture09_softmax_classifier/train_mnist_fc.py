"""Train the fully connected MNIST classifier for the course's 10 epochs and plot loss and accuracy."""

import os
import time

import matplotlib.pyplot as plt
import torch
from torch import nn, optim
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from models import FullyConnectedNet

BATCH_SIZE = 64
EPOCHS = 10
criterion = nn.CrossEntropyLoss()  # (3)!


def train(model, device, loader, optimizer, epoch):
    """One epoch of training; returns the mean loss of every 300 batches."""
    model.train()
    losses = []
    running_loss = 0.0
    for batch_idx, (inputs, target) in enumerate(loader):
        inputs, target = inputs.to(device), target.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, target)
        loss.backward()
        optimizer.step()

        running_loss += loss.item()
        if batch_idx % 300 == 299:  # (4)!
            losses.append(running_loss / 300)
            print(f"[{epoch}, {batch_idx + 1:5d}] loss: {running_loss / 300:.3f}")
            running_loss = 0.0
    return losses


def test(model, device, loader):
    """Accuracy on the loader's data, as a fraction."""
    model.eval()
    correct = 0
    with torch.no_grad():  # (5)!
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            predicted = outputs.argmax(dim=1)  # (6)!
            correct += (predicted == labels).sum().item()
    total = len(loader.dataset)
    print(f"accuracy on test set: {100 * correct / total:.2f} % ({correct}/{total})")
    return correct / total


def plot_curves(losses, accuracies, batches_per_epoch):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    steps = [(i + 1) * 300 / batches_per_epoch for i in range(len(losses))]
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


def main():
    torch.manual_seed(0)
    use_cuda = torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")  # (1)!
    loader_options = {"batch_size": BATCH_SIZE}
    if use_cuda:  # (7)!
        loader_options.update(num_workers=min(8, os.cpu_count()), pin_memory=True, persistent_workers=True)

    transform = transforms.Compose([
        transforms.ToTensor(),  # PIL image 0..255 -> float tensor (1, 28, 28) in [0, 1]
        transforms.Normalize((0.1307,), (0.3081,)),  # (x - mean) / standard deviation
    ])
    train_dataset = datasets.MNIST(root="data", train=True, download=True, transform=transform)
    test_dataset = datasets.MNIST(root="data", train=False, download=True, transform=transform)
    train_loader = DataLoader(train_dataset, shuffle=True, **loader_options)  # (2)!
    test_loader = DataLoader(test_dataset, shuffle=False, **loader_options)

    model = FullyConnectedNet().to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

    losses, accuracies = [], []
    start = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        losses += train(model, device, train_loader, optimizer, epoch)
        accuracies.append(test(model, device, test_loader))
    seconds_per_epoch = (time.perf_counter() - start) / EPOCHS
    print(f"device {device}, {seconds_per_epoch:.1f} s per epoch (training and test)")

    plot_curves(losses, accuracies, len(train_loader))
    plt.show()
    return losses, accuracies


if __name__ == "__main__":
    losses, accuracies = main()
    test_accuracy = accuracies[-1]
    print(f"test accuracy after {len(accuracies)} epochs: {100 * test_accuracy:.2f} %")
