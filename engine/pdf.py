"""``python -m engine.pdf``: the old name of ``python -m engine.products.pdf``, kept for scripts."""

if __name__ == "__main__":
    from engine.products.pdf import main

    raise SystemExit(main())
