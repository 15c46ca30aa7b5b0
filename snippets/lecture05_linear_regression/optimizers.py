"""Homework: eight optimizers fit the same linear model; loss curves in one figure."""

import matplotlib.pyplot as plt
import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
x_data = torch.tensor([[1.0], [2.0], [3.0]], device=device)
y_data = torch.tensor([[2.0], [4.0], [6.0]], device=device)
epochs = 100
lr = 0.01

optimizer_classes = {
    "Adagrad": torch.optim.Adagrad,
    "Adam": torch.optim.Adam,
    "Adamax": torch.optim.Adamax,
    "ASGD": torch.optim.ASGD,
    "LBFGS": torch.optim.LBFGS,
    "RMSprop": torch.optim.RMSprop,
    "Rprop": torch.optim.Rprop,
    "SGD": torch.optim.SGD,
}

curves = {}
final_losses = {}
evaluations = {}  # how many times each optimizer computed loss and gradient
for name, optimizer_class in optimizer_classes.items():
    torch.manual_seed(0)  # the same starting w and b for every optimizer
    model = torch.nn.Linear(1, 1).to(device)
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = optimizer_class(model.parameters(), lr=lr)

    calls = [0]

    def closure():  # (1)!
        calls[0] += 1
        optimizer.zero_grad()
        loss = criterion(model(x_data), y_data)
        loss.backward()
        return loss

    curve = []
    for epoch in range(epochs):
        optimizer.step(closure)  # (2)!
        with torch.no_grad():
            curve.append(criterion(model(x_data), y_data).item())
    curves[name] = curve
    final_losses[name] = curve[-1]
    evaluations[name] = calls[0]
    print(f"{name:8s} loss after {epochs} steps: {curve[-1]:.3e}  "
          f"w = {model.weight.item():.4f}  b = {model.bias.item():.4f}  "
          f"gradient evaluations: {evaluations[name]}")

ranking = sorted(final_losses, key=final_losses.get)
print("from lowest to highest final loss:", ", ".join(ranking))

plt.figure(figsize=(8, 5))
for name, curve in curves.items():
    style = "--" if name == "ASGD" else "-"  # ASGD lies exactly on top of SGD
    plt.plot(range(1, epochs + 1), curve, style, label=name)
plt.yscale("log")
plt.xlabel("step")
plt.ylabel("summed squared error (log scale)")
plt.title(f"Eight optimizers on y = 2x, lr {lr}, same start")
plt.legend(ncol=2)
plt.show()
