"""Homework: the same network with other hidden activations; loss curves in one figure."""

import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.datasets.utils import download_url

torch.set_num_threads(1)  # tensors this small run faster on one thread
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

URL = "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/diabetes.csv.gz"
MD5 = "b7f372850118dfaf306e2f334e6a718f"
download_url(URL, root="data", md5=MD5)
xy = np.loadtxt("data/diabetes.csv.gz", delimiter=",", dtype=np.float32)
x_data = torch.from_numpy(xy[:, :-1]).to(device)
y_data = torch.from_numpy(xy[:, [-1]]).to(device)

activations = {
    "Sigmoid": torch.nn.Sigmoid,
    "Tanh": torch.nn.Tanh,
    "ReLU": torch.nn.ReLU,
    "LeakyReLU": torch.nn.LeakyReLU,
    "ELU": torch.nn.ELU,
    "Softplus": torch.nn.Softplus,
}
epochs = 3000


def make_model(activation):
    return torch.nn.Sequential(
        torch.nn.Linear(8, 6), activation(),
        torch.nn.Linear(6, 4), activation(),
        torch.nn.Linear(4, 1), torch.nn.Sigmoid(),  # (1)!
    )


curves = {}
final_accuracy = {}
for name, activation in activations.items():
    torch.manual_seed(0)  # the same initial weights for every activation
    model = make_model(activation).to(device)
    criterion = torch.nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    curve = []
    for epoch in range(epochs):
        y_pred = model(x_data)
        loss = criterion(y_pred, y_data)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        curve.append(loss.item())
    with torch.no_grad():
        accuracy = ((model(x_data) > 0.5).float() == y_data).float().mean().item()
    curves[name] = curve[::10]
    final_accuracy[name] = accuracy
    print(f"{name:9s} loss after {epochs} epochs {curve[-1]:.4f}  training accuracy {accuracy:.2%}")

# Why the last activation before BCELoss stays a sigmoid:
relu_output = torch.relu(torch.tensor([[1.7], [-0.4]]))  # ReLU can output anything >= 0
try:
    torch.nn.BCELoss()(relu_output, torch.tensor([[1.0], [0.0]]))
    bce_rejects_relu = False
except RuntimeError as error:  # (2)!
    bce_rejects_relu = True
    print("BCELoss on a ReLU output of 1.7:", str(error).split(".")[0])

plt.figure(figsize=(8, 5))
for name, curve in curves.items():
    plt.plot(range(0, epochs, 10), curve, label=name)
plt.xlabel("epoch")
plt.ylabel("BCE loss (mean)")
plt.title("Hidden activation vs training loss (last layer: sigmoid), SGD lr 0.1")
plt.legend()
plt.show()
