"""Several input channels add up into one output map; several kernels give several output maps."""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)

# Three input channels (like R, G, B), 4 x 4 each, small integers to check by hand.
x = torch.randint(0, 4, (1, 3, 4, 4)).float()
w = torch.randint(-1, 2, (1, 3, 3, 3)).float()  # one kernel = one 3 x 3 slice per input channel
out = F.conv2d(x, w)  # (1)!
per_channel = [F.conv2d(x[:, c:c + 1], w[:, c:c + 1]) for c in range(3)]
print("input channel 0:\n", x[0, 0].int().numpy())
print("kernel slice for channel 0:\n", w[0, 0].int().numpy())
for c, part in enumerate(per_channel):
    print(f"channel {c} alone gives\n", part[0, 0].int().numpy())
print("3-channel convolution = sum of the three:\n", out[0, 0].int().numpy())
sum_matches = torch.equal(out, sum(per_channel))
print("equal:", sum_matches)

# m kernels -> m output channels: the weight of a Conv2d is (out_channels, in_channels, kh, kw).
in_channels, out_channels, kernel_size = 5, 10, 3
conv = nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size)  # (2)!
inputs = torch.randn(1, in_channels, 100, 100)  # (batch, channels, height, width)
outputs = conv(inputs)
print("input shape: ", tuple(inputs.shape))
print("output shape:", tuple(outputs.shape))
print("weight shape:", tuple(conv.weight.shape), " bias shape:", tuple(conv.bias.shape))
print("parameters:", sum(p.numel() for p in conv.parameters()), "= 10 * 5 * 3 * 3 + 10")
