"""What is made from the results: notebooks, glossary, results page, PDF (README, "Architecture")."""
