"""Epoch, batch size and iteration; what drop_last does to the last, short batch."""

import math

import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

samples = TensorDataset(torch.arange(10))  # 10 samples: 0, 1, ..., 9
for drop_last in (False, True):
    loader = DataLoader(samples, batch_size=4, shuffle=True, drop_last=drop_last)
    batches = [batch.tolist() for (batch,) in loader]
    seen = sorted(i for batch in batches for i in batch)
    print(f"drop_last={drop_last}: {len(loader)} iterations, batches {batches}")
    print(f"    samples used this epoch: {seen}")
    if drop_last:
        sizes_drop, seen_drop = [len(b) for b in batches], seen
    else:
        sizes_keep, seen_keep = [len(b) for b in batches], seen

# The diabetes data: 759 samples in batches of 32.
n, batch_size = 759, 32
iterations_keep = math.ceil(n / batch_size)  # (1)!
iterations_drop = n // batch_size
last_batch = n - (iterations_keep - 1) * batch_size
print(f"759 samples, batch size 32: {iterations_keep} iterations per epoch with drop_last=False "
      f"(the last has {last_batch} samples), {iterations_drop} with drop_last=True "
      f"({n - iterations_drop * batch_size} samples skipped this epoch)")
