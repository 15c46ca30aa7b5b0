"""Shapes of input, hidden and output for nn.RNN, with num_layers and batch_first."""

import torch

torch.manual_seed(0)

batch_size, seq_len, input_size, hidden_size, num_layers = 1, 3, 4, 2, 1

rnn = torch.nn.RNN(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
inputs = torch.randn(seq_len, batch_size, input_size)  # (seq_len, batch, input_size)
hidden = torch.zeros(num_layers, batch_size, hidden_size)  # (num_layers, batch, hidden_size)
out, hidden = rnn(inputs, hidden)  # (1)!
print("num_layers=1")
print("  input :", tuple(inputs.shape))
print("  output:", tuple(out.shape))
print("  hidden:", tuple(hidden.shape))

rnn3 = torch.nn.RNN(input_size, hidden_size, num_layers=3)
out3, hidden3 = rnn3(inputs)  # the initial hidden state defaults to zeros
print("num_layers=3")
print("  output:", tuple(out3.shape), " (top layer only, every step)")
print("  hidden:", tuple(hidden3.shape), " (every layer, last step only)")
print("  output[-1] == hidden[-1]:", torch.allclose(out3[-1], hidden3[-1]))

batch_size = 5
rnn_bf = torch.nn.RNN(input_size, hidden_size, num_layers=3, batch_first=True)  # (2)!
inputs_bf = torch.randn(batch_size, seq_len, input_size)
out_bf, hidden_bf = rnn_bf(inputs_bf)
print("num_layers=3, batch_first=True, batch 5")
print("  input :", tuple(inputs_bf.shape))
print("  output:", tuple(out_bf.shape))
print("  hidden:", tuple(hidden_bf.shape), " (batch_first does not apply to hidden)")

output_shape = list(out.shape)
hidden_shape = list(hidden.shape)
output_shape_batch_first = list(out_bf.shape)
hidden_shape_batch_first = list(hidden_bf.shape)
