"""What .item(), .data, .detach() and torch.no_grad() give you, and why .data is risky."""

import torch

w = torch.tensor([3.0], requires_grad=True)
loss = (2.0 * w - 4.0) ** 2

value = loss.item()  # a Python float: no graph, safe to print or store
print("loss.item():", value, type(value).__name__)
print("w.data:", w.data, "requires_grad:", w.data.requires_grad)
print("w.detach():", w.detach(), "requires_grad:", w.detach().requires_grad)
with torch.no_grad():
    z = w * 2
print("w * 2 under no_grad: requires_grad:", z.requires_grad)

# Both .data and no_grad() can change w in place. The difference shows when a
# graph that still needs the old value of w is used afterwards.
w = torch.tensor([3.0], requires_grad=True)
square = w * w  # backward needs w as it was: d(w*w)/dw = 2w = 6
w.data -= 1.0  # (1)!
square.backward()
silent_wrong_grad = w.grad.item()
print(f"after changing w.data: gradient {silent_wrong_grad} (should be 6.0, no error)")

w = torch.tensor([3.0], requires_grad=True)
square = w * w
with torch.no_grad():
    w -= 1.0  # (2)!
try:
    square.backward()
    error_caught = False
except RuntimeError as error:
    error_caught = True
    print("after w -= 1 under no_grad:", str(error).split(":")[0])
