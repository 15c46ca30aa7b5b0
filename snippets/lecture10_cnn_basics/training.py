"""MNIST loaders and a train/test loop shared by the homework scripts of this lecture."""

import time

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


def accuracy(model, loader, device):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            correct += (model(images).argmax(dim=1) == labels).sum().item()
            total += labels.size(0)
    return correct / total


def fit(model, train_loader, test_loader, device, epochs, lr=0.01, momentum=0.5):
    """Train with the course's loss and optimizer; return test accuracies and seconds per epoch."""
    model.to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    accuracies = []
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        for inputs, target in train_loader:
            inputs, target = inputs.to(device), target.to(device)
            optimizer.zero_grad()
            loss = criterion(model(inputs), target)
            loss.backward()
            optimizer.step()
        accuracies.append(accuracy(model, test_loader, device))
        print(f"  {type(model).__name__} epoch {epoch + 1}: last batch loss {loss.item():.3f}, "
              f"test accuracy {100 * accuracies[-1]:.2f} %")
    return accuracies, (time.perf_counter() - start) / epochs


if __name__ == "__main__":
    train_loader, test_loader = mnist_loaders()
    print(f"{len(train_loader.dataset)} training images in {len(train_loader)} batches of 64, "
          f"{len(test_loader.dataset)} test images in {len(test_loader)} batches")
