"""nn.Linear takes input of shape (*, in_features): only the last dimension must match."""

import torch

torch.manual_seed(0)

layer = torch.nn.Linear(in_features=3, out_features=2)
inputs = {
    "1-D, one sample": torch.randn(3),
    "2-D, 4 samples": torch.randn(4, 3),
    "3-D, 5 x 4 samples": torch.randn(5, 4, 3),  # (1)!
}
output_shapes = {}
for name, x in inputs.items():
    y = layer(x)
    output_shapes[name] = list(y.shape)
    print(f"{name:20s} input {str(tuple(x.shape)):11s} -> output {tuple(y.shape)}")

# The leading dimensions pass through: each row is transformed on its own.
x = inputs["3-D, 5 x 4 samples"]
rows_match = torch.allclose(layer(x)[2, 1], layer(x[2, 1]))
print("layer(x)[2, 1] equals layer(x[2, 1]):", rows_match)

# What must match is the last dimension of the input and in_features.
try:
    layer(torch.randn(4, 5))  # (2)!
except RuntimeError as error:
    mismatch_error = str(error)
print("input (4, 5) into nn.Linear(3, 2): RuntimeError:", mismatch_error)
