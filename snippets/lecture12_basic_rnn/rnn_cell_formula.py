"""What an RNN cell computes: nn.RNNCell against the formula written out by hand."""

import torch

torch.manual_seed(0)

input_size, hidden_size = 4, 2
cell = torch.nn.RNNCell(input_size, hidden_size)

for name, p in cell.named_parameters():
    print(f"{name:10s} {tuple(p.shape)}")

x = torch.randn(1, input_size)  # one sample, one time step
h = torch.randn(1, hidden_size)  # previous hidden state

with torch.no_grad():
    by_hand = torch.tanh(x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh)  # (1)!
    by_torch = cell(x, h)
max_difference = (by_hand - by_torch).abs().max().item()
print("by hand :", by_hand)
print("RNNCell :", by_torch)
print(f"largest difference: {max_difference:.1e}")
