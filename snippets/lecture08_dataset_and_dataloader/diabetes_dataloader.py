"""Lecture 8: the diabetes network trained in mini-batches from a Dataset and a DataLoader."""

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
from torchvision.datasets.utils import download_url

URL = "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/diabetes.csv.gz"
MD5 = "b7f372850118dfaf306e2f334e6a718f"


class DiabetesDataset(Dataset):  # (1)!
    def __init__(self, filepath):
        xy = np.loadtxt(filepath, delimiter=",", dtype=np.float32)
        self.len = xy.shape[0]
        self.x_data = torch.from_numpy(xy[:, :-1])
        self.y_data = torch.from_numpy(xy[:, [-1]])

    def __getitem__(self, index):  # (2)!
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = torch.nn.Linear(8, 6)
        self.linear2 = torch.nn.Linear(6, 4)
        self.linear3 = torch.nn.Linear(4, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid(self.linear1(x))
        x = self.sigmoid(self.linear2(x))
        return self.sigmoid(self.linear3(x))


if __name__ == "__main__":  # (3)!
    torch.manual_seed(0)
    torch.set_num_threads(1)  # tensors this small run faster on one thread
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    download_url(URL, root="data", md5=MD5)
    dataset = DiabetesDataset("data/diabetes.csv.gz")
    train_loader = DataLoader(
        dataset,
        batch_size=32,
        shuffle=True,  # (4)!
        num_workers=2,
        multiprocessing_context="spawn",  # (5)!
        persistent_workers=True,  # (6)!
        generator=torch.Generator().manual_seed(0),
    )
    print(f"{len(dataset)} samples, {len(train_loader)} iterations per epoch")

    model = Model().to(device)
    criterion = torch.nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    epoch_losses = []
    for epoch in range(100):
        total, count = 0.0, 0
        for i, (inputs, labels) in enumerate(train_loader):  # (7)!
            inputs, labels = inputs.to(device), labels.to(device)
            if epoch == 0 and i == 0:
                print("first batch:", tuple(inputs.shape), tuple(labels.shape))
            y_pred = model(inputs)
            loss = criterion(y_pred, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(inputs)
            count += len(inputs)
        epoch_losses.append(total / count)
        if epoch % 20 == 0 or epoch == 99:
            print(f"epoch {epoch:3d}  mean loss {epoch_losses[-1]:.4f}")
    updates = 100 * len(train_loader)
    samples_per_epoch = count

    with torch.no_grad():
        x_all, y_all = dataset.x_data.to(device), dataset.y_data.to(device)
        train_accuracy = ((model(x_all) > 0.5).float() == y_all).float().mean().item()
    print(f"{updates} updates; training accuracy {train_accuracy:.2%}")

    plt.plot(epoch_losses)
    plt.xlabel("epoch")
    plt.ylabel("mean BCE loss over the epoch")
    plt.title("8-6-4-1 sigmoid network, mini-batches of 32, SGD lr 0.01")
    plt.show()
