"""One-hot vectors against an embedding: the lookup is a one-hot times a learned matrix."""

import torch

torch.manual_seed(0)

idx2char = ["e", "h", "l", "o"]
x = torch.tensor([1, 0, 2, 2, 3])  # "hello"

one_hot = torch.nn.functional.one_hot(x, num_classes=4).float()
print("one-hot, (5, 4): sparse, fixed, every pair of characters equally far apart")
print(one_hot)

emb = torch.nn.Embedding(num_embeddings=4, embedding_dim=3)
looked_up = emb(x)  # (1)!
by_matmul = one_hot @ emb.weight
print("embedding, (5, 3): dense rows of a learned (4, 3) matrix")
print(looked_up.detach())
lookup_equals_matmul = torch.allclose(looked_up, by_matmul)
print("emb(x) == one_hot(x) @ emb.weight:", lookup_equals_matmul)

looked_up.sum().backward()
print("gradient of the weight: row i gets one unit per use of character i (e 1, h 1, l 2, o 1)")
print(emb.weight.grad)

vocab, dim = 128, 100
print(f"a vocabulary of {vocab}: one-hot vectors have {vocab} numbers, {vocab - 1} of them zero;")
print(f"an embedding of size {dim} stores {vocab} x {dim} = {vocab * dim} learned numbers")
