"""Homework: the course's residual block, the pre-activation unit and a small DenseNet, 3 epochs each."""

import os
import time

import torch
from torch import nn, optim
from torch.utils.data import DataLoader
from torch.utils.flop_counter import FlopCounterMode
from torchvision import datasets, transforms

from models import PreActResNet, ResNet, SmallDenseNet

BATCH_SIZE = 64
EPOCHS = 3  # (1)!
criterion = nn.CrossEntropyLoss()


def train(model, device, loader, optimizer, epoch):
    """One epoch of training; returns the mean loss of every 300 batches."""
    model.train()  # BatchNorm uses the batch's statistics
    losses = []
    running_loss = 0.0
    for batch_idx, (inputs, target) in enumerate(loader):
        inputs, target = inputs.to(device), target.to(device)
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
    model.eval()  # BatchNorm uses the running statistics from training
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            predicted = model(images).argmax(dim=1)
            correct += (predicted == labels).sum().item()
    total = len(loader.dataset)
    print(f"accuracy on test set: {100 * correct / total:.2f} % ({correct}/{total})")
    return correct / total


def multiply_adds(model):
    """Multiply-adds of one forward pass of one image (FLOPs / 2)."""
    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 1, 28, 28))
    return counter.get_total_flops() // 2


def main():
    use_cuda = torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")
    loader_options = {"batch_size": BATCH_SIZE}
    if use_cuda:
        loader_options.update(num_workers=min(8, os.cpu_count()), pin_memory=True, persistent_workers=True)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_dataset = datasets.MNIST(root="data", train=True, download=True, transform=transform)
    test_dataset = datasets.MNIST(root="data", train=False, download=True, transform=transform)
    train_loader = DataLoader(train_dataset, shuffle=True, **loader_options)
    test_loader = DataLoader(test_dataset, shuffle=False, **loader_options)

    rows = {}
    for model_class in (ResNet, PreActResNet, SmallDenseNet):
        name = model_class.__name__
        print(f"--- {name}")
        torch.manual_seed(0)  # same batch order for every model
        model = model_class()
        parameters = sum(p.numel() for p in model.parameters())
        macs = multiply_adds(model)
        model.to(device)
        optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
        accuracies = []
        start = time.perf_counter()
        for epoch in range(1, EPOCHS + 1):
            train(model, device, train_loader, optimizer, epoch)
            accuracies.append(test(model, device, test_loader))
        rows[name] = (parameters, macs, accuracies, (time.perf_counter() - start) / EPOCHS)

    print()
    print(f"| model | parameters | multiply-adds per image | test accuracy after epochs 1-{EPOCHS} | s per epoch |")
    print("|---|---|---|---|---|")
    for name, (parameters, macs, accuracies, seconds) in rows.items():
        per_epoch = ", ".join(f"{100 * a:.2f} %" for a in accuracies)
        print(f"| {name} | {parameters} | {macs} | {per_epoch} | {seconds:.1f} |")
    return rows


if __name__ == "__main__":
    rows = main()
    parameters = {name: row[0] for name, row in rows.items()}
    final_accuracies = {name: row[2][-1] for name, row in rows.items()}
