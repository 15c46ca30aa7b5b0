"""The logistic sigmoid and its derivative."""

import matplotlib.pyplot as plt
import torch

x = torch.linspace(-10, 10, 401)
s = torch.sigmoid(x)
ds = s * (1 - s)  # (1)!

x_grad = x.clone().requires_grad_(True)
torch.sigmoid(x_grad).sum().backward()  # autograd's derivative at every x
derivative_matches_autograd = torch.allclose(x_grad.grad, ds, atol=1e-6)

sigmoid_at_0 = torch.sigmoid(torch.tensor(0.0)).item()
sigmoid_at_5 = torch.sigmoid(torch.tensor(5.0)).item()
max_derivative = ds.max().item()
print(f"sigmoid(0) = {sigmoid_at_0}, sigmoid(5) = {sigmoid_at_5:.4f}, sigmoid(-5) = {1 - sigmoid_at_5:.4f}")
print("sigma * (1 - sigma) equals autograd's derivative:", derivative_matches_autograd)
print(f"largest slope {max_derivative} at x = {abs(x[ds.argmax()].item()):.1f}")

plt.figure(figsize=(7, 4))
plt.plot(x, s, label="sigmoid(x) = 1 / (1 + exp(-x))")
plt.plot(x, ds, "--", label="derivative sigmoid(x) * (1 - sigmoid(x))")
plt.axhline(0.5, color="gray", linewidth=0.8)
plt.axvline(0.0, color="gray", linewidth=0.8)
plt.xlabel("x")
plt.ylim(-0.05, 1.05)
plt.title("The logistic function maps any real number into (0, 1)")
plt.legend(loc="center right")
plt.show()
