"""Choose the device once, move the model and each batch to it: the same code runs on CPU and GPU."""

import torch

from models import BasicCNN

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # (1)!
print("device:", device, "| a tensor created on it is on", torch.zeros(1, device=device).device)

model = BasicCNN()
returned = model.to(device)  # (2)!
print("model.to(device) moves the module itself:", returned is model,
      "| parameters on", next(model.parameters()).device)

batch = torch.randn(4, 1, 28, 28)
moved = batch.to(device)  # (3)!
print("tensor.to(device) returns a tensor on", moved.device, "| the original stays on", batch.device,
      "| same object:", moved is batch)

with torch.no_grad():
    scores = model(moved)  # model and input on the same device
print("scores on", scores.device, "shape", tuple(scores.shape))
print("back on the CPU for numpy or printing:", scores.argmax(dim=1).cpu().tolist())
