"""What pack_padded_sequence stores, and the last hidden states of a bidirectional GRU."""

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from model import make_tensors

torch.manual_seed(0)

codes, lengths, _ = make_tensors(["Liu", "Zhang", "Ye"], [0, 0, 0])
print("codes (batch, seq_len), sorted by length:")
print(codes)
print("lengths:", lengths.tolist())

packed_codes = pack_padded_sequence(codes.t(), lengths)  # (1)!
print("packed data:", packed_codes.data.tolist())
print("as letters :", "".join(chr(c) for c in packed_codes.data.tolist()))
print("batch_sizes:", packed_codes.batch_sizes.tolist())
packed_size = packed_codes.data.numel()
padded_size = codes.numel()
print(f"{packed_size} codes stored instead of {padded_size}: no padding left")

hidden_size = 3
embedding = torch.nn.Embedding(128, hidden_size)
gru = torch.nn.GRU(hidden_size, hidden_size, num_layers=2, bidirectional=True)
with torch.no_grad():
    packed = pack_padded_sequence(embedding(codes.t()), lengths)
    output, hidden = gru(packed)
    output, _ = pad_packed_sequence(output)  # (seq_len, batch, 2 * hidden_size)
print("output:", tuple(output.shape), " hidden:", tuple(hidden.shape))  # (2)!

forward_last = hidden[-2]  # last layer, forward direction: after each name's last real character
backward_last = hidden[-1]  # last layer, backward direction: after reading back to the first
idx = torch.arange(len(lengths))
forward_matches = torch.allclose(forward_last, output[lengths - 1, idx, :hidden_size])
backward_matches = torch.allclose(backward_last, output[0, :, hidden_size:])
print("hidden[-2] == forward output at each name's last character:", forward_matches)
print("hidden[-1] == backward output at the first character:", backward_matches)
hidden_cat = torch.cat([forward_last, backward_last], dim=1)
print("concatenated for the Linear layer:", tuple(hidden_cat.shape))

with torch.no_grad():
    _, hidden_padded = gru(embedding(codes.t()))  # the same batch without packing
ye_differs = not torch.allclose(hidden_padded[-2, 2], forward_last[2])
print("without packing, the forward state of 'Ye' has also read its 3 padding zeros:", ye_differs)
