"""Autograd on y_hat = x * w: the graph, backward(), and gradient accumulation."""

import torch

x, y = 2.0, 4.0
w = torch.tensor([1.0], requires_grad=True)  # (1)!

y_hat = x * w  # forward: every operation on w is recorded
loss = (y_hat - y) ** 2
print("loss:", loss.item())
print("w is a leaf:", w.is_leaf, "| loss was made by:", type(loss.grad_fn).__name__)
print("w.grad before backward:", w.grad)

loss.backward()  # (2)!
grad_autograd = w.grad.item()
grad_by_hand = 2 * x * (x * w.item() - y)  # d/dw (x*w - y)^2 = 2x(xw - y)
print(f"dloss/dw: autograd {grad_autograd}, by hand {grad_by_hand}")

loss = (x * w - y) ** 2  # a new forward pass builds a new graph
loss.backward()
grad_accumulated = w.grad.item()
print("after a second backward without zeroing:", grad_accumulated)  # (3)!

w.grad.zero_()
grad_after_zero = w.grad.item()
print("after w.grad.zero_():", grad_after_zero)

try:
    loss.backward()  # the graph was freed by the previous backward
    second_backward_fails = False
except RuntimeError as error:
    second_backward_fails = True
    print("backward twice through one graph:", str(error).split(".")[0])
