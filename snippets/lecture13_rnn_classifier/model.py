"""The course's name classifier (Embedding -> bidirectional GRU -> Linear) and its input helpers."""

import torch
from torch.nn.utils.rnn import pack_padded_sequence

N_CHARS = 128  # ASCII


def name_to_codes(name):
    """A name as a list of ASCII codes: "Liu" -> [76, 105, 117]."""
    return [ord(c) for c in name]


def make_tensors(names, countries):
    """Pad the names with zeros to one length and sort the batch by length, longest first.

    Returns (codes (batch, max_len), lengths (batch,), countries (batch,)), all on the CPU.
    """
    sequences = [name_to_codes(name) for name in names]
    lengths = torch.tensor([len(s) for s in sequences])
    codes = torch.zeros(len(sequences), int(lengths.max()), dtype=torch.long)
    for i, sequence in enumerate(sequences):
        codes[i, : len(sequence)] = torch.tensor(sequence)
    lengths, order = lengths.sort(descending=True)
    return codes[order], lengths, torch.as_tensor(countries)[order]


class RNNClassifier(torch.nn.Module):
    def __init__(self, input_size=N_CHARS, hidden_size=100, output_size=18, n_layers=2, bidirectional=True):
        super().__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_directions = 2 if bidirectional else 1
        self.embedding = torch.nn.Embedding(input_size, hidden_size)
        self.gru = torch.nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(hidden_size * self.n_directions, output_size)

    def _init_hidden(self, batch_size, device):
        return torch.zeros(self.n_layers * self.n_directions, batch_size, self.hidden_size, device=device)

    def forward(self, codes, seq_lengths):
        codes = codes.t()  # (1)!
        hidden = self._init_hidden(codes.size(1), codes.device)
        embedding = self.embedding(codes)  # (seq_len, batch, hidden_size)
        packed = pack_padded_sequence(embedding, seq_lengths)  # (2)!
        output, hidden = self.gru(packed, hidden)  # hidden: (n_layers * n_directions, batch, hidden_size)
        if self.n_directions == 2:
            hidden_cat = torch.cat([hidden[-2], hidden[-1]], dim=1)  # (3)!
        else:
            hidden_cat = hidden[-1]
        return self.fc(hidden_cat)
