"""Train the course's basic CNN on MNIST for 10 epochs, on the GPU when there is one."""

import os
import time

import matplotlib.pyplot as plt
import torch
from torch import nn, optim
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from models import BasicCNN

BATCH_SIZE = 64
EPOCHS = 10
criterion = nn.CrossEntropyLoss()


def train(model, device, loader, optimizer, epoch):
    """One epoch of training; returns the mean loss of every 300 batches."""
    model.train()
    losses = []
    running_loss = 0.0
    for batch_idx, (inputs, target) in enumerate(loader):
        inputs, target = inputs.to(device), target.to(device)  # (3)!
        optimizer.zero_grad()
        loss = criterion(model(inputs), target)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if batch_idx % 300 == 299:
            losses.append(running_loss / 300)
            print(f"[{epoch}, {batch_idx + 1:5d}] loss: {running_loss / 300:.3f}")
            running_loss = 0.0
    return losses


def test(model, device, loader):
    """Accuracy on the loader's data, as a fraction."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)  # (4)!
            predicted = model(images).argmax(dim=1)
            correct += (predicted == labels).sum().item()
    total = len(loader.dataset)
    print(f"accuracy on test set: {100 * correct / total:.2f} % ({correct}/{total})")
    return correct / total


def plot_curves(losses, accuracies, batches_per_epoch):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot([(i + 1) * 300 / batches_per_epoch for i in range(len(losses))], losses, marker=".")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("mean training loss of 300 batches")
    ax1.set_title("Training loss")
    ax2.plot(range(1, len(accuracies) + 1), [100 * a for a in accuracies], marker="o")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_title("Test accuracy")
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()


def plot_feature_maps(model, device, image, label):
    """Feature maps of one test digit, from the trained convolution layers."""
    model.eval()
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


def main():
    torch.manual_seed(0)
    use_cuda = torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")  # (1)!
    loader_options = {"batch_size": BATCH_SIZE}
    if use_cuda:  # (5)!
        loader_options.update(num_workers=min(8, os.cpu_count()), pin_memory=True, persistent_workers=True)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_dataset = datasets.MNIST(root="data", train=True, download=True, transform=transform)
    test_dataset = datasets.MNIST(root="data", train=False, download=True, transform=transform)
    train_loader = DataLoader(train_dataset, shuffle=True, **loader_options)
    test_loader = DataLoader(test_dataset, shuffle=False, **loader_options)

    model = BasicCNN().to(device)  # (2)!
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

    losses, accuracies = [], []
    start = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        losses += train(model, device, train_loader, optimizer, epoch)
        accuracies.append(test(model, device, test_loader))
    seconds_per_epoch = (time.perf_counter() - start) / EPOCHS
    print(f"device {device}, {seconds_per_epoch:.1f} s per epoch (training and test)")

    plot_curves(losses, accuracies, len(train_loader))
    plot_feature_maps(model, device, *test_dataset[0])
    plt.show()
    return losses, accuracies


if __name__ == "__main__":
    losses, accuracies = main()
    test_accuracy = accuracies[-1]
    print(f"test accuracy after {len(accuracies)} epochs: {100 * test_accuracy:.2f} %")
