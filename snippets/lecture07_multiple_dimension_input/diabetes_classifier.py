"""Lecture 7: an 8-6-4-1 sigmoid network on the diabetes data, full batch."""

import matplotlib.pyplot as plt
import numpy as np
import torch
from torchvision.datasets.utils import download_url

torch.manual_seed(0)
torch.set_num_threads(1)  # tensors this small run faster on one thread
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

URL = "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/diabetes.csv.gz"
MD5 = "b7f372850118dfaf306e2f334e6a718f"
download_url(URL, root="data", md5=MD5)  # (1)!
xy = np.loadtxt("data/diabetes.csv.gz", delimiter=",", dtype=np.float32)  # (2)!
x_data = torch.from_numpy(xy[:, :-1]).to(device)  # 8 feature columns
y_data = torch.from_numpy(xy[:, [-1]]).to(device)  # (3)!

data_shape = list(xy.shape)
positive_fraction = float(xy[:, -1].mean())
print("data", tuple(xy.shape), "-> x", tuple(x_data.shape), " y", tuple(y_data.shape))
print(f"feature range [{xy[:, :-1].min():.2f}, {xy[:, :-1].max():.2f}], "
      f"label 1 in {positive_fraction:.2%} of rows")


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = torch.nn.Linear(8, 6)
        self.linear2 = torch.nn.Linear(6, 4)
        self.linear3 = torch.nn.Linear(4, 1)
        self.sigmoid = torch.nn.Sigmoid()  # (4)!

    def forward(self, x):
        x = self.sigmoid(self.linear1(x))
        x = self.sigmoid(self.linear2(x))
        x = self.sigmoid(self.linear3(x))
        return x


model = Model().to(device)
criterion = torch.nn.BCELoss()  # mean over the 759 samples
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

epochs = 10_000
logged_epochs, losses, accuracies = [], [], []
for epoch in range(1, epochs + 1):
    y_pred = model(x_data)  # all 759 samples at once
    loss = criterion(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        accuracy = ((y_pred > 0.5).float() == y_data).float().mean().item()  # (5)!
        logged_epochs.append(epoch)
        losses.append(loss.item())
        accuracies.append(accuracy)
        if epoch == 100:
            loss_at_100, accuracy_at_100 = losses[-1], accuracy
        if epoch in (100, 1000) or epoch % 2000 == 0:
            print(f"epoch {epoch:5d}  loss {loss.item():.4f}  training accuracy {accuracy:.2%}")

with torch.no_grad():
    y_pred = model(x_data)
    final_loss = criterion(y_pred, y_data).item()
    train_accuracy = ((y_pred > 0.5).float() == y_data).float().mean().item()
print(f"after {epochs} epochs: loss {final_loss:.4f}, training accuracy {train_accuracy:.2%}")

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
ax_loss.plot(logged_epochs, losses)
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("BCE loss (mean)")
ax_loss.set_title("Training loss")
ax_acc.plot(logged_epochs, accuracies, color="C1")
ax_acc.axhline(positive_fraction, color="gray", linestyle="--", label="always predict 1")
ax_acc.set_xlabel("epoch")
ax_acc.set_ylabel("training accuracy")
ax_acc.set_title("Training accuracy")
ax_acc.legend()
fig.suptitle("8-6-4-1 sigmoid network, SGD lr 0.1, full batch")
fig.tight_layout()
plt.show()
