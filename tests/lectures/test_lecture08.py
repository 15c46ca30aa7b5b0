"""Lecture 8 (Dataset and DataLoader): what each snippet computes."""

L08 = "snippets/lecture08_dataset_and_dataloader/"


def test_drop_last_drops_the_short_batch_and_reuses_nothing(run_snippet):
    values = run_snippet(L08 + "batches_and_drop_last.py").values
    assert values["sizes_keep"] == [4, 4, 2]  # the short batch is kept
    assert values["seen_keep"] == list(range(10))  # every sample exactly once
    assert values["sizes_drop"] == [4, 4]  # the short batch is dropped
    assert len(values["seen_drop"]) == 8 == len(set(values["seen_drop"]))  # no sample reused
    assert values["iterations_keep"] == 24
    assert values["last_batch"] == 23
    assert values["iterations_drop"] == 23


def test_diabetes_dataloader_with_workers(run_snippet):
    result = run_snippet(L08 + "diabetes_dataloader.py")
    values = result.values
    assert "24 iterations per epoch" in result.output
    assert "first batch: (32, 8) (32, 1)" in result.output
    assert values["updates"] == 2400
    assert values["samples_per_epoch"] == 759
    # the course's 100 epochs at lr 0.01 do not leave lecture 7's plateau
    assert abs(values["train_accuracy"] - 0.6535) < 1e-3
    assert 0.64 < values["epoch_losses"][-1] < values["epoch_losses"][0]
    assert len(result.figures) == 1


def test_homework_titanic(run_snippet):
    result = run_snippet(L08 + "titanic.py")
    values = result.values
    assert values["data_source"] in ("kaggle", "synthetic")
    assert f"data: {values['data_source']} ({values['data_path']})" in result.output
    assert values["data_path"] in ("data/titanic/train.csv", "data/titanic_sample/train.csv")
    assert len(values["order"]) == 891
    # beats "everyone died" on passengers it never trained on
    assert values["val_accuracy"] >= 0.74
    assert values["val_accuracy"] > values["val_baseline"] + 0.15
