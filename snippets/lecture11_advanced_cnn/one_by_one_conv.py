"""Why a 1x1 convolution cuts computation: count the multiplications, then let PyTorch count them."""

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

# A 1x1 convolution mixes channels pixel by pixel: a weighted sum over the channels.
x = torch.tensor([[[[1.0]], [[2.0]], [[3.0]]]])  # one pixel, 3 channels: values 1, 2, 3
conv1x1 = nn.Conv2d(3, 1, kernel_size=1, bias=False)
with torch.no_grad():
    conv1x1.weight.copy_(torch.tensor([0.5, -1.0, 2.0]).view(1, 3, 1, 1))
print("1x1 conv of channel values (1, 2, 3) with weights (0.5, -1, 2):",
      conv1x1(x).item(), "= 0.5*1 - 1*2 + 2*3")


def multiplications(n, c_in, c_out, k):
    """A k x k convolution with 'same' padding on an n x n map: k*k*n*n*c_in*c_out multiplications."""
    return k * k * n * n * c_in * c_out  # (1)!


def counted(module, c_in, n=28):
    """Multiplications counted by PyTorch's FLOP counter (1 multiply-add = 2 FLOPs)."""
    with FlopCounterMode(display=False) as counter:
        module(torch.zeros(1, c_in, n, n))
    return counter.get_total_flops() // 2


# The course's example: 192 channels of 28 x 28 in, 32 channels out, 5 x 5 kernel.
direct = nn.Conv2d(192, 32, kernel_size=5, padding=2, bias=False)
bottleneck = nn.Sequential(
    nn.Conv2d(192, 16, kernel_size=1, bias=False),  # (2)!
    nn.Conv2d(16, 32, kernel_size=5, padding=2, bias=False),
)
direct_by_hand = multiplications(28, 192, 32, 5)
bottleneck_by_hand = multiplications(28, 192, 16, 1) + multiplications(28, 16, 32, 5)
print(f"5x5 conv directly:        5*5*28*28*192*32 = {direct_by_hand:>11,} (PyTorch counts {counted(direct, 192):,})")
print(f"1x1 to 16 channels first: 1*1*28*28*192*16 + 5*5*28*28*16*32 = {bottleneck_by_hand:,} "
      f"(PyTorch counts {counted(bottleneck, 192):,})")
ratio = direct_by_hand / bottleneck_by_hand
print(f"about {ratio:.1f} times fewer multiplications; output shape is the same:",
      tuple(direct(torch.zeros(1, 192, 28, 28)).shape) == tuple(bottleneck(torch.zeros(1, 192, 28, 28)).shape))
