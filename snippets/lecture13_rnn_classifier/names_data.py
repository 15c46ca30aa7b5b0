"""The names data: surname -> country, read from gzip CSV files checked by md5."""

import csv
import gzip
from pathlib import Path

from torch.utils.data import Dataset
from torchvision.datasets.utils import download_url

FILES = {
    "train": (
        "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/names_train.csv.gz",
        "279fed4465b63788995257cf0a81f3af",
    ),
    "test": (
        "https://raw.githubusercontent.com/hunkim/PyTorchZeroToAll/master/data/names_test.csv.gz",
        "3729799e72df4be417721aab647340e3",
    ),
}


def read_rows(split, root="data"):
    """Rows (name, country) of the train or test file, fetched and checked first."""
    url, md5 = FILES[split]
    download_url(url, root=root, md5=md5)  # (1)!
    with gzip.open(Path(root) / Path(url).name, "rt", encoding="utf-8", newline="") as f:
        return [(row[0], row[1]) for row in csv.reader(f)]


class NameDataset(Dataset):
    """Item i is (name, country index); countries are numbered in alphabetical order."""

    def __init__(self, is_train_set=True, root="data"):
        rows = read_rows("train" if is_train_set else "test", root)
        self.names = [name for name, _ in rows]
        self.countries = [country for _, country in rows]
        self.country_list = sorted(set(self.countries))
        self.country_dict = {country: i for i, country in enumerate(self.country_list)}

    def __getitem__(self, index):
        return self.names[index], self.country_dict[self.countries[index]]

    def __len__(self):
        return len(self.names)

    def idx2country(self, index):
        return self.country_list[index]

    def get_countries_num(self):
        return len(self.country_list)
