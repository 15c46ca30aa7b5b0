"""Why w after 100 epochs depends on the initial weights: the eigenvalues of the problem."""

import torch

x = torch.tensor([[1.0], [2.0], [3.0]])
y = torch.tensor([[2.0], [4.0], [6.0]])
lr = 0.01
epochs = 100

# The summed squared error is quadratic in (w, b); its Hessian is 2 [[sum x^2, sum x], [sum x, N]].
features = torch.cat([x, torch.ones_like(x)], dim=1)
hessian = 2 * features.T @ features
eigenvalues, eigenvectors = torch.linalg.eigh(hessian)  # (1)!
factors = 1 - lr * eigenvalues  # each gradient step multiplies the error along an eigenvector by this
hessian_eigenvalues = [round(v, 4) for v in eigenvalues.tolist()]
print("Hessian eigenvalues:", hessian_eigenvalues)
print("factor per step:    ", [round(v, 4) for v in factors.tolist()])
print(f"after {epochs} steps:   ", [f"{v:.3g}" for v in (factors**epochs).tolist()])
slow_factor_after_100 = factors[0].item() ** epochs
slow_direction = eigenvectors[:, 0].tolist()  # (w, b) components of the slow direction

# The course's training (nn.Linear(1, 1), summed MSE, SGD lr 0.01) from ten random initializations.
w_after_100 = []
predicted_w_after_100 = []
for seed in range(10):
    torch.manual_seed(seed)
    model = torch.nn.Linear(1, 1)
    start = torch.tensor([model.weight.item() - 2.0, model.bias.item() - 0.0])  # distance to (2, 0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        loss = torch.nn.functional.mse_loss(model(x), y, reduction="sum")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    w_after_100.append(round(model.weight.item(), 4))
    # the same number from the eigen-decomposition, without training
    remaining = eigenvectors @ ((factors**epochs) * (eigenvectors.T @ start))  # (2)!
    predicted_w_after_100.append(round(2.0 + remaining[0].item(), 4))
    print(f"seed {seed}: start w = {start[0].item() + 2:+.3f}, b = {start[1].item():+.3f}"
          f" -> w after {epochs} epochs {w_after_100[-1]:.4f} (predicted {predicted_w_after_100[-1]:.4f})")
print(f"w after {epochs} epochs ranges from {min(w_after_100):.3f} to {max(w_after_100):.3f}")
