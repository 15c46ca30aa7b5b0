"""Measuring tools: build benchmark, page weight, a built site served locally (README, "Architecture")."""
