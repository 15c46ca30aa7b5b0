"""torch.Tensor (the class) versus torch.tensor (the factory function)."""

import numpy as np
import torch

a = torch.Tensor([1, 2])  # the class: always the default float type
b = torch.tensor([1, 2])  # the function: dtype inferred from the data
c = torch.tensor([1.0, 2.0])
print("torch.Tensor([1, 2]):", a, a.dtype)
print("torch.tensor([1, 2]):", b, b.dtype)
print("torch.tensor([1.0, 2.0]):", c, c.dtype)

shape_not_value = torch.Tensor(3)  # (1)!
scalar = torch.tensor(3)
print("torch.Tensor(3).shape:", tuple(shape_not_value.shape), "| torch.tensor(3):", scalar, tuple(scalar.shape))

array = np.array([1.0, 2.0])
copied = torch.tensor(array)  # copies the data
shared = torch.from_numpy(array)  # shares memory with the array
array[0] = 100.0
copied_first = copied[0].item()
shared_first = shared[0].item()
print(f"after array[0] = 100: torch.tensor copy -> {copied_first}, torch.from_numpy -> {shared_first}")

class_dtype = str(a.dtype)
function_dtype = str(b.dtype)
