"""Count the weights of RNNCell and RNN with a formula and check it with numel()."""

import torch


def cell_weights(input_size, hidden_size):
    """W_ih (h x i), W_hh (h x h), b_ih (h), b_hh (h)."""
    return hidden_size * input_size + hidden_size * hidden_size + 2 * hidden_size


def rnn_weights(input_size, hidden_size, num_layers=1, bidirectional=False):
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else hidden_size * directions  # (1)!
        total += directions * cell_weights(layer_input, hidden_size)
    return total


def counted(module):
    return sum(p.numel() for p in module.parameters())


checks = []
for i, h in [(4, 4), (10, 8), (100, 100)]:
    cell = torch.nn.RNNCell(i, h)
    checks.append((f"RNNCell({i}, {h})", cell_weights(i, h), counted(cell)))
for i, h, layers, bi in [(4, 4, 1, False), (10, 8, 2, False), (100, 100, 2, True)]:
    rnn = torch.nn.RNN(i, h, num_layers=layers, bidirectional=bi)
    name = f"RNN({i}, {h}, num_layers={layers}, bidirectional={bi})"
    checks.append((name, rnn_weights(i, h, layers, bi), counted(rnn)))

for name, formula, real in checks:
    print(f"{name:48s} formula {formula:6d}   numel {real:6d}")

all_match = all(formula == real for _, formula, real in checks)
print("all match:", all_match)
