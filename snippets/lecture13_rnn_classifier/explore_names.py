"""The names data: how many names per country, and a name turned into padded ASCII codes."""

import matplotlib.pyplot as plt

from model import make_tensors, name_to_codes
from names_data import NameDataset

trainset = NameDataset(is_train_set=True)
testset = NameDataset(is_train_set=False)
print(f"{len(trainset)} training names, {len(testset)} test names, {trainset.get_countries_num()} countries")
print("first training item:", trainset[0])

train_counts = {c: trainset.countries.count(c) for c in trainset.country_list}
test_counts = {c: testset.countries.count(c) for c in trainset.country_list}
largest = max(train_counts, key=train_counts.get)
smallest = min(train_counts, key=train_counts.get)
print(f"most names: {largest} ({train_counts[largest]}), fewest: {smallest} ({train_counts[smallest]})")
majority_baseline = test_counts[largest] / len(testset)
print(f"always answering {largest} would be right on {majority_baseline:.1%} of the test names")

print("Maclean ->", name_to_codes("Maclean"))  # (1)!

names = ["Maclean", "Liu", "Zhang", "Ye"]
codes, lengths, labels = make_tensors(names, [0, 1, 2, 3])  # (2)!
print("padded and sorted by length; the labels 0-3 move with their names:", labels.tolist())
for row, length in zip(codes.tolist(), lengths.tolist()):
    text = "".join(chr(c) for c in row[:length])
    print(f"  {text:8s} length {length}  {row}")

order = sorted(train_counts, key=train_counts.get)
y = range(len(order))
plt.figure(figsize=(7, 5))
plt.barh([i + 0.2 for i in y], [train_counts[c] for c in order], height=0.4, label="train")
plt.barh([i - 0.2 for i in y], [test_counts[c] for c in order], height=0.4, label="test")
plt.yticks(list(y), order)
plt.xscale("log")
plt.xlabel("names (log scale)")
plt.title("Names per country")
plt.legend()
plt.tight_layout()
plt.show()
