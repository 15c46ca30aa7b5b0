"""Shapes of input, hidden and output for nn.RNNCell: one time step per call."""

import torch

torch.manual_seed(0)

batch_size, seq_len, input_size, hidden_size = 1, 3, 4, 2

cell = torch.nn.RNNCell(input_size=input_size, hidden_size=hidden_size)
dataset = torch.randn(seq_len, batch_size, input_size)  # (seq_len, batch, input_size)
hidden = torch.zeros(batch_size, hidden_size)  # (batch, hidden_size)

for idx, step_input in enumerate(dataset):  # (1)!
    print(f"step {idx}: input {tuple(step_input.shape)}", end="  ")
    hidden = cell(step_input, hidden)
    print(f"-> hidden {tuple(hidden.shape)}")

hidden_shape = list(hidden.shape)
