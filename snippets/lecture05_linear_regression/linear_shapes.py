"""nn.Linear shapes, calling a module, and the reduction of MSELoss."""

import torch

torch.manual_seed(0)

layer = torch.nn.Linear(in_features=3, out_features=2)
batch = torch.randn(4, 3)  # 4 samples with 3 features each
out = layer(batch)  # (1)!
print("input", tuple(batch.shape), "-> output", tuple(out.shape))
print("weight", tuple(layer.weight.shape), " bias", tuple(layer.bias.shape))
by_hand = batch @ layer.weight.T + layer.bias
print("equals x @ W.T + b:", torch.allclose(out, by_hand))
output_shape = list(out.shape)
weight_shape = list(layer.weight.shape)

called_equals_forward = torch.equal(layer(batch), layer.forward(batch))  # (2)!
print("layer(x) == layer.forward(x):", called_equals_forward)

y_pred = torch.tensor([[1.0], [2.0], [4.0]])
y = torch.tensor([[2.0], [4.0], [6.0]])
mse = {r: torch.nn.MSELoss(reduction=r)(y_pred, y) for r in ("mean", "sum", "none")}
mse_mean = mse["mean"].item()
mse_sum = mse["sum"].item()
mse_none = mse["none"].flatten().tolist()
print(f"squared errors (reduction='none'): {mse_none}")
print(f"reduction='sum':  {mse_sum}")
print(f"reduction='mean': {mse_mean:.4f}  (the default)")
