"""Homework: gradients of y_hat = x * w + b by hand, checked against autograd."""

import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
w = torch.tensor([1.0], requires_grad=True)
b = torch.tensor([1.0], requires_grad=True)

print(" x    y   residual  dl/dw hand  autograd  dl/db hand  autograd")
max_abs_difference = 0.0
for x, y in zip(x_data, y_data):
    loss = (x * w + b - y) ** 2
    loss.backward()
    residual = x * w.item() + b.item() - y  # r = x*w + b - y
    dw_hand = 2 * x * residual  # (1)!
    db_hand = 2 * residual
    print(f"{x:3.0f} {y:4.0f} {residual:9.1f} {dw_hand:11.1f} {w.grad.item():9.1f}"
          f" {db_hand:11.1f} {b.grad.item():9.1f}")
    max_abs_difference = max(max_abs_difference,
                             abs(dw_hand - w.grad.item()), abs(db_hand - b.grad.item()))
    w.grad.zero_()
    b.grad.zero_()
print("largest difference between hand and autograd:", max_abs_difference)
